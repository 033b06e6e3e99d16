"""The folded name words of one dataset, and each typed word corrected against them.

A typo in a short word (WIDA for WINDA) breaks both its first-three and last-three blocking keys;
corrected against the dataset's own words first (SymSpell's idea, with rapidfuzz doing the
distance at C speed over the words of about the same length), the word brings back the keys of
the words it may stand for. A merged name (SITIPANJAITAN) is split where both halves are words.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.names.normalise import Words, fold_token, fold_word, token_keys

CORRECTIONS = 5  # at most this many words a typed word may stand for (closest, then most common)
_KNOWN_CORRECTIONS = 3  # the same for a typed word that is itself a word of the dataset
_LONG = 7  # from this length a typed word may be two slips away from its word
_FOLDED_TWICE = 4  # from this length a typed word with nothing one slip away is looked up two away
_MIN_PIECE = 2  # a merged name splits into words of at least this many letters


class Vocabulary:
    """Words of one dataset with how many voters carry each; built once per dataset and worker."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = dict(counts)
        by_length: dict[int, list[str]] = {}
        for word in self.counts:
            by_length.setdefault(len(word), []).append(word)
        self._by_length = by_length
        self.near = lru_cache(maxsize=50_000)(self._near)

    def __len__(self) -> int:
        return len(self.counts)

    def _within(self, word: str, slips: int) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for length in range(len(word) - slips, len(word) + slips + 1):
            choices = self._by_length.get(length)
            if not choices:
                continue
            for choice, distance, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=slips, limit=None
            ):
                found.append((int(distance), choice))
        return found

    def _near(self, word: str) -> tuple[str, ...]:
        """The dataset's words this typed (folded) word may stand for: itself when it is one, and
        those one slip away (two for long words); a word of one or two letters stands for itself."""
        if len(word) <= 2:
            return (word,) if word in self.counts else ()
        found = self._within(word, 2 if len(word) >= _LONG else 1)
        if not found and len(word) >= _FOLDED_TWICE:
            # Folding can turn one slip into two (UWIAS/UWAIS fold to uias/ues): look further
            # only when nothing is one slip away.
            found = self._within(word, 2)
        found.sort(key=lambda pair: (pair[0], -self.counts[pair[1]], pair[1]))
        # A typed word the dataset knows is most likely itself: fewer others to ask for.
        kept = _KNOWN_CORRECTIONS if word in self.counts else CORRECTIONS
        return tuple(choice for _, choice in found[:kept])

    def splits(self, typed: str) -> list[tuple[str, str]]:
        """Where a typed word (as typed: folding across the join would blur it) is two of the
        dataset's words run together (SITIPANJAITAN -> siti panyetan), one of them possibly with
        a slip: the folded halves, the split with the most common halves first."""
        if fold_word(typed) in self.counts or len(typed) < 2 * _MIN_PIECE + 1:
            return []
        exact: list[tuple[int, str, str]] = []
        near: list[tuple[int, str, str]] = []
        for at in range(_MIN_PIECE, len(typed) - _MIN_PIECE + 1):
            left, right = fold_word(typed[:at]), fold_word(typed[at:])
            left_known, right_known = left in self.counts, right in self.counts
            if left_known and right_known:
                exact.append((-min(self.counts[left], self.counts[right]), left, right))
            # The half with a slip stays as typed: the scoring weighs the slip.
            elif left_known and len(right) >= 4 and self.near(right):
                near.append((-self.counts[left], left, right))
            elif right_known and len(left) >= 4 and self.near(left):
                near.append((-self.counts[right], left, right))
        chosen = sorted(exact) or sorted(near)
        return [(left, right) for _, left, right in chosen[:2]]


def corrections(
    vocabulary: Vocabulary, words: Iterable[str], typed: Iterable[str] = ()
) -> dict[str, tuple[str, ...]]:
    """Each typed (folded) word, and the halves of a typed word that is two words run together,
    -> the dataset words it may stand for."""
    found: dict[str, tuple[str, ...]] = {}
    for word in words:
        near = vocabulary.near(word)
        if near:
            found[word] = near
    for raw in typed:
        if fold_word(raw) in found:
            # A word the dataset has, or one slip from one, is that word: split as well, its
            # rare halves (SA PUIRO for SAPUIRO, a slip of SAPUTRO) would lead the retrieval.
            continue
        for left, right in vocabulary.splits(raw):
            for piece in (left, right):
                found.setdefault(piece, vocabulary.near(piece) or (piece,))
    return found


def _keys(word: str, prefix: str) -> list[str]:
    return [prefix + key for key in token_keys(word)]


def word_key_sets(query: Words, vocabulary: Vocabulary, kabkota: str, stage: int) -> list[str]:
    """Sets of blocking keys (comma-joined) the right voter carries all of, for one stage.

    Every typed word is first corrected against the dataset's words; a set holds the keys of
    whole dataset words, so a slip anywhere in a typed word still finds its voter. Stage 0 pairs
    the two most telling typed words (every correction of one with every correction of the
    other), stage 1 pairs a third word with each of those, stage 2 asks for each of the two
    alone (a stranger word among them, or a one-word name).
    """
    prefix = kabkota.replace(".", "")
    words = [word for word in dict.fromkeys(query.folded) if len(word) >= _MIN_PIECE]
    # A name typed apart that the DPT writes as one word (NUR HAYATI / NURHAYATI).
    joined = [fold_token(first + second) for first, second in itertools.pairwise(query.raw)]
    found = corrections(
        vocabulary, [*words, *(word for word in joined if word in vocabulary.counts)], query.raw
    )
    if not found:
        return []

    def postings(word: str) -> int:
        return sum(vocabulary.counts.get(choice, 0) for choice in found[word])

    telling = sorted(found, key=lambda word: (postings(word), -len(word)))
    if stage == 2 or len(telling) == 1:
        chosen = telling[:2] if stage == 2 else telling
        return sorted({",".join(_keys(choice, prefix)) for word in chosen for choice in found[word]})
    if stage == 0:
        # A typed word the dataset knows is most likely itself: its neighbours (common words
        # have many, and their keys are long GIN lists) wait for the later steps.
        found = {word: found[word][:1] if word in vocabulary.counts else found[word] for word in found}
        pairs = [(telling[0], telling[1])]
    else:
        pairs = [(telling[0], word) for word in telling[2:3]] + [(telling[1], word) for word in telling[2:3]]
    sets = {
        ",".join(sorted({*_keys(first_choice, prefix), *_keys(second_choice, prefix)}))
        for first, second in pairs
        for first_choice in found[first]
        for second_choice in found[second]
    }
    return sorted(sets)


def split_words(words: Words, vocabulary: Vocabulary) -> Words | None:
    """The typed name with each word that is two dataset words run together split in two
    (NURQURROTA -> NUR KUROTA); None when no word splits."""
    folded: list[str] = []
    raw: list[str] = []
    changed = False
    for word, typed in zip(words.folded, words.raw, strict=True):
        found = vocabulary.splits(typed)
        if found:
            folded.extend(found[0])
            raw.extend(found[0])
            changed = True
        else:
            folded.append(word)
            raw.append(typed)
    return Words(folded, raw, words.compact) if changed else None
