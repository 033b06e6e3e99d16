"""The two languages every channel answers in: Bahasa Indonesia first, English too."""

from __future__ import annotations

from typing import Literal

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
