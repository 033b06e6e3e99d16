"""Families behind one KK: ethnic group, religion and family name, and its members' roles, sexes and ages."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final, Literal

from service.synth.choices import Weighted
from service.synth.election import MIN_AGE
from service.synth.words import BATAK_MARGA, CHINESE_CLANS, CHINESE_SURNAMES, MUSLIM_MARGA

MAX_AGE: Final = 95


Group = Literal["jawa", "islam", "lampung", "bali", "batak", "tionghoa", "sunda"]

# Kota Metro began as a Javanese colonisation settlement (1935); Balinese came with transmigration.
_GROUPS: Final = Weighted[Group](
    (("jawa", 55), ("islam", 20), ("lampung", 8), ("bali", 6), ("batak", 6), ("tionghoa", 3), ("sunda", 2))
)


@dataclass(slots=True)
class Family:
    group: Group
    surname: str  # Batak marga or Chinese-Indonesian family name, passed to sons and children
    clan: str  # Hokkien clan name (LIEM, OEI...) that older Chinese-Indonesians still carry
    muslim: bool
    children: int = 0  # Balinese names follow birth order


def new_family(rng: random.Random) -> Family:
    group = _GROUPS.pick(rng)
    if group == "batak":
        surname = rng.choice(BATAK_MARGA)
        return Family(group, surname, "", surname in MUSLIM_MARGA)
    if group == "tionghoa":
        return Family(group, rng.choice(CHINESE_SURNAMES), rng.choice(CHINESE_CLANS), False)
    muslim = group in ("islam", "lampung", "sunda") or (group == "jawa" and rng.random() < 0.93)
    return Family(group, "", "", muslim)


def _age_weight(age: int) -> float:
    """Relative head count by age, shaped like Indonesia's 2020 census (a young population)."""
    for upper, weight in ((24, 1.0), (34, 0.98), (44, 0.92), (54, 0.78), (64, 0.55), (74, 0.3), (84, 0.11)):
        if age <= upper:
            return weight
    return 0.025


_ANY_AGE: Final = Weighted((age, _age_weight(age)) for age in range(MIN_AGE, MAX_AGE + 1))
_HEAD_AGE: Final = Weighted((age, _age_weight(age)) for age in range(23, 91))


def family_members(rng: random.Random, size: int) -> list[tuple[str, bool, int]]:
    """(role, female, age) of the adult members of one KK."""
    if size == 1:
        age = _ANY_AGE.pick(rng)
        return [("head", rng.random() < (0.62 if age >= 60 else 0.45), age)]
    head_age = _HEAD_AGE.pick(rng)
    head_female = rng.random() < 0.08
    members = [("head", head_female, head_age)]
    if rng.random() < 0.92:
        gap = 3 if head_female else -3  # husbands tend to be a few years older
        spouse_age = min(MAX_AGE, max(MIN_AGE, head_age + gap + round(rng.gauss(0, 3))))
        members.append(("spouse", not head_female, spouse_age))
    while len(members) < size:
        oldest_child = head_age - 19
        if oldest_child >= MIN_AGE and rng.random() < 0.85:
            age = rng.randint(max(MIN_AGE, head_age - 42), oldest_child)
            members.append(("child", rng.random() < 0.5, age))
        elif head_age <= 70 and rng.random() < 0.5:
            members.append(("parent", rng.random() < 0.7, min(MAX_AGE, head_age + rng.randint(20, 32))))
        else:
            members.append(("relative", rng.random() < 0.5, _ANY_AGE.pick(rng)))
    return members
