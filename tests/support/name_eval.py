"""Labelled name queries and recall metrics for the name search (issue 3).

From a synthetic DPT this builds the names people actually type for a registered voter (old
spellings, M./Muhammad, a typo, titles, word order, ...) and for people who are not registered but
look like someone who is; it runs them through a searcher in the three deployment modes and scores
recall and false confidence. tests/test_search_eval.py runs a small set against the targets;
loadtest/eval_search.py runs a large one beside pg_trgm and rapidfuzz baselines.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import random
import re
import string
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal, Protocol

import asyncpg
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from service.importer import kelurahan_code, parse_birth_date
from service.synth.words import (
    ABDUL_NAMES,
    BALI_F,
    BALI_LAST_F,
    BALI_LAST_M,
    BALI_M,
    BATAK_F,
    BATAK_M,
    BATAK_MARGA,
    CHINESE_CLANS,
    CHINESE_GIVEN_F,
    CHINESE_GIVEN_M,
    CHINESE_SURNAMES,
    ISLAM_F,
    ISLAM_LAST_F,
    ISLAM_LAST_M,
    ISLAM_M,
    ISLAM_YOUNG_F,
    ISLAM_YOUNG_M,
    JAWA_FIRST_F,
    JAWA_FIRST_M,
    JAWA_LAST_F,
    JAWA_LAST_M,
    JAWA_OLD_F,
    JAWA_OLD_M,
    LAMPUNG_F,
    LAMPUNG_LAST_F,
    LAMPUNG_LAST_M,
    LAMPUNG_M,
    MODERN_FIRST_F,
    MODERN_FIRST_M,
    MODERN_LAST_F,
    MODERN_LAST_M,
    NUR_F,
    NUR_M,
    SUNDA_FIRST_F,
    SUNDA_FIRST_M,
    SUNDA_LAST_F,
    SUNDA_LAST_M,
)

# The generator's own vocabulary: a replacement drawn from the list a token came from looks like a
# name the DPT could hold (a surname for a surname), so an "absent" query differs in who it names,
# not in how plausible it is.

__all__ = [
    "ABSENT",
    "HELP_DESK_MODES",
    "KINDS",
    "MODES",
    "DptRow",
    "Mode",
    "NameParts",
    "Outcome",
    "Query",
    "QueryGenerator",
    "QuerySet",
    "RankedHit",
    "Report",
    "Searcher",
    "Tally",
    "failure_examples",
    "kind_table",
    "matcher_searcher",
    "prepare_trgm",
    "rapidfuzz_searcher",
    "read_dpt",
    "run_queries",
    "score",
    "summary_table",
    "trgm_searcher",
    "voter_ids_by_row",
]

Fold = Callable[[str], str]
Scope = Literal["kelurahan", "kabkota", "birth_date"]

ABSENT: Final = "absent"
# One transformation per query, so a weak spot shows up under its own name in the breakdown.
KINDS: Final = (
    "eyd",  # old/new spelling pairs: oe/u, dj/j, tj/c, j/y, sj/sy, nj/ny, ch/kh, both ways
    "given_form",  # Muhammad/Moch./M., Achmad/Ahmad/Akhmad, Abdul/Abd., Siti/Sitti/St.
    "letters",  # doubled letter, dropped h, f/p/v, z/j, q/k
    "typo",  # one substitution, deletion, insertion or transposition in one word of 3+ letters
    "title",  # the DPT's H./Drs./S.Pd. left out, or one added that the DPT lacks
    "order",  # words swapped (surname first)
    "dropped_middle",  # a middle word left out (names of 3+ words)
    "merge_split",  # NUR HAYATI <-> NURHAYATI
    "noise",  # lower or title case, extra spaces
)


# --- The DPT side ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DptRow:
    """One voter of dpt.csv; `source_row` is its file line (header = 1), as the importer numbers it."""

    source_row: int
    name: str
    birth_date: dt.date
    gender: str
    kelurahan: str


def read_dpt(path: Path) -> list[DptRow]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        return [
            DptRow(
                # line_num is the last physical line read: the record's own line, as no synthetic
                # field spans lines.
                source_row=reader.line_num,
                name=record["nama"],
                birth_date=dt.date.fromisoformat(parse_birth_date(record["tanggal_lahir"])),
                gender=record["jenis_kelamin"],
                kelurahan=kelurahan_code(record["kode_kelurahan"]),
            )
            for record in reader
        ]


async def voter_ids_by_row(conn: asyncpg.Connection | asyncpg.Pool, dataset_id: int) -> dict[int, str]:
    """source_row -> the voter_id the search answers with: the ground truth of every query."""
    records = await conn.fetch("select id, source_row from voter where dataset_id = $1", dataset_id)
    return {record["source_row"]: format(record["id"], "016x") for record in records}


# --- Names as the DPT prints them ------------------------------------------------------------------

_PREFIX_TITLES: Final = frozenset({"H.", "HJ.", "KH.", "DRS.", "DRA.", "IR.", "DR.", "R."})


@dataclass(frozen=True, slots=True)
class NameParts:
    """`DRS. H. BUDI SANTOSO, S.PD.` -> titles (DRS., H.), tokens (BUDI, SANTOSO), degree S.PD."""

    titles: tuple[str, ...]
    tokens: tuple[str, ...]
    degree: str

    @classmethod
    def parse(cls, name: str) -> NameParts:
        core, _, degree = name.partition(",")
        words = core.split()
        start = 0
        while start < len(words) - 1 and words[start] in _PREFIX_TITLES:
            start += 1
        return cls(tuple(words[:start]), tuple(words[start:]), degree.strip())

    @property
    def text(self) -> str:
        core = " ".join((*self.titles, *self.tokens))
        return f"{core}, {self.degree}" if self.degree else core

    def with_token(self, index: int, token: str) -> NameParts:
        return replace(self, tokens=(*self.tokens[:index], token, *self.tokens[index + 1 :]))


# --- Query kinds: each returns (query text, what was done) or None when it does not apply ---------

Variant = tuple[str, str]
_VOWELS: Final = frozenset("AEIOU")

# Old-spelling markers that cannot be modern: a name carrying one was registered before EYD (1972),
# so its J is a modern Y and its NJ a modern NY.
_OLD_MARKERS: Final = re.compile("OE|DJ|TJ|SJ")
_TO_NEW: Final = (
    ("oe>u", re.compile("OE"), "U"),
    ("dj>j", re.compile("DJ"), "J"),
    ("tj>c", re.compile("TJ"), "C"),
    ("sj>sy", re.compile("SJ"), "SY"),
    ("ch>kh", re.compile("CH(?!R)"), "KH"),  # not CHRISTINA: that CH was never KH
)
_TO_NEW_IN_OLD_NAMES: Final = (
    ("nj>ny", re.compile("NJ"), "NY"),
    ("j>y", re.compile("(?<![DNST])J"), "Y"),
)
_TO_OLD: Final = (
    ("u>oe", re.compile("U"), "OE"),
    ("j>dj", re.compile("(?<![DNS])J"), "DJ"),
    ("c>tj", re.compile("C(?!H)"), "TJ"),
    ("y>j", re.compile("(?<![NS])Y"), "J"),
    ("sy>sj", re.compile("SY"), "SJ"),
    ("ny>nj", re.compile("NY"), "NJ"),
    ("kh>ch", re.compile("KH"), "CH"),
)


def _eyd(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    old_name = _OLD_MARKERS.search(" ".join(parts.tokens)) is not None
    options: list[tuple[str, int, str]] = []
    for index, token in enumerate(parts.tokens):
        rules = [*_TO_NEW, *(_TO_NEW_IN_OLD_NAMES if old_name else ())]
        if _OLD_MARKERS.search(token) is None:
            rules += _TO_OLD  # converting a token that is already old would mix two spellings
        for rule, pattern, replacement in rules:
            changed = pattern.sub(replacement, token)
            if changed != token:
                options.append((rule, index, changed))
    if not options:
        return None
    rule, index, changed = rng.choice(options)
    return parts.with_token(index, changed).text, f"{rule} {parts.tokens[index]}->{changed}"


_GIVEN_FORMS: Final = (
    # Typed forms: the DPT prints the dotted abbreviations, people often leave the dot out.
    (
        "MUHAMMAD",
        "MUHAMAD",
        "MOHAMMAD",
        "MOHAMAD",
        "MOCHAMAD",
        "MOCHAMMAD",
        "MOCH.",
        "MOCH",
        "MOH.",
        "MOH",
        "MUH.",
        "MUH",
        "M.",
        "M",
    ),
    ("AHMAD", "ACHMAD", "AKHMAD"),
    ("ABDUL", "ABD.", "ABD"),
    ("SITI", "SITTI", "ST."),
)


def _given_form(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    options = [
        (index, form)
        for index, token in enumerate(parts.tokens)
        for forms in _GIVEN_FORMS
        if token in forms
        for form in forms
        if form != token
    ]
    if not options:
        return None
    index, form = rng.choice(options)
    return parts.with_token(index, form).text, f"{parts.tokens[index]}->{form}"


_LETTER_SWAPS: Final = (("f>p", "F", "P"), ("p>f", "P", "F"), ("v>f", "V", "F"), ("f>v", "F", "V"))
_LETTER_SWAPS_ONE_WAY: Final = (("z>j", "Z", "J"), ("q>k", "Q", "K"))


def _letter_options(token: str) -> dict[str, list[str]]:
    options: dict[str, list[str]] = {}
    last = len(token) - 1
    for pos, letter in enumerate(token):
        if pos and letter == token[pos - 1]:
            options.setdefault("undouble", []).append(token[:pos] + token[pos + 1 :])
        elif (
            pos > 0
            and letter not in _VOWELS
            and letter not in "HWY"
            and (pos == last or token[pos + 1] != letter)
        ):
            options.setdefault("double", []).append(token[:pos] + letter + token[pos:])
        # An h after a consonant (sholeh/soleh, dhani/dani) or at the end (fatimah/fatima).
        if letter == "H" and pos and len(token) > 3 and (token[pos - 1] not in _VOWELS or pos == last):
            options.setdefault("drop_h", []).append(token[:pos] + token[pos + 1 :])
        for rule, source, target in (*_LETTER_SWAPS, *_LETTER_SWAPS_ONE_WAY):
            if letter == source:
                options.setdefault(rule, []).append(token[:pos] + target + token[pos + 1 :])
    return options


def _letters(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    by_rule: dict[str, list[tuple[int, str]]] = {}
    for index, token in enumerate(parts.tokens):
        if token.isalpha() and len(token) >= 3:
            for rule, spellings in _letter_options(token).items():
                by_rule.setdefault(rule, []).extend((index, one) for one in spellings)
    if not by_rule:
        return None
    # Rule first, then place: otherwise "double" (possible almost anywhere) would crowd out the rest.
    rule = rng.choice(sorted(by_rule))
    index, changed = rng.choice(by_rule[rule])
    return parts.with_token(index, changed).text, f"{rule} {parts.tokens[index]}->{changed}"


def _typo(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    eligible = [index for index, token in enumerate(parts.tokens) if token.isalpha() and len(token) >= 3]
    if not eligible:
        return None
    index = rng.choice(eligible)
    token = parts.tokens[index]
    operation = rng.choice(("substitute", "delete", "insert", "transpose"))
    swappable = [pos for pos in range(len(token) - 1) if token[pos] != token[pos + 1]]
    if operation == "transpose" and swappable:
        pos = rng.choice(swappable)
        changed = token[:pos] + token[pos + 1] + token[pos] + token[pos + 2 :]
    elif operation == "delete":
        pos = rng.randrange(len(token))
        changed = token[:pos] + token[pos + 1 :]
    elif operation == "insert":
        pos = rng.randrange(len(token) + 1)
        changed = token[:pos] + rng.choice(string.ascii_uppercase) + token[pos:]
    else:
        operation = "substitute"
        pos = rng.randrange(len(token))
        letter = rng.choice([one for one in string.ascii_uppercase if one != token[pos]])
        changed = token[:pos] + letter + token[pos + 1 :]
    return parts.with_token(index, changed).text, f"{operation} {token}->{changed}"


_ADDED_DEGREES: Final = ("S.PD.", "S.E.", "S.H.", "A.MD.", "S.KOM.")


def _title(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    if parts.titles or parts.degree:
        dropped = ", ".join(filter(None, (" ".join(parts.titles), parts.degree)))
        return replace(parts, titles=(), degree="").text, f"dropped {dropped}"
    female = row.gender == "P"
    choice = rng.randrange(3)
    if choice == 0:
        title = "HJ." if female else "H."
        return replace(parts, titles=(title,)).text, f"added {title}"
    if choice == 1:
        title = rng.choice(("DRA." if female else "DRS.", "IR.", "DR."))
        return replace(parts, titles=(title,)).text, f"added {title}"
    degree = rng.choice(_ADDED_DEGREES)
    return replace(parts, degree=degree).text, f"added {degree}"


def _order(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    tokens = parts.tokens
    if len(tokens) < 2:
        return None
    # Surname first, as forms and some officers write it; for two words that is a plain swap.
    reordered = (tokens[-1], *tokens[:-1])
    if reordered == tokens:
        return None
    return replace(parts, tokens=reordered).text, "last word first"


def _dropped_middle(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    tokens = parts.tokens
    if len(tokens) < 3:
        return None
    index = rng.randrange(1, len(tokens) - 1)
    return replace(parts, tokens=tokens[:index] + tokens[index + 1 :]).text, f"dropped {tokens[index]}"


# Words that are written both joined and apart: NUR HAYATI / NURHAYATI, PERMATA SARI / PERMATASARI.
_HEADS: Final = ("ABDUL", "SITI", "NUR", "SRI", "DWI", "TRI", "EKA", "UMMI", "UMI", "AL")
# Only these come apart inside one word, and only before a real name: NUR|HAYATI, not ABDUL|LAH.
_SPLIT_HEADS: Final = ("ABDUL", "NUR", "SRI")
_MIN_SPLIT_REST: Final = 4
_TAILS: Final = ("NINGSIH", "NINGRUM", "WIJAYA", "PUTRA", "PUTRI", "SARI", "WATI", "DEWI", "SYAH", "JAYA")
_MIN_PART: Final = 3


def _merge_split(row: DptRow, parts: NameParts, rng: random.Random) -> Variant | None:
    tokens = parts.tokens
    options: list[tuple[tuple[str, ...], str]] = []
    for index in range(len(tokens) - 1):
        first, second = tokens[index], tokens[index + 1]
        if first.isalpha() and second.isalpha() and (first in _HEADS or second in _TAILS):
            merged = (*tokens[:index], first + second, *tokens[index + 2 :])
            options.append((merged, f"merged {first} {second}"))
    for index, token in enumerate(tokens):
        split = _split_point(token)
        if split:
            pieces = (token[:split], token[split:])
            options.append(((*tokens[:index], *pieces, *tokens[index + 1 :]), f"split {token}"))
    if not options:
        return None
    changed, detail = rng.choice(options)
    return replace(parts, tokens=changed).text, detail


def _split_point(token: str) -> int:
    for head in _SPLIT_HEADS:
        if token.startswith(head) and len(token) - len(head) >= _MIN_SPLIT_REST:
            return len(head)
    for tail in _TAILS:
        if token.endswith(tail) and len(token) - len(tail) >= _MIN_PART:
            return len(token) - len(tail)
    return 0


def _noise(row: DptRow, parts: NameParts, rng: random.Random) -> Variant:
    text = parts.text
    cased, case = (text.lower(), "lower") if rng.random() < 0.6 else (text.title(), "title")
    words = cased.split(" ")
    gaps = [" "] * (len(words) - 1)
    if gaps:
        gaps[rng.randrange(len(gaps))] = "  "
    spaced = words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))
    if rng.random() < 0.5:
        spaced = f" {spaced} "
    return spaced, f"{case} case, extra spaces"


_MAKERS: Final[dict[str, Callable[[DptRow, NameParts, random.Random], Variant | None]]] = {
    "eyd": _eyd,
    "given_form": _given_form,
    "letters": _letters,
    "typo": _typo,
    "title": _title,
    "order": _order,
    "dropped_middle": _dropped_middle,
    "merge_split": _merge_split,
    "noise": _noise,
}

# --- Replacement tokens for absent queries ---------------------------------------------------------

_WORD_LISTS: Final = (
    JAWA_OLD_M,
    JAWA_OLD_F,
    JAWA_FIRST_M,
    JAWA_LAST_M,
    JAWA_FIRST_F,
    JAWA_LAST_F,
    MODERN_FIRST_M,
    MODERN_LAST_M,
    MODERN_FIRST_F,
    MODERN_LAST_F,
    ISLAM_M,
    ISLAM_YOUNG_M,
    ISLAM_LAST_M,
    ABDUL_NAMES,
    NUR_M,
    ISLAM_F,
    ISLAM_YOUNG_F,
    ISLAM_LAST_F,
    NUR_F,
    LAMPUNG_M,
    LAMPUNG_LAST_M,
    LAMPUNG_F,
    LAMPUNG_LAST_F,
    BALI_M,
    BALI_F,
    BALI_LAST_M,
    BALI_LAST_F,
    BATAK_MARGA,
    BATAK_M,
    BATAK_F,
    CHINESE_CLANS,
    CHINESE_SURNAMES,
    CHINESE_GIVEN_M,
    CHINESE_GIVEN_F,
    SUNDA_FIRST_M,
    SUNDA_LAST_M,
    SUNDA_FIRST_F,
    SUNDA_LAST_F,
)
_MALE_GIVEN: Final = (*JAWA_OLD_M, *JAWA_FIRST_M, *MODERN_FIRST_M, *ISLAM_M, *BATAK_M, *SUNDA_FIRST_M)
_FEMALE_GIVEN: Final = (*JAWA_OLD_F, *JAWA_FIRST_F, *MODERN_FIRST_F, *ISLAM_F, *BATAK_F, *SUNDA_FIRST_F)


def _same_role_pools(lists: Iterable[tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """token -> every single-word token of the lists it appears in (its plausible replacements)."""
    pools: dict[str, set[str]] = {}
    for words in lists:
        single = {word for word in words if word.isalpha()}
        for word in single:
            pools.setdefault(word, set()).update(single)
    return {word: tuple(sorted(pool)) for word, pool in pools.items()}


_POOLS: Final = _same_role_pools(_WORD_LISTS)
_MIN_REPLACEMENT_DISTANCE: Final = 3  # beyond any typo or spelling variant: a different name


# --- Queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """One typed name. `target_row` is the voter it must find, None for a person not registered."""

    kind: str
    text: str
    detail: str
    target_row: int | None
    source_row: int  # the voter it was made from (the target, or the look-alike of an absent one)
    source_name: str
    kelurahan: str
    birth_date: dt.date


@dataclass(frozen=True, slots=True)
class QuerySet:
    present: list[Query]
    absent: list[Query]
    sampled: int  # distinct voters drawn as targets
    left_out: int  # of those, voters whose folded name someone else in the scope shares
    ambiguous: int  # queries dropped because another voter in the scope explains them as well

    @property
    def queries(self) -> list[Query]:
        return [*self.present, *self.absent]


@dataclass(slots=True)
class _Seen:
    """Book-keeping of one `build`: voters drawn, those left out, (voter, kind) pairs already used."""

    sampled: set[int] = field(default_factory=set)
    shared: set[int] = field(default_factory=set)
    used: set[tuple[int, str]] = field(default_factory=set)
    ambiguous: int = 0


def _joined(folded: str) -> str:
    return folded.replace(" ", "")


def _word_sorted(folded: str) -> str:
    return " ".join(sorted(folded.split()))


def _without_one_word(folded: str) -> set[str]:
    """Every name one word shorter. Any word, not just a middle one: "RATIH YULIANTI" is as much
    "AYU RATIH YULIANTI" as it is "RATIH YUNI YULIANTI"."""
    words = folded.split()
    if len(words) < 2:
        return set()
    return {" ".join(words[:i] + words[i + 1 :]) for i in range(len(words))}


@dataclass(slots=True)
class _ScopeIndex:
    """The folded names of one scope's groups (a kelurahan, a birth date, or the whole kab/kota),
    and the forms a label-preserving change makes of them: words sorted, joined up, a word dropped.
    A query that shares one of those forms with another voter is ambiguous."""

    word_sorted: Counter[tuple[object, str]] = field(default_factory=Counter)
    joined: Counter[tuple[object, str]] = field(default_factory=Counter)
    without_one_word: Counter[tuple[object, str]] = field(default_factory=Counter)
    joined_by_group: dict[object, tuple[list[str], list[int]]] = field(default_factory=dict)


class QueryGenerator:
    """Labelled queries over one kab/kota's voters, deterministic for a given seed.

    No matcher can tell two people with one name apart, so a target is only used when its folded
    name is unique in the mode's scope (its kelurahan, the kab/kota, or the kab/kota on its birth
    date), and a query is dropped when another voter of the scope explains it as well as the target
    does: the same folded name, or for a changed word order, a dropped middle word or a typo, the
    same kind of change applied to that other voter (for a dropped word, any word). Names are
    compared with their spaces taken out, since NUR HAYATI and NURHAYATI are one name written two
    ways (DOMAIN.md): fold_name keeps the space, so it alone would call them two people.

    An absent query folds to no voter's name in the kab/kota, and is none of those changes applied
    to any voter: were it one typo or one dropped word away from someone registered, a confident
    answer could be right.
    """

    def __init__(self, rows: Sequence[DptRow], *, fold: Fold) -> None:
        self._rows = list(rows)
        self._fold = fold
        self._parts = [NameParts.parse(row.name) for row in self._rows]
        self._folded = [fold(row.name) for row in self._rows]
        self._scopes: dict[Scope, _ScopeIndex] = {}
        city = self._index("kabkota")
        self._all_joined = [_joined(folded) for folded in self._folded]
        self._all_sorted = [_word_sorted(folded) for folded in self._folded]
        self._all_without_one_word = frozenset(key for _, key in city.without_one_word)

    @staticmethod
    def _group(scope: Scope, row: DptRow) -> object:
        if scope == "kelurahan":
            return row.kelurahan
        if scope == "birth_date":
            return row.birth_date
        return None

    def _index(self, scope: Scope) -> _ScopeIndex:
        index = self._scopes.get(scope)
        if index is None:
            index = self._scopes[scope] = _ScopeIndex()
            for position, (row, folded) in enumerate(zip(self._rows, self._folded, strict=True)):
                group = self._group(scope, row)
                index.word_sorted[group, _word_sorted(folded)] += 1
                index.joined[group, _joined(folded)] += 1
                for key in _without_one_word(folded):
                    index.without_one_word[group, key] += 1
                keys, positions = index.joined_by_group.setdefault(group, ([], []))
                keys.append(_joined(folded))
                positions.append(position)
        return index

    def build(
        self, *, present: int, absent: int, scope: Scope, seed: int | str, within: str | None = None
    ) -> QuerySet:
        """`present` labelled queries spread evenly over KINDS, `absent` look-alikes of strangers.

        `within` restricts targets (and look-alikes) to one kelurahan.
        """
        rng = random.Random(f"{seed}:{scope}:{within}")
        candidates = [i for i, row in enumerate(self._rows) if within is None or row.kelurahan == within]
        if not candidates:
            raise ValueError(f"no voters in {within}")
        # Voters a kind is really about (titled ones for "title", old spellings for "eyd") are a
        # few percent of the DPT; half of those queries are drawn from them so both directions count.
        focus = {
            "title": [i for i in candidates if self._parts[i].titles or self._parts[i].degree],
            "eyd": [i for i in candidates if _OLD_MARKERS.search(self._rows[i].name)],
        }
        seen = _Seen()
        made: list[Query] = []
        for slot in range(present):
            kinds = [KINDS[slot % len(KINDS)], *rng.sample(KINDS, len(KINDS))]
            for kind in kinds:
                focused = focus.get(kind)
                pool = focused if focused and rng.random() < 0.5 else candidates
                query = self._present_one(kind, pool=pool, scope=scope, rng=rng, seen=seen)
                if query is not None:
                    made.append(query)
                    break
        strangers = [self._absent_one(candidates, rng) for _ in range(absent)]
        rng.shuffle(made)
        return QuerySet(
            present=made,
            absent=[query for query in strangers if query is not None],
            sampled=len(seen.sampled),
            left_out=len(seen.shared),
            ambiguous=seen.ambiguous,
        )

    def _present_one(
        self, kind: str, *, pool: list[int], scope: Scope, rng: random.Random, seen: _Seen
    ) -> Query | None:
        index = self._index(scope)
        for _ in range(400):
            position = rng.choice(pool)
            if (position, kind) in seen.used:
                continue
            row, folded = self._rows[position], self._folded[position]
            seen.sampled.add(position)
            if index.joined[self._group(scope, row), _joined(folded)] > 1:
                seen.shared.add(position)
                continue
            variant = _MAKERS[kind](row, self._parts[position], rng)
            if variant is None or variant[0] == row.name:
                continue
            if self._explained_by_another(kind, position, self._fold(variant[0]), scope):
                seen.ambiguous += 1
                continue
            seen.used.add((position, kind))
            return Query(
                kind, variant[0], variant[1], row.source_row, row.source_row, row.name, row.kelurahan,
                row.birth_date,
            )  # fmt: skip
        return None

    def _explained_by_another(self, kind: str, position: int, query: str, scope: Scope) -> bool:
        """Whether a voter other than the target gives this query by the same kind of change."""
        index = self._index(scope)
        group = self._group(scope, self._rows[position])
        target = self._folded[position]
        key = _joined(query)
        if index.joined[group, key] - (key == _joined(target)) > 0:
            return True  # someone else's name, give or take the spaces
        if kind == "order":
            key = _word_sorted(query)
            return index.word_sorted[group, key] - (key == _word_sorted(target)) > 0
        if kind == "dropped_middle":
            return index.without_one_word[group, query] - (query in _without_one_word(target)) > 0
        if kind == "typo":
            keys, positions = index.joined_by_group[group]
            near = process.extract(
                _joined(query), keys, scorer=Levenshtein.distance, score_cutoff=1, limit=None
            )
            return any(positions[found] != position for _, _, found in near)
        return False

    def _absent_one(self, candidates: list[int], rng: random.Random) -> Query | None:
        for _ in range(400):
            position = rng.choice(candidates)
            row, parts = self._rows[position], self._parts[position]
            replaceable = [
                i for i, token in enumerate(parts.tokens) if token.isalpha() and len(token) >= _MIN_PART
            ]
            if not replaceable:
                continue
            at = rng.choice(replaceable)
            original = parts.tokens[at]
            pool = _POOLS.get(original)
            if pool is None and len(parts.tokens) == 1:
                pool = _FEMALE_GIVEN if row.gender == "P" else _MALE_GIVEN
            if pool is None:
                continue  # an old spelling or a birth-order name: no list says what could replace it
            folded_original = self._fold(original)
            choices = [
                word
                for word in pool
                if word not in parts.tokens
                and Levenshtein.distance(word, original) >= _MIN_REPLACEMENT_DISTANCE
                and Levenshtein.distance(self._fold(word), folded_original) >= _MIN_REPLACEMENT_DISTANCE
            ]
            if not choices:
                continue
            word = rng.choice(choices)
            text = parts.with_token(at, word).text
            if self._near_registered(self._fold(text)):
                continue
            return Query(
                ABSENT, text, f"{original}->{word}", None, row.source_row, row.name, row.kelurahan,
                row.birth_date,
            )  # fmt: skip
        return None

    def _near_registered(self, folded: str) -> bool:
        if folded in self._all_without_one_word:
            return True
        return (
            process.extractOne(_joined(folded), self._all_joined, scorer=Levenshtein.distance, score_cutoff=1)
            is not None
            or process.extractOne(
                _word_sorted(folded), self._all_sorted, scorer=Levenshtein.distance, score_cutoff=1
            )
            is not None
        )


# --- Modes and searchers ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mode:
    name: str
    label: str
    scope: Scope
    with_birth_date: bool
    limit: int
    masked: bool
    whole_kabkota: bool  # region is the kab/kota; otherwise the query's own kelurahan


MODES: Final = (
    Mode("kelurahan", "help desk, one kelurahan", "kelurahan", False, 20, False, False),
    Mode("kabkota", "help desk, whole kab/kota", "kabkota", False, 20, False, True),
    Mode("public", "public, with birth date", "birth_date", True, 5, True, True),
)
HELP_DESK_MODES: Final = MODES[:2]


@dataclass(frozen=True, slots=True)
class RankedHit:
    source_row: int | None  # None: an id the ground truth does not know (must never happen)
    name: str
    score: float
    confident: bool | None  # None: the method has no notion of confidence (baselines)


@dataclass(frozen=True, slots=True)
class Outcome:
    query: Query
    hits: tuple[RankedHit, ...]
    seconds: float

    @property
    def first_is_target(self) -> bool:
        return bool(self.hits) and self.hits[0].source_row == self.query.target_row

    @property
    def in_top5(self) -> bool:
        return any(hit.source_row == self.query.target_row for hit in self.hits[:5])

    @property
    def any_confident(self) -> bool:
        return any(hit.confident for hit in self.hits)


Searcher = Callable[[Query, str, Mode], Awaitable[list[RankedHit]]]


class MatcherHit(Protocol):
    @property
    def voter_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def confident(self) -> bool: ...


class NameSearchLike(Protocol):
    """service.search.engine.NameSearch, by shape: this module must not need the service to import."""

    async def search(
        self,
        dataset_id: int,
        *,
        name: str,
        region: str,
        birth_date: dt.date | None,
        limit: int,
        masked: bool,
    ) -> Sequence[MatcherHit]: ...


def matcher_searcher(search: NameSearchLike, dataset_id: int, ids_by_row: Mapping[int, str]) -> Searcher:
    rows_by_id = {voter_id: row for row, voter_id in ids_by_row.items()}

    async def run(query: Query, region: str, mode: Mode) -> list[RankedHit]:
        hits = await search.search(
            dataset_id,
            name=query.text,
            region=region,
            birth_date=query.birth_date if mode.with_birth_date else None,
            limit=mode.limit,
            masked=mode.masked,
        )
        return [RankedHit(rows_by_id.get(hit.voter_id), hit.name, hit.score, hit.confident) for hit in hits]

    return run


async def run_queries(
    searcher: Searcher, mode: Mode, queries: Sequence[Query], *, kabkota: str, concurrency: int = 4
) -> list[Outcome]:
    """Every query through `searcher`, a few at a time (as help-desk traffic arrives), in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(query: Query) -> Outcome:
        region = kabkota if mode.whole_kabkota else query.kelurahan
        async with gate:
            started = time.perf_counter()
            hits = await searcher(query, region, mode)
            return Outcome(query, tuple(hits), time.perf_counter() - started)

    return list(await asyncio.gather(*(one(query) for query in queries)))


# --- Baselines (help-desk modes only: neither knows birth dates or masking) -------------------------

_TRGM_TABLE_SQL: Final = (
    "drop table if exists eval_trgm_name",
    "create table eval_trgm_name (source_row integer, kelurahan_code text, name text)",
)
_TRGM_FILL_SQL: Final = (
    "insert into eval_trgm_name select source_row, kelurahan_code, name from voter where dataset_id = $1"
)
_TRGM_INDEX_SQL: Final = (
    "create index eval_trgm_name_gist on eval_trgm_name using gist (name gist_trgm_ops)",
    "analyze eval_trgm_name",
)
# `<->` is trigram distance (1 - similarity); the GiST index answers it as a nearest-neighbour scan.
_TRGM_SEARCH_SQL: Final = """
    select source_row, name, 1 - (name <-> $1) as similarity
    from eval_trgm_name
    where kelurahan_code like $2
    order by name <-> $1
    limit 5
"""


async def prepare_trgm(conn: asyncpg.Connection, dataset_id: int) -> str | None:
    """Scratch table with a trigram GiST index on the dataset's names; a reason when impossible."""
    available = await conn.fetchval("select count(*) from pg_available_extensions where name = 'pg_trgm'")
    if not available:
        return "pg_trgm is not installed on this PostgreSQL server (Debian: postgresql-contrib)"
    try:
        await conn.execute("create extension if not exists pg_trgm")
    except asyncpg.PostgresError as error:
        return f"cannot create extension pg_trgm: {error}"
    for statement in _TRGM_TABLE_SQL:
        await conn.execute(statement)
    await conn.execute(_TRGM_FILL_SQL, dataset_id)
    for statement in _TRGM_INDEX_SQL:
        await conn.execute(statement)
    return None


def trgm_searcher(pool: asyncpg.Pool) -> Searcher:
    async def run(query: Query, region: str, mode: Mode) -> list[RankedHit]:
        # Region codes nest by prefix: 18.72 covers 18.72.01.1001.
        pattern = region if len(region) == len("18.72.01.1001") else f"{region}.%"
        records = await pool.fetch(_TRGM_SEARCH_SQL, query.text, pattern)
        return [RankedHit(r["source_row"], r["name"], float(r["similarity"]), None) for r in records]

    return run


def rapidfuzz_searcher(rows: Sequence[DptRow]) -> Searcher:
    """WRatio over the raw names as stored (uppercase), the way a quick script would do it."""
    by_region: dict[str, tuple[list[str], list[int]]] = {}
    for row in rows:
        for region in (row.kelurahan, row.kelurahan[:5]):
            names, numbers = by_region.setdefault(region, ([], []))
            names.append(row.name)
            numbers.append(row.source_row)

    async def run(query: Query, region: str, mode: Mode) -> list[RankedHit]:
        names, numbers = by_region.get(region, ([], []))
        found = process.extract(query.text, names, scorer=fuzz.WRatio, limit=5)
        return [RankedHit(numbers[index], name, score / 100, None) for name, score, index in found]

    return run


# --- Scores ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    present: int = 0
    first: int = 0  # right at rank 1 (and confident, when the method has confidence)
    top5: int = 0
    absent: int = 0
    false_confident: int = 0

    def add(self, outcome: Outcome, *, has_confidence: bool) -> None:
        if outcome.query.target_row is None:
            self.absent += 1
            self.false_confident += outcome.any_confident
            return
        self.present += 1
        first = outcome.first_is_target and (outcome.hits[0].confident or not has_confidence)
        self.first += first
        self.top5 += outcome.in_top5

    @property
    def recall_at_1(self) -> float | None:
        return self.first / self.present if self.present else None

    @property
    def recall_at_5(self) -> float | None:
        return self.top5 / self.present if self.present else None

    @property
    def false_confident_rate(self) -> float | None:
        return self.false_confident / self.absent if self.absent else None


@dataclass(slots=True)
class Report:
    mode: Mode
    method: str
    has_confidence: bool
    query_set: QuerySet
    outcomes: list[Outcome]
    overall: Tally = field(default_factory=Tally)
    by_kind: dict[str, Tally] = field(default_factory=dict)

    @property
    def mean_ms(self) -> float:
        return 1000 * sum(o.seconds for o in self.outcomes) / max(len(self.outcomes), 1)

    def misses(self) -> list[Outcome]:
        """Present queries not confidently right at rank 1, absent ones answered with confidence."""
        wrong: list[Outcome] = []
        for outcome in self.outcomes:
            if outcome.query.target_row is None:
                if outcome.any_confident:
                    wrong.append(outcome)
            elif not (outcome.first_is_target and outcome.hits[0].confident):
                wrong.append(outcome)
        return wrong


def score(
    mode: Mode, method: str, query_set: QuerySet, outcomes: list[Outcome], *, has_confidence: bool = True
) -> Report:
    report = Report(mode, method, has_confidence, query_set, outcomes)
    for outcome in outcomes:
        report.overall.add(outcome, has_confidence=has_confidence)
        kind = report.by_kind.setdefault(outcome.query.kind, Tally())
        kind.add(outcome, has_confidence=has_confidence)
    return report


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_table(reports: Sequence[Report]) -> str:
    lines = [
        "| mode | method | present / absent | left out: shared / ambiguous | recall@1 | recall@5 "
        "| false-confident | ms/query |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for report in reports:
        tally, query_set = report.overall, report.query_set
        first = _rate(tally.recall_at_1) + ("" if report.has_confidence else " (no confidence)")
        false_confident = _rate(tally.false_confident_rate) if report.has_confidence else "n/a"
        lines.append(
            f"| {report.mode.label} | {report.method} | {tally.present} / {tally.absent} | "
            f"{query_set.left_out} of {query_set.sampled} / {query_set.ambiguous} | {first} | "
            f"{_rate(tally.recall_at_5)} | "
            f"{false_confident} | {report.mean_ms:.1f} |"
        )
    return "\n".join(lines)


def kind_table(reports: Sequence[Report]) -> str:
    """recall@1 / recall@5 per query kind (false-confident for `absent`), one column per report."""
    header = "| kind | " + " | ".join(f"{r.mode.name} {r.method}" for r in reports) + " |"
    lines = [header, "|---|" + "---:|" * len(reports)]
    for kind in (*KINDS, ABSENT):
        cells = []
        for report in reports:
            tally = report.by_kind.get(kind)
            if tally is None:
                cells.append("–")
            elif kind == ABSENT:
                fc = _rate(tally.false_confident_rate) if report.has_confidence else "n/a"
                cells.append(f"FC {fc} (n={tally.absent})")
            else:
                r1, r5 = _rate(tally.recall_at_1), _rate(tally.recall_at_5)
                cells.append(f"{r1} / {r5} (n={tally.present})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def failure_examples(report: Report, names_by_row: Mapping[int, str], limit: int = 8) -> str:
    """The first misses of each kind, round-robin, with the top hits under their DPT names."""
    by_kind: dict[str, list[Outcome]] = {}
    for outcome in report.misses():
        by_kind.setdefault(outcome.query.kind, []).append(outcome)
    picked: list[Outcome] = []
    while len(picked) < limit and any(by_kind.values()):
        for misses in by_kind.values():
            if misses and len(picked) < limit:
                picked.append(misses.pop(0))
    lines = []
    for outcome in picked:
        query = outcome.query
        target = "NOT REGISTERED" if query.target_row is None else query.source_name
        lines.append(
            f"- [{report.mode.name}/{query.kind}: {query.detail}] query {query.text!r} "
            f"target {target!r} (kelurahan {query.kelurahan}, born {query.birth_date})"
        )
        for rank, hit in enumerate(outcome.hits[:3], start=1):
            name = names_by_row.get(hit.source_row, hit.name) if hit.source_row is not None else hit.name
            mark = " <- target" if hit.source_row == query.target_row else ""
            lines.append(f"    {rank}. {name!r} score {hit.score:.3f} confident {hit.confident}{mark}")
        if not outcome.hits:
            lines.append("    (no hits)")
    return "\n".join(lines)
