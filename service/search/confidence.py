"""Whether a name search's best candidate is "this is you": the confidence rule and its
thresholds, calibrated on the independent set's calibration split (loadtest/README.md)."""

from __future__ import annotations

from service.names.scoring import NameMatch

# A best answer is "this is you" only when it scores this high and this far ahead of the next.
CONFIDENT = {"public": (80.0, 4.0), "helpdesk": (85.0, 4.0)}
_SAME_COVERAGE = 0.1
# With a birth date: the least score, and the lead over the next voter born that day, that make
# the best "this is you" even with a garbled word. Calibrated on the independent set.
BORN_THAT_DAY = (35.0, 15.0)
# Without a birth date: the least score, and the lead over the next voter of the scope, that make
# a best with two slips in a word (or a merged name with a slip) "this is you"; calibrated on the
# independent set's calibration split. _CLEAR_WORD: no typed word weaker than two slips.
CLEARLY_AHEAD = (70.0, 20.0)
_CLEAR_WORD = 0.6
# How firmly every telling typed word must match. Without a birth date a slip in a short word
# (DIAH/WIA) may be another person; with one, only a word with no counterpart at all rules out.
FIRM_WORD = {"public": 0.01, "helpdesk": 0.8}
# In a whole kab/kota, two words each one letter off (EVI HARJATI / DEVI MARYATI) are as often
# a neighbour as a double typo when the typed words are themselves names people carry: that case
# is ruled out by KNOWN_WORD_SHARE below, so two garbled words may pass, three may not.
MAX_INEXACT_WORDS = {"public": 3, "helpdesk": 2}
# A typed word found only with a slip, but which this many voters of the dataset carry spelled
# exactly as typed, is read as another person's word, not a typo (AGUS PRASETYO is not AGUS
# PRASETYA). A spelling no voter carries is a slip even when it folds onto a common word (HASANH
# folds to "hasan"; IVHA to "ipa", as IFA does): counting the folded word instead took such
# slips for other people (calibration split, public recall@1 0.994 -> 0.998 with spellings,
# false-confident unchanged at 0.000). Calibrated on the independent set's calibration split
# (loadtest/README.md); NameMatch.slipped_word_voters.
KNOWN_WORD_SHARE = {"public": 1 / 20_000, "helpdesk": 1 / 20_000}
_KNOWN_WORD_MIN_VOTERS = 2
MIN_VOTER_COVERAGE = 0.5  # "BUDI" alone does not say which BUDI SANTOSO WIBOWO
# A one-word query (GALAR) is a one-word person, or a voter that word almost wholly names: GALAR
# alone is as likely a GALAR who is not registered as GALAR PRABOWO.
_ONE_WORD_COVERAGE = 0.9


def confident_flags(
    ranked: list[NameMatch], best_words: int, mode: str, query_words: int, voters: int
) -> list[bool]:
    """Only the best can be "this is you".

    Never when a typed word is none of the voter's words (or, without a birth date, only a
    weak likeness of one, or two words need a typo each), or the query names too little of the
    voter. An exact match (every typed word found as is) is confident unless another candidate
    matches exactly and names about as much of its voter (SITI ROMLAH is not SITI ROMLAH
    SETYOWATI, but ATIK HARYATI could be ATIK JIHAN HARYATI or ATIK HARYATI SUSANTI); any
    other best must score high enough and stand clearly ahead of the next.
    """
    flags = [False] * len(ranked)
    if not ranked:
        return flags
    best, others = ranked[0], ranked[1:]
    known = max(_KNOWN_WORD_MIN_VOTERS, KNOWN_WORD_SHARE[mode] * voters)
    one_word_for_more = query_words == 1 and best_words > 1
    if best.slipped_word_voters >= known or (one_word_for_more and best.voter_coverage < _ONE_WORD_COVERAGE):
        return flags
    runner_up = max((o.score for o in others), default=0.0)
    rivals = [o for o in others if o.exact and o.voter_coverage >= MIN_VOTER_COVERAGE]
    if _clearly_ahead(best, runner_up, mode, rivals=bool(rivals)):
        flags[0] = True
        return flags
    if (
        best.weakest_word < FIRM_WORD[mode]
        or best.inexact_words > MAX_INEXACT_WORDS[mode]
        or best.voter_coverage < MIN_VOTER_COVERAGE
    ):
        return flags
    if best.exact:
        flags[0] = not any(o.voter_coverage >= best.voter_coverage - _SAME_COVERAGE for o in rivals)
        # A voter carrying every typed word and one more (DEWI LIDYA NASYIDAH) is not "this is
        # you" when the query names another voter wholly but for one slip (WIDYA NASYIDAH).
        if best.voter_coverage < 1.0 and runner_up > best.score - CONFIDENT[mode][1]:
            flags[0] = False
        return flags
    threshold, margin = CONFIDENT[mode]
    flags[0] = not rivals and best.score >= threshold and best.score - runner_up >= margin
    return flags


def _clearly_ahead(best: NameMatch, runner_up: float, mode: str, *, rivals: bool) -> bool:
    """A best far enough ahead of the next candidate to be "this is you" below the usual score."""
    if mode == "public":
        # Born that day in that region, the one voter whose name the query clearly comes closest
        # to is the resident, even through a garbled word (JULIA ROIMAH for JULIA RAHIMAH) - but
        # never through a word that is someone else's name (ruled out before) or none of theirs
        # at all (MUHAMMAD RIDWAN SYAH is not MUHAMMAD RIDWAN).
        least, lead = BORN_THAT_DAY
        return best.weakest_word >= FIRM_WORD[mode] and best.score >= least and best.score - runner_up >= lead
    # Without a birth date, two slips in one word (an h dropped and a typo: SALAUDNI for
    # SALAHUDIN) or a merged name with a typo score below the usual threshold; yet when no one
    # else of the scope comes anywhere near, that lead, not the score, says "this is you".
    least, lead = CLEARLY_AHEAD
    return (
        not rivals
        and best.weakest_word >= _CLEAR_WORD
        and best.inexact_words <= MAX_INEXACT_WORDS[mode]
        and best.voter_coverage >= MIN_VOTER_COVERAGE
        and best.score >= least
        and best.score - runner_up >= lead
    )
