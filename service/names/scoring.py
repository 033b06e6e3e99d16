"""Token-aware name scoring: how sure are we that a typed name is this voter's name?

Works on folded words (service/names/normalise.py). Word order does not matter, each word may
carry one typo, an initial matches the word it abbreviates, a dropped middle name costs little,
and common words (I, Ni, Wayan, Siti, Muhammad, Nur) weigh little as evidence *for* a match but
a word the voter does not have still counts *against* it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from service.names.normalise import Words, is_title_word, without_vowel_h, words_of

_INITIAL = 0.85  # "B" for BUDI: likely, not certain
# One typo in a word of this many letters (or more, for 5): short words are easier to mistype into
# another real word, so a typo in them is weaker evidence.
# (A typed word that is itself a frequent name word is not read as a typo at all: see
# NameMatch.slipped_word_voters.)
_ONE_TYPO = {2: 0.0, 3: 0.8, 4: 0.85, 5: 0.92}
_TWO_SLIPS, _LONG_WORD = 0.7, 10
# Two slips in a word of 6 to 9 letters (COWISTA for CALISTA) are as often another name
# (SUGIARTI/YUNIARTI): enough to show the voter, never to be sure of them (below FIRM_WORD).
_TWO_SLIPS_MIDDLE, _MIDDLE_WORD = 0.6, 6
# Two slips in a word of 4 or 5 letters (SUJTI for SUCI) are a weak counterpart, not a stranger
# word: never enough for a help desk to be sure (FIRM_WORD), enough for the public search to
# point at the one voter born that day whose other words are typed as they are. A typed word that
# is itself a name voters carry (SRI for SUCI) still rules that out (slipped_word_voters).
_TWO_SLIPS_SHORT, _SHORT_WORD = 0.3, 4
# A query word the voter lacks is evidence of another person however common the word is.
_MISMATCH_WEIGHT_FLOOR = 0.5
_QUERY_SHARE = 0.85  # how much the query's words being found counts against the voter's being typed


def word_similarity(query: str, candidate: str) -> float:
    """1 for the same word, high for one typo (substitution, insertion, deletion or swap of two
    neighbours), lower for two, 0 for different words."""
    if query == candidate:
        return 1.0
    if len(query) == 1 or len(candidate) == 1:
        return _INITIAL if query[0] == candidate[0] else 0.0
    edits = OSA.distance(query, candidate)
    longest = max(len(query), len(candidate))
    if edits == 1:
        return _ONE_TYPO.get(longest, _ONE_TYPO[5])
    # Two slips in a long word may still be the word; in a shorter one they as often make
    # another name (RADIT/ARDI, NENG/NENENG, SUGIARTI/YUNIARTI): a little likeness, or none at
    # all in a word of three letters.
    if edits != 2 or longest < _SHORT_WORD:
        return 0.0
    if longest < _MIDDLE_WORD:
        return _TWO_SLIPS_SHORT
    return _TWO_SLIPS if longest >= _LONG_WORD else _TWO_SLIPS_MIDDLE


@dataclass(frozen=True)
class TokenWeights:
    """Inverse document frequency of folded words in one dataset: rare words are strong evidence."""

    counts: Mapping[str, int]
    voters: int
    # How many voters carry each typed word as written (name_tokens); None for a dataset whose
    # spellings were not counted, where a typed word's folded count stands in.
    spellings: Mapping[str, int] | None = None

    def carried_as_typed(self, folded: str, spelling: str) -> int:
        """How many voters carry a typed word as typed: then it is a name, not a slip."""
        if self.spellings is None:
            return self.counts.get(folded, 0)
        return self.spellings.get(spelling, 0)

    def __call__(self, token: str) -> float:
        count = self.counts.get(token, 0)
        if len(token) == 1:
            return 0.15  # an initial says little
        return max(0.1, math.log((self.voters + 1) / (count + 1)) / math.log(self.voters + 1))


def _aligned(query: Words, candidate: Words) -> tuple[list[float], list[float]]:
    """Best one-to-one pairing of words (greedy by similarity); similarity per word of each side.

    Words compare folded and as written, the better counting: folding can turn one typo into
    two (ANNG folds to ANG, two edits from ANANG; as written it is one).
    """
    pairs = sorted(
        (
            (_pair_similarity(fq, rq, fc, rc), i, j)
            for i, (fq, rq) in enumerate(zip(query.folded, query.raw, strict=True))
            for j, (fc, rc) in enumerate(zip(candidate.folded, candidate.raw, strict=True))
        ),
        reverse=True,
    )
    query_sims = [0.0] * len(query.folded)
    candidate_sims = [0.0] * len(candidate.folded)
    used_query: set[int] = set()
    used_candidate: set[int] = set()
    for similarity, i, j in pairs:
        if similarity == 0.0:
            break
        if i in used_query or j in used_candidate:
            continue
        used_query.add(i)
        used_candidate.add(j)
        query_sims[i] = candidate_sims[j] = similarity
    return query_sims, candidate_sims


def _pair_similarity(folded: str, raw: str, other_folded: str, other_raw: str) -> float:
    similarity = max(word_similarity(folded, other_folded), word_similarity(raw, other_raw))
    if similarity >= _ONE_TYPO[5] or len(folded) < 3:
        return similarity
    # An h dropped between vowels (ZAIT for ZAHID, SAID for SAHID) is one slip, not two: the
    # folding it leaves (ai before a consonant) would otherwise add a second. Never more than a
    # slip: folded away in the keys, it made MAHESWARA meet MESWARA.
    if without_vowel_h(raw) == without_vowel_h(other_raw):
        return max(similarity, _ONE_TYPO.get(max(len(raw), len(other_raw)), _ONE_TYPO[5]))
    return similarity


def _coverage(tokens: list[str], sims: list[float], weight: TokenWeights, *, floor: float) -> float:
    found = total = 0.0
    for token, similarity in zip(tokens, sims, strict=True):
        w = weight(token)
        found += w * similarity
        total += w if similarity > 0 else max(w, floor)
    return found / total if total else 0.0


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0..100
    exact: bool  # every typed word is one of the voter's (order, merged words, left-out words aside)
    weakest_word: float  # similarity of the worst-matched telling typed word (0: a stranger word)
    voter_coverage: float  # share, by weight, of the voter's words that the query accounts for
    inexact_words: int  # telling typed words found only with a typo
    # How many voters of the dataset carry, as typed, the most common typed word that was found
    # only with a slip: when it is itself a frequent name word, the slip is more likely another
    # person (TokenWeights.carried_as_typed).
    slipped_word_voters: int = 0


_NO_MATCH = NameMatch(0.0, exact=False, weakest_word=0.0, voter_coverage=0.0, inexact_words=0)
_WHOLE_STRING = 0.88
# The other word orders of a two- or three-word name, for a merged query typed in another order.
_REORDERED = {
    words: [order for order in itertools.permutations(range(words)) if order != tuple(range(words))]
    for words in (2, 3)
}
_SAME_STRING = 0.95
# A looser likeness of the whole string is a weak reading, scored 35 to 48 (lists of the public
# search only: the help desk's start at 50).
_LOOSE_WHOLE, _LOOSE_SCORE_CUT = 0.75, 40.0
_TELLING_WEIGHT = 0.25  # below this a word is too common (I, Ni) to tell people apart


def match_name(query: Words, candidate: Words, weight: TokenWeights) -> NameMatch:
    """How well the candidate's words explain the typed ones, and what kind of match it is."""
    if not query.folded or not candidate.folded:
        return _NO_MATCH
    # The same letters with the words cut elsewhere (NUR HAYATI / NURHAYATI); with as many words
    # on both sides, the words decide (SAMIAH HASTUTI is not SAMIAH ASTUTI).
    if query.compact == candidate.compact and (
        len(query.folded) != len(candidate.folded) or query.folded == candidate.folded
    ):
        return NameMatch(100.0, exact=True, weakest_word=1.0, voter_coverage=1.0, inexact_words=0)
    query_sims, candidate_sims = _aligned(query, candidate)
    # A title typed out of place (RAJASA RADEN for R. RADEN RAJASA, whose titles the stored name
    # dropped) that none of the voter's words accounts for is not evidence of another person.
    stray = [
        i for i, similarity in enumerate(query_sims) if similarity == 0.0 and is_title_word(query.raw[i])
    ]
    if stray and len(stray) < len(query_sims):
        kept = [i for i in range(len(query_sims)) if i not in stray]
        query = Words([query.folded[i] for i in kept], [query.raw[i] for i in kept], query.compact)
        query_sims = [query_sims[i] for i in kept]
    # A typed word the voter lacks weighs at least the floor: common or not, it is evidence of
    # another person. The voter's words the query left out (a dropped middle name) count less.
    query_side = _coverage(query.folded, query_sims, weight, floor=_MISMATCH_WEIGHT_FLOOR)
    voter_side = _coverage(candidate.folded, candidate_sims, weight, floor=0.0)
    by_words = _QUERY_SHARE * query_side + (1 - _QUERY_SHARE) * voter_side
    # Merged or split words (NUR HAYATI / NURHAYATI) with a typo only line up as whole strings;
    # only then do the word counts differ.
    whole = 0.0
    if len(query.folded) != len(candidate.folded):
        # Folded and as written, the better counting: folding across a join can turn one slip
        # into two (MAANTAMPUBOLON folds to mantampubolon, two edits from mamantampubolon). A
        # swap of two letters is one slip here as in a word (TAINALAKSITA / TANIA LAKSITA).
        whole = max(
            OSA.normalized_similarity(query.compact, candidate.compact),
            OSA.normalized_similarity("".join(query.raw), "".join(candidate.raw)),
        )
        if len(candidate.folded) in _REORDERED and whole < _SAME_STRING:
            # Merged in another order than stored (BUDIYANTOUTU for PUTU BUDIYANTO, with a slip).
            whole = max(
                whole,
                *(
                    OSA.normalized_similarity(query.compact, "".join(candidate.folded[i] for i in order))
                    for order in _REORDERED[len(candidate.folded)]
                ),
            )
    if whole >= _WHOLE_STRING and whole > by_words:
        # Only a near-identical string is a merged or split name; a looser likeness across word
        # boundaries (EKA DIAH / CHADIDJAH) counts as two slips, too many to be sure.
        slips = 1 if whole >= _SAME_STRING else 2
        return NameMatch(
            100.0 * whole, exact=False, weakest_word=whole, voter_coverage=whole, inexact_words=slips
        )
    if whole >= _LOOSE_WHOLE and 100.0 * (whole - by_words) > _LOOSE_SCORE_CUT:
        # A merged name with two or three more slips (UISHASTUTI for USYI HASTUTI) that the words
        # explain less well: a weak reading, scored where only a public search (among those born
        # that day) still lists it, and never "this is you" (no word of it is found).
        return NameMatch(
            100.0 * whole - _LOOSE_SCORE_CUT,
            exact=False,
            weakest_word=0.0,
            voter_coverage=whole,
            inexact_words=3,
        )
    # How well the worst-matched telling word is matched: a typed word with no counterpart, or
    # only a weak one (a slip in a three-letter word), may be another person's name. Words too
    # common to tell people apart (I, Ni) do not count.
    weakest = min(
        (
            similarity
            for token, similarity in zip(query.folded, query_sims, strict=True)
            if weight(token) >= _TELLING_WEIGHT
        ),
        default=1.0,
    )
    inexact = sum(
        1
        for token, similarity in zip(query.folded, query_sims, strict=True)
        if similarity < 1.0 and weight(token) >= _TELLING_WEIGHT
    )
    slipped = max(
        (
            weight.carried_as_typed(token, spelling)
            for token, spelling, similarity in zip(query.folded, query.raw, query_sims, strict=True)
            if 0.0 < similarity < 1.0 and len(token) > 1
        ),
        default=0,
    )
    return NameMatch(
        100.0 * by_words,
        exact=inexact == 0 and all(similarity == 1.0 for similarity in query_sims),
        weakest_word=weakest,
        voter_coverage=voter_side,
        inexact_words=inexact,
        slipped_word_voters=slipped,
    )


def score_name(query: str, candidate: str, weight: TokenWeights) -> float:
    """0..100 for two names as typed (tests and tools; the search scores prepared words)."""
    return match_name(words_of(query), words_of(candidate), weight).score
