"""One person under two NIKs, or one NIK under two people: how alike two voters' names are.

Duplicate persons are looked for the way Bawaslu did in 2019 (the same birth date within one
kab/kota), but the names are compared with the search's own name matcher (service/names/), so
spelling variants (Djoko/Joko, Moch./Muhammad, a typo, a title, merged words) count as the same
name, not only identical ones. Inside a block, rapidfuzz's C prefilter on the folded names (as
words in any order, and as one string) keeps the pairs worth scoring; the matcher then scores
each kept pair both ways (a name is not always the query), and the mean is the pair's likeness.

SAME_PERSON_SCORE was chosen on planted duplicates (the generator of tests/servers/test_quality.py,
20,000 synthetic voters of Kota Metro, 200 second registrations with one or two variants each).
With the matcher of 1 December 2026: 194 true pairs scored 92 to 100, 3 scored 84 to 87 and 3
below 50 (a title glued to a merged name); of the 10,786 pairs of different people sharing a birth
date and a kab/kota, the highest scored 76 (SRI SUPRIYATI / SRI SUPRAPTI, S.PD.) and the next 65.
An earlier matcher put true pairs at 92+ and that negative at 79, so 85 was taken: above every
different-person pair seen with either, at the cost of the few variants that score 84. Recall
0.98 and precision 1.0 now (the test asserts >= 0.95 and >= 0.9); the matcher is still being
improved (service/names/), so re-run the test's sweep when it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from service.names.masking import mask_name
from service.names.normalise import Words, words_of
from service.names.scoring import TokenWeights, match_name
from service.quality.findings import Finding

SAME_PERSON_SCORE = 85.0
# Folded names less alike than this (rapidfuzz ratio, 0..100, of the sorted words or of the whole
# string) are not scored at all. Measured on 2,000 planted variants: every pair the matcher puts
# at 85 or more is at 72 or more here.
_PREFILTER = 70.0


def likeness(first: Words, second: Words, weights: TokenWeights) -> float:
    """0..100, symmetric: the mean of the matcher's score each way. When one way is too low for
    the mean to reach SAME_PERSON_SCORE, that way alone is returned (halved work, same verdict)."""
    forward = match_name(first, second, weights).score
    if forward < 2 * SAME_PERSON_SCORE - 100:
        return forward
    return (forward + match_name(second, first, weights).score) / 2


def nik_duplicate_finding(row: Any, weights: TokenWeights) -> Finding:
    """The finding of a row whose NIK an earlier row already has (a `dedupe-voter-partition` row)."""
    score = likeness(words_of(row["name"]), words_of(row["first_name"]), weights)
    kind = "nik_duplicate_same_name" if score >= SAME_PERSON_SCORE else "nik_duplicate_other_name"
    return Finding(
        row["source_row"],
        kind,
        row["first_row"],
        row["first_kelurahan_code"],
        row["first_tps_number"],
        mask_name(row["name"]),
        round(score, 1),
        mask_name(row["first_name"]),
    )


class Person(NamedTuple):
    """A voter as the duplicate search sees them: the file line and what the names need."""

    line: int
    name: str
    name_key: str  # folded words (service/names/normalise.py, stored at import)
    kelurahan_code: str
    tps_number: int


class Block(NamedTuple):
    """The voters of one birth date in one kab/kota, column by column (a `quality-birth-blocks` row)."""

    lines: list[int]
    names: list[str]
    name_keys: list[str]
    kelurahan_codes: list[str]
    tps_numbers: list[int]

    def persons(self) -> list[Person]:
        return [Person(*columns) for columns in zip(*self, strict=True)]


class SuspectedPair(NamedTuple):
    first: Person
    second: Person
    score: float


_weights: TokenWeights | None = None  # a matcher process's, set by start_matcher


def start_matcher(weights: TokenWeights) -> None:
    """The initializer of a matcher process (the report runs blocks in a pool of them)."""
    global _weights  # noqa: PLW0603 - one per process, set once before any block
    _weights = weights


def pairs_in_blocks(blocks: list[Block]) -> list[SuspectedPair]:
    """Every pair of these blocks found to be one person, in a matcher process."""
    assert _weights is not None, "start_matcher was not called in this process"
    return [pair for block in blocks for pair in pairs_in_block(block.persons(), _weights)]


def pairs_in_block(block: list[Person], weights: TokenWeights) -> Iterator[SuspectedPair]:
    """Pairs of one block (same birth date, same kab/kota) the matcher finds to be one person."""
    if len(block) < 2:
        return
    # Folded words in sorted order (word order aside) and as one string (merged or split words).
    ordered = [" ".join(sorted(person.name_key.split())) for person in block]
    compact = [person.name_key.replace(" ", "") for person in block]
    words: dict[int, Words] = {}
    for i in range(len(block) - 1):
        offsets = {
            offset
            for these in (ordered, compact)
            for _key, _similarity, offset in process.extract(
                these[i], these[i + 1 :], scorer=fuzz.ratio, score_cutoff=_PREFILTER, limit=None
            )
        }
        for offset in sorted(offsets):
            j = i + 1 + offset
            first = words.get(i) or words.setdefault(i, words_of(block[i].name))
            second = words.get(j) or words.setdefault(j, words_of(block[j].name))
            score = likeness(first, second, weights)
            if score >= SAME_PERSON_SCORE:
                yield SuspectedPair(block[i], block[j], round(score, 1))
