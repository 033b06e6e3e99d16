"""The confidence rule on its own: when the best candidate of a name search is "this is you"."""

from __future__ import annotations

from service.names.scoring import NameMatch
from service.search.confidence import CLEARLY_AHEAD, confident_flags

VOTERS = 120_000


def _two_slips(score: float, *, slipped_word_voters: int = 0) -> NameMatch:
    """SALAUDNI for SALAHUDIN: an h dropped and a typo in one word, the other words as typed."""
    return NameMatch(
        score,
        exact=False,
        weakest_word=0.6,
        voter_coverage=0.8,
        inexact_words=1,
        slipped_word_voters=slipped_word_voters,
    )


def _other(score: float) -> NameMatch:
    return NameMatch(score, exact=False, weakest_word=0.0, voter_coverage=0.3, inexact_words=1)


def test_two_slips_in_one_word_are_confident_when_no_one_else_comes_near() -> None:
    least, lead = CLEARLY_AHEAD
    best = _two_slips(least + 5)
    assert confident_flags([best, _other(best.score - lead - 1)], 3, "helpdesk", 3, VOTERS) == [True, False]


def test_two_slips_in_one_word_are_not_confident_beside_a_close_runner_up() -> None:
    least, lead = CLEARLY_AHEAD
    best = _two_slips(least + 5)
    assert confident_flags([best, _other(best.score - lead + 5)], 3, "helpdesk", 3, VOTERS) == [False, False]


def test_a_lead_does_not_excuse_a_slip_into_another_persons_word() -> None:
    best = _two_slips(CLEARLY_AHEAD[0] + 5, slipped_word_voters=500)
    assert confident_flags([best], 3, "helpdesk", 3, VOTERS) == [False]


def test_a_rival_naming_every_typed_word_rules_out_the_lead() -> None:
    best = _two_slips(CLEARLY_AHEAD[0] + 25)
    rival = NameMatch(45.0, exact=True, weakest_word=1.0, voter_coverage=0.6, inexact_words=0)
    assert confident_flags([best, rival], 3, "helpdesk", 3, VOTERS)[0] is False
