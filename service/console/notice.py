"""The printable notice's QR code: the TPS's place on the map (an OpenStreetMap link), never the
NIK or anything else about the voter, drawn as inline SVG by segno."""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(map_url: str | None) -> Markup | None:
    """An inline <svg> of the link (no XML declaration, scaled by CSS), or None without one."""
    if not map_url:
        return None
    out = io.BytesIO()
    segno.make(map_url, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, svgclass="qr", lineclass=None, omitsize=True,
        border=2, title="QR",
    )  # fmt: skip
    # segno escapes what it writes; the link is the service's own (service/voters/answers.py).
    return Markup(out.getvalue().decode())  # noqa: S704 - generated SVG, not user input
