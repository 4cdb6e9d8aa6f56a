"""API: the bulletins column."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["bulletins"])
