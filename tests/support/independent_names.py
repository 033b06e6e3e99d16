"""A name-search evaluation set the matcher was not tuned on (issue 13).

Names come from Faker's `id_ID` person provider (its given names, family names, titles and
degrees) plus a short list of Arabic-derived names as Javanese and Sundanese families write
them, never from `service/synth`'s name lists; synth only lays out the places, NIKs and birth
dates, and every `nama` is then replaced. Queries carry one to three variations drawn from every
kind people really type (a typo in any word, short ones too; vernacular renderings; phonetic
spellings; merged words; old spellings; abbreviations; titles; order; a dropped word; case), by
operators written here, not the ones the matcher was tuned on (tests/support/name_eval.py).
Targets are only voters whose name is unique in the query's scope, and a query that another
voter of the scope is at least as close to (by plain edit distance) is dropped. Absent people
are a voter's name with one word changed by one letter into another real name word (PRASETYA ->
PRASETYO): a different person, not a spelling of the same name.

Voters are split in two by a hash of their file line: `calibration` targets and look-alikes come
from one half, `held_out` from the other, with their own random streams.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
import string
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from faker.providers.person.id_ID import Provider as IndonesianNames
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from service.synth import write_synthetic_dpt
from tests.support.name_eval import ABSENT, DptRow, Query, QuerySet, Scope
from tests.support.name_variations import (
    APPLY_ORDER,
    ARABIC_F,
    ARABIC_M,
    CHANGES,
    KIND_WEIGHTS,
    KINDS,
    PREFIX_F,
    PREFIX_M,
    SUFFIXES,
    TITLES,
    Words,
    core_words,
)

Split = Literal["calibration", "held_out"]


def _upper(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({w.upper() for w in words if w.isalpha() and len(w) > 1}))


GIVEN_M: Final = _upper(IndonesianNames.first_names_male)
GIVEN_F: Final = _upper(IndonesianNames.first_names_female)
FAMILY_M: Final = _upper(IndonesianNames.last_names_male)
FAMILY_F: Final = _upper(IndonesianNames.last_names_female)
VOCABULARY: Final = frozenset({*GIVEN_M, *GIVEN_F, *FAMILY_M, *FAMILY_F, *ARABIC_M, *ARABIC_F})


def _compose(gender: str, rng: random.Random) -> str:
    female = gender == "P"
    given, family, arabic = (GIVEN_F, FAMILY_F, ARABIC_F) if female else (GIVEN_M, FAMILY_M, ARABIC_M)
    shape = rng.random()
    if shape < 0.12:
        words = [rng.choice(given)]
    elif shape < 0.5:
        words = [rng.choice(given), rng.choice(family)]
    elif shape < 0.72:
        words = [rng.choice(given), rng.choice(given), rng.choice(family)]
    elif shape < 0.9:
        words = [rng.choice(arabic), rng.choice(given + arabic), rng.choice(family)]
    else:
        words = [rng.choice(arabic), rng.choice(arabic)]
    if rng.random() < 0.2:  # an Arabic-derived word anywhere
        words[rng.randrange(len(words))] = rng.choice(arabic)
    name = " ".join(words)
    if rng.random() < 0.05:
        name = f"{rng.choice(PREFIX_F if female else PREFIX_M)} {name}"
    if rng.random() < 0.05:
        name = f"{name}, {rng.choice(SUFFIXES)}"
    return name


def write_independent_dpt(folder: Path, *, voters: int, seed: int, kabkota: str = "18.72") -> Path:
    """dpt.csv and tps.csv for `kabkota`: synth's places, NIKs and dates, Faker-sourced names."""
    done = folder / "dpt.csv"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / "draft"
    write_synthetic_dpt(draft, kabkota=kabkota, voters=voters, seed=seed)
    rng = random.Random(f"independent-names:{seed}")
    with (draft / "dpt.csv").open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        fields = list(reader.fieldnames or [])
        rows = [{**row, "nama": _compose(row["jenis_kelamin"], rng)} for row in reader]
    partial = folder / "dpt.csv.partial"
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (draft / "tps.csv").replace(folder / "tps.csv")
    (draft / "dpt.csv").unlink()
    draft.rmdir()
    partial.replace(done)
    return folder


def _joined(words: Sequence[str]) -> str:
    """The words run together, each in its same-name spelling (ZAENAL and ZAINAL are one name)."""
    return "".join(_same_key(word.upper().replace(".", "")) for word in words)


def _sorted(words: Sequence[str]) -> str:
    return "".join(sorted(_same_key(word.upper().replace(".", "")) for word in words))


def _distance(query: Sequence[str], name: tuple[str, str]) -> int:
    joined, by_word = name
    return min(Levenshtein.distance(_joined(query), joined), Levenshtein.distance(_sorted(query), by_word))


def in_split(row: DptRow, split: Split) -> bool:
    digest = hashlib.blake2b(f"split:{row.source_row}".encode(), digest_size=2).digest()
    return (digest[0] % 2 == 0) == (split == "calibration")


@dataclass
class _Scope:
    names: list[str]  # joined words of every voter of one group
    by_word: list[str]  # the same, words sorted
    positions: list[int]


class IndependentQueries:
    """Labelled queries over one kab/kota, deterministic for a (split, scope, seed)."""

    def __init__(self, rows: Sequence[DptRow]) -> None:
        self.rows = list(rows)
        self.cores = [core_words(row.name) for row in self.rows]
        # Real name words: those the DPT itself holds (a look-alike names a word people carry).
        self.vocabulary = {word for core in self.cores for word in core if word.isalpha()}
        self._all_names = {_joined(core) for core in self.cores} | {_sorted(core) for core in self.cores}
        self._scopes: dict[tuple[Scope, object], _Scope] = {}
        self._counts: dict[tuple[Scope, object, str], int] = defaultdict(int)
        for position, core in enumerate(self.cores):
            for scope in ("kelurahan", "kabkota", "birth_date"):
                group = self._group(scope, self.rows[position])
                found = self._scopes.setdefault((scope, group), _Scope([], [], []))
                found.names.append(_joined(core))
                found.by_word.append(_sorted(core))
                found.positions.append(position)
                self._counts[scope, group, _sorted(core)] += 1

    @staticmethod
    def _group(scope: Scope, row: DptRow) -> object:
        return row.kelurahan if scope == "kelurahan" else row.birth_date if scope == "birth_date" else None

    def build(
        self, *, split: Split, present: int, absent: int, scope: Scope, seed: int, within: str | None = None
    ) -> QuerySet:
        rng = random.Random(f"independent:{split}:{scope}:{seed}:{within}")
        pool = [
            i
            for i, row in enumerate(self.rows)
            if in_split(row, split) and (within is None or row.kelurahan == within)
        ]
        made: list[Query] = []
        sampled: set[int] = set()
        shared = ambiguous = 0
        while len(made) < present and len(sampled) < len(pool):
            position = rng.choice(pool)
            if position in sampled:
                continue
            sampled.add(position)
            row, core = self.rows[position], self.cores[position]
            group = self._group(scope, row)
            if self._counts[scope, group, _sorted(core)] > 1:
                shared += 1
                continue
            query = self._vary(position, rng)
            if query is None:
                continue
            words, kinds, details = query
            if self._ambiguous(words, position, scope, group):
                ambiguous += 1
                continue
            made.append(
                Query("+".join(kinds), " ".join(words), "; ".join(details), row.source_row,
                      row.source_row, row.name, row.kelurahan, row.birth_date)
            )  # fmt: skip
        strangers = [self._absent(pool, rng) for _ in range(absent)]
        return QuerySet(
            present=made,
            absent=[one for one in strangers if one is not None],
            sampled=len(sampled),
            left_out=shared,
            ambiguous=ambiguous,
        )

    def _vary(self, position: int, rng: random.Random) -> tuple[Words, list[str], list[str]] | None:
        row, words = self.rows[position], list(self.cores[position])
        wanted = rng.choices((1, 2, 3), weights=(5, 3, 2))[0]
        drawn: set[str] = set()
        while len(drawn) < wanted:
            drawn.add(rng.choices(KINDS, weights=KIND_WEIGHTS)[0])
        kinds: list[str] = []
        details: list[str] = []
        for kind in (kind for kind in APPLY_ORDER if kind in drawn):
            changed = CHANGES[kind](words, rng, row.gender)
            if changed is None or [w.upper() for w in changed[0]] == [w.upper() for w in words]:
                continue
            words = changed[0]
            kinds.append(kind)
            details.append(changed[1])
        return (words, kinds, details) if kinds else None

    def _ambiguous(self, words: Words, position: int, scope: Scope, group: object) -> bool:
        found = self._scopes[scope, group]
        core = [w for w in words if w.upper() not in TITLES]
        target = _distance(core, (_joined(self.cores[position]), _sorted(self.cores[position])))
        for names in (found.names, found.by_word):
            query = _joined(core) if names is found.names else _sorted(core)
            near = process.extract(query, names, scorer=Levenshtein.distance, score_cutoff=target, limit=8)
            if any(found.positions[index] != position for _, _, index in near):
                return True
        return False

    def _absent(self, pool: list[int], rng: random.Random) -> Query | None:
        for _ in range(200):
            position = rng.choice(pool)
            row, core = self.rows[position], list(self.cores[position])
            at = rng.randrange(len(core))
            word = core[at]
            if len(word) < 4:
                continue
            others = [
                other
                for other in _one_letter_neighbours(word)
                if other in self.vocabulary and not _same_name(other, word)
            ]
            if not others:
                continue
            other = rng.choice(sorted(others))
            changed = [*core[:at], other, *core[at + 1 :]]
            if _joined(changed) in self._all_names or _sorted(changed) in self._all_names:
                continue
            if rng.random() < 0.2:
                changed = [rng.choice(PREFIX_F if row.gender == "P" else PREFIX_M), *changed]
            return Query(ABSENT, " ".join(changed), f"{word}->{other}", None, row.source_row,
                         row.name, row.kelurahan, row.birth_date)  # fmt: skip
        return None


def _one_letter_neighbours(word: str) -> set[str]:
    letters = string.ascii_uppercase
    found = {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}
    found |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    found |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    found.discard(word)
    return found


# Two spellings of one name are not two people: the look-alike must differ by more than these.
_SAME_NAME_RULES: Final = (
    ("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("KH", "H"), ("SY", "S"), ("TS", "S"), ("DZ", "Z"),
    ("TH", "T"), ("Z", "J"), ("Y", "J"), ("F", "P"), ("V", "P"), ("Q", "K"), ("AE", "E"), ("AI", "E"),
)  # fmt: skip


def _same_key(word: str) -> str:
    key = word
    for old, new in _SAME_NAME_RULES:
        key = key.replace(old, new)
    key = re.sub(r"(.)\1+", r"\1", key)
    key = re.sub(r"^([^AEIOU]+)O(?=[HL])", r"\1A", key)  # RAHMAN/ROHMAN, SALEH/SOLEH
    key = re.sub(r"(?<=[^AEIOU])H|H$", "", key)
    return re.sub(r"D$", "T", re.sub(r"B$", "P", key))


def _same_name(first: str, second: str) -> bool:
    return _same_key(first) == _same_key(second)
