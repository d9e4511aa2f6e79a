"""Start-up error types: a shallow hierarchy whose messages name file, line and key."""

from __future__ import annotations

__all__ = ["ConfigError", "MockproxyError", "SpecError"]


class MockproxyError(Exception):
    """Base of every error mockproxy raises on purpose at start-up.

    ``messages`` holds one line per problem, already in the form the CLI prints
    (``config/mockproxy.yaml:12:5: apis.fax.upstream: expected ..., got ...``).
    """

    def __init__(self, messages: str | list[str]) -> None:
        self.messages: list[str] = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class ConfigError(MockproxyError):
    """The config file (or an override from argv or the environment) is wrong."""


class SpecError(MockproxyError):
    """An API description cannot be loaded: unreadable, not OpenAPI, or a dangling $ref."""
