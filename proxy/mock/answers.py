"""The mock-answer cache's entries: finished static answers, and the keys they are found by.

One bounded cache per loaded configuration (``Snapshot.mock_answers``) holds every static
answer the mock has given, by one of two keys:

- ``reply_key``: (api, operation, preferences, Accept), everything a static reply depends
  on once the request was routed, its credentials checked and its parameters validated;
- ``request_line_key``: (method, raw target, Prefer values, Accept, authorized, Content-Type
  of a body), for operations whose answer nothing else decides
  (``PreparedOperation.answers_by_request_line``): a repeated request is one lookup, and a
  body is still checked against its schema each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import hdrs, web
from multidict import CIMultiDict

from proxy import memo
from proxy.memo import Memo
from proxy.mock.prefer import PREFER, Preferences
from proxy.mock.responder import MockReply, body_to_send, response_headers

__all__ = [
    "AnswerKey",
    "MockAnswer",
    "MockAnswers",
    "mock_answers",
    "reply_key",
    "request_line_key",
]


ReplyKey = tuple[str, str, Preferences, str | None]
RequestLineKey = tuple[str, str, tuple[str, ...], str | None, bool, str | None]
AnswerKey = ReplyKey | RequestLineKey


@dataclass(frozen=True, slots=True)
class MockAnswer:
    """A static reply, and its response headers assembled once; a request copies them."""

    reply: MockReply
    headers: CIMultiDict[str]
    body: bytes | None

    @classmethod
    def of(
        cls, reply: MockReply, operation_key: str, fixed_headers: Mapping[str, str]
    ) -> MockAnswer:
        """The answer for requests whose only extra headers are ``fixed_headers``."""
        headers = response_headers(reply, operation_key, fixed_headers)
        return cls(reply, headers, body_to_send(reply))

    def response(self) -> web.Response:
        return web.Response(status=self.reply.status, body=self.body, headers=self.headers)


MockAnswers = Memo[AnswerKey, MockAnswer]


def mock_answers() -> MockAnswers:
    """An empty mock-answer cache, for one loaded configuration."""
    return Memo("mock_answers", memo.MOCK_ANSWERS)


def reply_key(api: str, operation: str, preferences: Preferences, accept: str | None) -> ReplyKey:
    """The key of a static reply, once the request was checked."""
    return (api, operation, preferences, accept)


def request_line_key(request: web.Request, authorized: bool) -> RequestLineKey:
    """The key of a static answer that only the request line and these headers decide."""
    headers = request.headers
    content_type = headers.get(hdrs.CONTENT_TYPE) if request.body_exists else None
    return (
        request.method,
        request.raw_path,  # the query too: the route was decided on the path alone
        tuple(headers.getall(PREFER, ())),
        headers.get(hdrs.ACCEPT),
        authorized,
        content_type,
    )
