"""QR codes (segno) as inline SVG: visit cards, citizens' links, the authenticator set-up."""

from __future__ import annotations

import segno


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline SVG QR code of a URL (error correction M)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2))
