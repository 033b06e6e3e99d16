"""Typed words corrected against the dataset's own words: no single slip, in a word of any
length, loses the keys that find the voter; merged words split; known words kept."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from service.names.normalise import fold_word, token_keys, words_of
from service.search.vocabulary import Vocabulary, split_words, word_key_sets

WORDS = {
    fold_word(word): count
    for word, count in {
        "winda": 40, "wida": 3, "prasasta": 12, "taswir": 5, "uwais": 9, "kanda": 20, "suartini": 30,
        "siti": 900, "panjaitan": 25, "nur": 700, "qurrota": 8, "agus": 500, "prasetya": 60,
        "prasetyo": 80, "budi": 400, "santoso": 300,
    }.items()
}  # fmt: skip
VOCABULARY = Vocabulary(WORDS)


def test_a_slip_in_a_short_word_still_finds_its_word() -> None:
    """The issue's examples: a typo in the middle of a four- or five-letter word."""
    assert "winda" in VOCABULARY.near(fold_word("wida"))
    assert fold_word("uwais") in VOCABULARY.near(fold_word("uwias"))
    assert fold_word("kanda") in VOCABULARY.near(fold_word("kamda"))


def test_a_known_word_is_itself_first() -> None:
    assert VOCABULARY.near("wida")[0] == "wida"
    assert VOCABULARY.near(fold_word("prasetyo"))[0] == fold_word("prasetyo")


def test_merged_words_split_into_dataset_words() -> None:
    split = split_words(words_of("SITIPANJAITAN"), VOCABULARY)
    assert split is not None
    assert split.folded == [fold_word("siti"), fold_word("panjaitan")]
    merged_with_a_slip = split_words(words_of("NURQURROTTA"), VOCABULARY)
    assert merged_with_a_slip is not None and merged_with_a_slip.folded[0] == "nur"
    assert split_words(words_of("BUDI SANTOSO"), VOCABULARY) is None


def test_a_word_one_slip_from_a_dataset_word_is_not_asked_as_two() -> None:
    """PRASETIA is a slip of PRASETYA, not PRA + SETIA: those rare halves would lead the retrieval."""
    vocabulary = Vocabulary({**WORDS, "pra": 2, fold_word("setia"): 2})
    query = words_of("AGUS PRASETIA")
    asked = [
        set(keys.split(","))
        for stage in range(3)
        for keys in word_key_sets(query, vocabulary, "18.72", stage)
    ]
    setia = {"1872" + key for key in token_keys(fold_word("setia"))}
    assert not any(keys & setia for keys in asked)
    assert any("1872" + token_keys(fold_word("prasetya"))[1] in keys for keys in asked)


slip_words = st.sampled_from(sorted(word for word in WORDS if len(word) >= 4))


@given(slip_words, st.integers(min_value=0, max_value=20), st.sampled_from(string.ascii_lowercase),
       st.sampled_from(["substitute", "delete", "insert", "swap"]))  # fmt: skip
def test_no_single_slip_loses_the_voters_keys(word: str, at: int, letter: str, slip: str) -> None:
    """Whatever one slip does to a word of four letters or more, the key sets asked for include
    one the voter's name carries all of."""
    at %= len(word)
    if slip == "substitute":
        typed = word[:at] + letter + word[at + 1 :]
    elif slip == "delete":
        typed = word[:at] + word[at + 1 :]
    elif slip == "insert":
        typed = word[:at] + letter + word[at:]
    else:
        at = min(at, len(word) - 2)
        typed = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    voter = {"1872" + key for key in (*token_keys(word), *token_keys("santoso"))}
    query = words_of(f"{typed} santoso")
    asked = [
        set(keys.split(","))
        for stage in range(3)
        for keys in word_key_sets(query, VOCABULARY, "18.72", stage)
    ]
    assert any(keys <= voter for keys in asked), (typed, asked)
