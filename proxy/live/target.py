"""Upstream request targets: an API's base URL parsed once, each request's path checked under it.

The target is the base path plus the raw path below the mount plus the raw query, byte for
byte. It never leaves the base: dot segments (also as ``..;``), encoded slashes, backslashes
and NULs (also double-encoded) are refused with a 400 problem, and so are bytes that cannot
stand in a request line. The host is always the configured one, so no other host is reachable.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

from yarl import URL

from proxy.memo import UPSTREAM_BASES
from proxy.problems import ProblemError

__all__ = ["UpstreamBase", "location_for_client", "request_target", "upstream_base"]

_FORBIDDEN_IN_SEGMENT: Final = ("/", "\\", "\x00")
_BREAKS_REQUEST_LINE: Final = re.compile(rb"[\x00-\x20\x7f]")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class UpstreamBase:
    """A configured upstream base URL, parsed once."""

    scheme: str
    host: str
    port: int
    path: str  # raw, without a trailing slash
    authority: bytes  # the Host field the upstream sees
    label: str  # scheme://authority, for messages and logs


@functools.lru_cache(maxsize=UPSTREAM_BASES)
def upstream_base(url: str) -> UpstreamBase:
    """Parse a base URL (already validated by the config loader) once."""
    parsed = URL(url)
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.raw_host:
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
    authority = parsed.raw_authority.rpartition("@")[2]
    return UpstreamBase(
        scheme=parsed.scheme,
        host=parsed.raw_host,
        port=port,
        path=parsed.raw_path.rstrip("/"),
        authority=authority.encode("ascii"),
        label=f"{parsed.scheme}://{authority}",
    )


def request_target(base: UpstreamBase, path_below_mount: str, raw_query: str) -> bytes:
    """Base path + raw path + raw query, as request-line bytes; a 400 problem if it escapes."""
    path = path_below_mount
    if path and (
        not path.startswith("/")
        # the usual path has none of these: nothing to decode, no dot segment possible
        or (("%" in path or "." in path or "\\" in path or "\x00" in path) and _escapes(path))
    ):
        raise _traversal(path)
    text = base.path + path or "/"
    if raw_query:
        text = f"{text}?{raw_query}"
    try:
        target = text.encode("ascii")
    except UnicodeEncodeError:
        target = text.encode("utf-8", "surrogateescape")
    # no space, control byte or DEL: they would end or break the request line (a printable
    # target without a space is told without the regex: control bytes are unprintable)
    if not (" " not in text and text.isprintable()) and _BREAKS_REQUEST_LINE.search(target):
        raise _traversal(path)
    return target


def location_for_client(location: str, base: UpstreamBase, client_origin: str, mount: str) -> str:
    """A ``Location`` the upstream sent, as the client should follow it: a URL below the
    upstream's base URL, absolute or path-absolute, moves below the API's mount at the proxy
    (``client_origin``: the scheme and host the client called), as nginx's ``proxy_redirect``
    does by default, so the client stays on the proxy; any other is left as sent."""
    if location[: len(base.label)].lower() == base.label.lower():
        below = _below_base_path(location[len(base.label) :], base.path)
        return location if below is None else client_origin + (mount + below or "/")
    if location.startswith("/") and not location.startswith("//"):
        below = _below_base_path(location, base.path)
        return location if below is None else mount + below or "/"
    return location


def _below_base_path(path: str, base_path: str) -> str | None:
    """What follows ``base_path`` in ``path`` (a path, perhaps with query and fragment), or
    None when ``path`` is not below it."""
    if not path.startswith(base_path):
        return None
    below = path[len(base_path) :]
    return below if below[:1] in ("", "/", "?", "#") else None


def _escapes(path: str) -> bool:
    """A dot segment, also with ``;`` parameters (``..;/``: Tomcat and Spring drop them and
    climb), or an encoded slash, backslash or NUL, also double-encoded."""
    for segment in path.split("/"):
        decoded = unquote(unquote(segment))
        bare = decoded.partition(";")[0]
        if bare in (".", "..") or any(c in decoded for c in _FORBIDDEN_IN_SEGMENT):
            return True
    return False


def _traversal(path: str) -> ProblemError:
    return ProblemError(
        400,
        "path-traversal",
        f"the path {path!r} would leave the API's upstream base path; it is not forwarded",
    )
