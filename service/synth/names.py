"""Name makers per group (Javanese, Muslim, Lampung, Bali, Batak, Chinese, Sunda), titles, old spellings."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Final

from service.synth.families import Family, Group
from service.synth.words import (
    ABDUL,
    ABDUL_NAMES,
    AHMAD,
    BALI_CASTE_F,
    BALI_CASTE_M,
    BALI_F,
    BALI_LAST_F,
    BALI_LAST_M,
    BALI_M,
    BALI_ORDER,
    BATAK_F,
    BATAK_M,
    BATAK_MARGA,
    BORU,
    CHINESE_CLANS,
    CHINESE_GIVEN_F,
    CHINESE_GIVEN_M,
    CHINESE_SURNAMES,
    CHINESE_SYLLABLE,
    CHINESE_SYLLABLE_F,
    CHINESE_SYLLABLE_M,
    DEGREES,
    ISLAM_ANY_M,
    ISLAM_F,
    ISLAM_M,
    ISLAM_OR_JAWA_LAST_F,
    ISLAM_OR_JAWA_LAST_M,
    ISLAM_YOUNG_F,
    ISLAM_YOUNG_M,
    JAWA_FIRST_F,
    JAWA_FIRST_M,
    JAWA_LAST_F,
    JAWA_LAST_M,
    JAWA_OLD_F,
    JAWA_OLD_M,
    JAWA_OLD_OR_FIRST_M,
    LAMPUNG_ADOK,
    LAMPUNG_F,
    LAMPUNG_LAST_F,
    LAMPUNG_LAST_M,
    LAMPUNG_M,
    MODERN_FIRST_F,
    MODERN_FIRST_M,
    MODERN_LAST_F,
    MODERN_LAST_M,
    MUHAMMAD,
    MUSLIM_MARGA,
    NUR_F,
    NUR_M,
    SITI,
    SUNDA_FIRST_F,
    SUNDA_FIRST_M,
    SUNDA_LAST_F,
    SUNDA_LAST_M,
    YOUNG_LAST_F,
    YOUNG_LAST_M,
    YOUNG_MIDDLE_F,
    YOUNG_MIDDLE_M,
)

_NameMaker = Callable[[random.Random, bool, int, Family, str], str]


def _surname_of(rng: random.Random, family: Family, female: bool, role: str, pool: Sequence[str]) -> str:
    """Sons and children carry the family name; wives and mothers keep the one they were born with."""
    if not female or role == "child":
        return family.surname
    return rng.choice(pool)


def _pick_parts(rng: random.Random, *parts: Sequence[str]) -> str:
    return " ".join(rng.choice(part) for part in parts)


# Pre-1972 spelling: the EYD reform changed dj→j, j→y, tj→c, nj→ny, sj→sy, ch→kh; oe→u came in 1947
# but survives in many names.
_OLD_SPELLING: Final = {"NY": "NJ", "SY": "SJ", "KH": "CH", "J": "DJ", "Y": "J", "C": "TJ", "U": "OE"}
_OLD_SPELLING_PATTERN: Final = re.compile("|".join(sorted(_OLD_SPELLING, key=len, reverse=True)))


def _old_spelling(name: str) -> str:
    return _OLD_SPELLING_PATTERN.sub(lambda match: _OLD_SPELLING[match.group()], name)


# Small spelling drifts clerks make or families choose; applied to a few names so search meets them.
_SPELLING_DRIFTS: Final = (
    ("IY", "I"),
    ("TY", "TI"),
    ("DH", "D"),
    ("KH", "H"),
    ("F", "P"),
    ("Z", "J"),
    ("AI", "E"),
    ("Q", "K"),
)


def _drift(rng: random.Random, name: str) -> str:
    source, target = rng.choice(_SPELLING_DRIFTS)
    return name.replace(source, target, 1)


def _respell(rng: random.Random, name: str, birth_year: int, old_share: float, drift_share: float) -> str:
    """Old spelling for people registered before 1972, or an occasional clerk's drift."""
    if birth_year < 1968 and rng.random() < old_share:
        return _old_spelling(name)
    if rng.random() < drift_share:
        return _drift(rng, name)
    return name


def _javanese_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    if birth_year < 1960:
        name = _javanese_elder(rng, female)
    elif birth_year < 1988:
        name = _javanese_adult(rng, female)
    else:
        name = _javanese_young(rng, female)
    return _respell(rng, name, birth_year, 0.3, 0.03)


def _javanese_elder(rng: random.Random, female: bool) -> str:
    first, last = (JAWA_FIRST_F, JAWA_LAST_F) if female else (JAWA_FIRST_M, JAWA_LAST_M)
    draw = rng.random()
    if draw < 0.45:  # one-word names were the norm for this generation
        return rng.choice(JAWA_OLD_F if female else JAWA_OLD_M)
    if draw < 0.85:
        return _pick_parts(rng, first if female else JAWA_OLD_OR_FIRST_M, last)
    return _pick_parts(rng, first, first, last)


def _javanese_adult(rng: random.Random, female: bool) -> str:
    first, last = (JAWA_FIRST_F, JAWA_LAST_F) if female else (JAWA_FIRST_M, JAWA_LAST_M)
    draw = rng.random()
    if draw < 0.08:
        return rng.choice(JAWA_OLD_F if female else JAWA_OLD_M)
    if female and draw < 0.18:
        return f"SRI {rng.choice(last)}"
    if draw < 0.4:
        return _pick_parts(rng, first, last)
    return _pick_parts(rng, first, MODERN_FIRST_F if female else MODERN_FIRST_M, last)


def _javanese_young(rng: random.Random, female: bool) -> str:
    draw = rng.random()
    if draw < 0.05:
        return (
            _pick_parts(rng, JAWA_FIRST_F, JAWA_LAST_F)
            if female
            else _pick_parts(rng, JAWA_FIRST_M, JAWA_LAST_M)
        )
    first, last = (MODERN_FIRST_F, MODERN_LAST_F) if female else (MODERN_FIRST_M, MODERN_LAST_M)
    if draw < 0.2:
        return _pick_parts(rng, first, last)
    if female:
        return _pick_parts(rng, first, YOUNG_MIDDLE_F, YOUNG_LAST_F)
    return _pick_parts(rng, first, YOUNG_MIDDLE_M, YOUNG_LAST_M)


def _muslim_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    name = _muslim_female(rng, birth_year) if female else _muslim_male(rng, birth_year)
    return _respell(rng, name, birth_year, 0.25, 0.04)


def _muslim_female(rng: random.Random, birth_year: int) -> str:
    given = ISLAM_YOUNG_F if birth_year >= 1990 else ISLAM_F
    draw = rng.random()
    if draw < 0.3:
        name = f"{SITI.pick(rng)} {rng.choice(given)}"
        if rng.random() < 0.5:
            name = f"{name} {rng.choice(ISLAM_OR_JAWA_LAST_F)}"
    elif draw < 0.45:
        stem = rng.choice(NUR_F)
        name = f"NUR{stem}" if rng.random() < 0.5 else f"NUR {stem}"  # Nurhayati and Nur Hayati both occur
        if birth_year >= 1960 and rng.random() < 0.4:
            name = f"{name} {rng.choice(ISLAM_OR_JAWA_LAST_F)}"
    elif draw < 0.85 or birth_year >= 1975:
        name = _pick_parts(rng, given, ISLAM_OR_JAWA_LAST_F)
    else:
        name = rng.choice(given)
    if birth_year >= 1985 and rng.random() < 0.5:
        name = f"{name} {rng.choice(MODERN_LAST_F)}"
    return name


def _muslim_male(rng: random.Random, birth_year: int) -> str:
    given = ISLAM_YOUNG_M if birth_year >= 1990 else ISLAM_M
    draw = rng.random()
    if draw < 0.3:
        name = f"{MUHAMMAD.pick(rng)} {rng.choice(given)}"
        if rng.random() < 0.6:
            name = f"{name} {rng.choice(ISLAM_OR_JAWA_LAST_M)}"
    elif draw < 0.42:
        name = f"{AHMAD.pick(rng)} {rng.choice(ISLAM_ANY_M)}"
        if rng.random() < 0.5:
            name = f"{name} {rng.choice(ISLAM_OR_JAWA_LAST_M)}"
    elif draw < 0.54:
        name = f"{ABDUL.pick(rng)} {rng.choice(ABDUL_NAMES)}"
    elif draw < 0.62:
        stem = rng.choice(NUR_M)
        name = f"NUR{stem}" if rng.random() < 0.4 else f"NUR {stem}"
    elif draw < 0.9 or birth_year >= 1975:
        name = _pick_parts(rng, given, ISLAM_OR_JAWA_LAST_M)
    else:
        name = rng.choice(given)
    if birth_year >= 1985 and rng.random() < 0.45:
        name = f"{name} {rng.choice(MODERN_LAST_M)}"
    return name


def _lampung_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    if female:
        name = rng.choice(LAMPUNG_F)
        if rng.random() < (0.8 if birth_year >= 1975 else 0.55):
            name = f"{name} {rng.choice(LAMPUNG_LAST_F)}"
        return name
    name = rng.choice(LAMPUNG_M)
    if rng.random() < (0.8 if birth_year >= 1975 else 0.5):
        name = f"{name} {rng.choice(LAMPUNG_LAST_M)}"
    # Some Lampung men carry the adok (customary title) they received at marriage.
    if birth_year < 1990 and rng.random() < 0.1:
        name = f"{rng.choice(LAMPUNG_ADOK)} {name}"
    return name


def _balinese_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    if role == "child":
        order = BALI_ORDER[family.children % len(BALI_ORDER)]
        family.children += 1
    else:
        order = rng.choice(BALI_ORDER)
    draw = rng.random()
    if draw < 0.08:  # the three upper castes put their title before the birth-order name
        prefix = rng.choice(BALI_CASTE_F if female else BALI_CASTE_M)
        name = f"{prefix} {rng.choice(BALI_F if female else BALI_M)}"
    elif female:
        name = f"NI {rng.choice(order[1])} {rng.choice(BALI_F)}"
    else:
        name = f"I {rng.choice(order[0])} {rng.choice(BALI_M)}"
    if rng.random() < 0.3:
        name = f"{name} {rng.choice(BALI_LAST_F if female else BALI_LAST_M)}"
    return name


def _batak_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    marga = _surname_of(rng, family, female, role, MUSLIM_MARGA if family.muslim else BATAK_MARGA)
    if family.muslim:
        given = rng.choice(ISLAM_F if female else ISLAM_M)
        if not female and rng.random() < 0.3:
            given = f"{MUHAMMAD.pick(rng)} {given}"
    else:
        given = rng.choice(BATAK_F if female else BATAK_M)
        if rng.random() < 0.3:
            given = f"{given} {rng.choice(BATAK_F if female else BATAK_M)}"
    if female:
        return f"{given} {BORU.pick(rng)}{marga}"
    return f"{given} {marga}"


def _chinese_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    if birth_year < 1960 and rng.random() < 0.6:
        # Born before the 1966 name-change policy: a Hokkien name in Dutch spelling.
        clan = family.clan if not female or role == "child" else rng.choice(CHINESE_CLANS)
        last = CHINESE_SYLLABLE_F if female else CHINESE_SYLLABLE_M
        return f"{clan} {rng.choice(CHINESE_SYLLABLE)} {rng.choice(last)}"
    given = rng.choice(CHINESE_GIVEN_F if female else CHINESE_GIVEN_M)
    if rng.random() < 0.3:
        given = f"{given} {rng.choice(CHINESE_GIVEN_F if female else CHINESE_GIVEN_M)}"
    elif rng.random() < 0.15:
        return given
    return f"{given} {_surname_of(rng, family, female, role, CHINESE_SURNAMES)}"


def _sundanese_name(rng: random.Random, female: bool, birth_year: int, family: Family, role: str) -> str:
    first, last = (SUNDA_FIRST_F, SUNDA_LAST_F) if female else (SUNDA_FIRST_M, SUNDA_LAST_M)
    if rng.random() < 0.4:
        return _pick_parts(rng, first, first, last)
    return _pick_parts(rng, first, last)


NAME_MAKERS: Final[dict[Group, _NameMaker]] = {
    "jawa": _javanese_name,
    "islam": _muslim_name,
    "lampung": _lampung_name,
    "bali": _balinese_name,
    "batak": _batak_name,
    "tionghoa": _chinese_name,
    "sunda": _sundanese_name,
}


def with_titles(rng: random.Random, name: str, female: bool, age: int, muslim: bool) -> str:
    """Titles as DPT prints carry them: "DRS. H. SUPARNO", "SRI RAHAYU, S.PD."; a few percent only."""
    prefix = ""
    if muslim and age >= 40 and rng.random() < 0.035:
        prefix = "HJ. " if female else "H. "
        if not female and age >= 50 and rng.random() < 0.08:
            prefix = "KH. "
    draw = rng.random()
    if 45 <= age <= 85 and draw < 0.012:
        academic = ("DRA. " if female else "DRS. ") if draw < 0.008 else ("IR. " if draw < 0.011 else "DR. ")
        return f"{academic}{prefix}{name}"
    if 23 <= age <= 65 and draw < 0.045:
        return f"{prefix}{name}, {DEGREES.pick(rng)}"
    return f"{prefix}{name}"
