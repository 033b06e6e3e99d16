"""The demo election the synthetic DPT is made for: its name and its polling day (the voting age
and every other rule of the election live in service/voters/election.py)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from service.voters.election import MIN_AGE

__all__ = ["DEMO_ELECTION", "DEMO_POLLING_DATE", "MIN_AGE"]

DEMO_ELECTION: Final = "Pilkada Kota Metro 2024 (demo)"
DEMO_POLLING_DATE: Final = dt.date(2024, 11, 27)  # Pilkada serentak
