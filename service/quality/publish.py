"""Whether a version may be published without `--force`: no finding kind above its limit.

The limit of a kind is a share (`DPT_QUALITY_MAX_SHARE`, 1% by default) of the voters loaded, or,
for the TPS kinds, of the TPS loaded: a DPT where one voter in a hundred is under age, or one TPS
in a hundred is empty, should be looked at before residents see it.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.quality.findings import KINDS, TPS_KINDS


def findings_over_limits(
    counts: Mapping[str, int], *, voters: int, tps: int, max_share: float
) -> dict[str, int]:
    """The kinds whose count is above `max_share` of what they are counted against, with counts."""
    over = {}
    for kind in KINDS:
        base = tps if kind in TPS_KINDS else voters
        count = counts.get(kind, 0)
        if count > max_share * base:
            over[kind] = count
    return over
