"""Who is acting and from where, for the audit trail, without threading it through every call."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    """Where an action comes from: an address and a channel (web, api, cli)."""

    ip: str | None = None
    channel: str = "cli"


_current: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "zoufang_request_meta", default=None
)
_CLI = RequestMeta()


def current_meta() -> RequestMeta:
    """The request metadata of the code running now (CLI when there is no request)."""
    return _current.get() or _CLI


@contextmanager
def request_meta(meta: RequestMeta) -> Iterator[None]:
    """Run a block with the given request metadata."""
    token = _current.set(meta)
    try:
        yield
    finally:
        _current.reset(token)
