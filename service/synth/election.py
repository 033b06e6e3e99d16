"""The demo election the synthetic DPT is made for: its name, its polling day and its voting age."""

from __future__ import annotations

import datetime as dt
from typing import Final

DEMO_ELECTION: Final = "Pilkada Kota Metro 2024 (demo)"
DEMO_POLLING_DATE: Final = dt.date(2024, 11, 27)  # Pilkada serentak
MIN_AGE: Final = 17  # voters must be 17 by polling day
