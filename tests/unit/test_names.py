"""Name normalisation and scoring: folding both ways, titles, and hand-picked hard (non-)pairs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.names.masking import mask_name
from service.names.normalise import (
    PREFIX_TITLES,
    SUFFIX_TITLES,
    NameStore,
    compact_key,
    fold_name,
    fold_word,
    folded_tokens,
    is_only_titles,
    name_tokens,
    word_search_fields,
    words_of,
)
from service.names.scoring import NameMatch, TokenWeights, match_name, score_name
from service.search.confidence import confident_flags
from service.search.engine import MIN_SCORE

# Old and new spellings and interchangeable letters: both sides must fold to one key.
SPELLING_PAIRS = [
    ("SOEHARTO", "SUHARTO"), ("DJOKO", "JOKO"), ("TJAHJONO", "CAHYONO"), ("JOESOEF", "YUSUF"),
    ("SJAHRIR", "SYAHRIR"), ("NJOMAN", "NYOMAN"), ("CHAIRUL", "KHAIRUL"), ("ACHMAD", "AHMAD"),
    ("AKHMAD", "AHMAD"), ("MUHAMMAD", "MOHAMMAD"), ("MUHAMAD", "MOCH."), ("MOH.", "M."), ("MUH.", "MUHAMMAD"),
    ("ABD. RAHMAN", "ABDUL RACHMAN"), ("ST. AMINAH", "SITI AMINAH"), ("SITTI", "SITI"), ("ANNA", "ANA"),
    ("RAMADHAN", "RAMADAN"), ("FATIMAH", "FATIMA"), ("FAJAR", "PAJAR"), ("VERA", "FERA"),
    ("ZAINAL", "JAINAL"),
    ("TAUFIQ", "TAUFIK"), ("ALEXANDER", "ALEKSANDER"), ("MA'RUF", "MARUF"), ("SYAMSUL", "SAMSUL"),
    ("SUGIYONO", "SUGIONO"), ("RACHMAT", "RAHMAD"), ("LIEM", "LIM"),
]  # fmt: skip
# Javanese and Sundanese renderings of Arabic-derived names, and Batak marga that share them.
VERNACULAR_PAIRS = [
    ("RAHMAN", "ROHMAN"), ("SALEH", "SOLEH"), ("ZAINAL", "ZAENAL"), ("ZAINAL", "ZENAL"), ("ZAENAL", "ZENAL"),
    ("MAIMUNAH", "MAEMUNAH"), ("PANJAITAN", "PANJAETAN"), ("SIRAIT", "SIRET"), ("AHMAD", "AHMAT"),
    ("ZAINAB", "ZAINAP"), ("ISHAQ", "ISHAK"), ("NATSIR", "NASIR"), ("DZULKIFLI", "ZULKIFLI"),
    ("THAMRIN", "TAMRIN"), ("SYAIFUDDIN", "SYAIFUDIN"), ("NURUDDIN", "NURUDIN"), ("SAFITRI", "SAPITRI"),
    ("KHAIRUL", "HAIRUL"), ("FAIZAH", "FAEZAH"), ("ZULAIKHA", "ZULAEKHA"), ("KHOLIL", "KHALIL"),
    ("SOLIHIN", "SALIHIN"), ("ROHIM", "RAHIM"),
]  # fmt: skip
# One letter apart, and two people: the folds must keep them apart.
DIFFERENT_NAMES = [
    ("DONI", "DANI"), ("PRASETYA", "PRASETYO"), ("HARYANTI", "HARYANTO"), ("GADING", "GADANG"),
    ("HALIM", "HALIMAH"), ("ASTUTI", "HASTUTI"), ("UMMI ZIZI", "UMMI"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new"), SPELLING_PAIRS + VERNACULAR_PAIRS)
def test_spelling_variants_fold_to_one_key_both_ways(old: str, new: str) -> None:
    assert fold_name(old) == fold_name(new)
    assert fold_name(old.lower()) == fold_name(new.title())


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("H. AHMAD DAHLAN", "AHMAD DAHLAN"),
        ("HJ. SITI AMINAH, S.PD.", "SITI AMINAH"),
        ("DRS. H. BUDI SANTOSO, M.M.", "BUDI SANTOSO"),
        ("Ir. Joko Widodo", "JOKO WIDODO"),
        ("KH. MA'RUF AMIN", "MARUF AMIN"),
        ("dr. Tirta S.Ked", "TIRTA"),
        ("RINA A.MD.", "RINA"),
        ("R. AJENG KARTINI", "AJENG KARTINI"),
    ],
)
def test_titles_and_degrees_are_dropped(written: str, plain: str) -> None:
    assert fold_name(written) == fold_name(plain)


def test_a_word_that_is_a_title_only_once_folded_is_a_name_word() -> None:
    # SYTI (a slip of SITI) folds to sti, as the degree S.THI does; it is no title, and dropping
    # it lost the voter RAHMAWATI SITI. A word that folds onto a title folding leaves alone (SEH
    # onto S.E.) is still dropped, so that folding a folded name changes nothing.
    assert fold_name("RAHMAWATI SYTI") == fold_name("RAHMAWATI SITI").replace("siti", "sti")
    assert fold_name("BUDI S.THI") == fold_name("BUDI STHI") == fold_name("BUDI")
    assert fold_name("BUDI SEH") == fold_name("BUDI")


def test_merged_and_split_words_share_a_compact_key() -> None:
    assert compact_key("NUR HAYATI") == compact_key("NURHAYATI")
    assert compact_key("ABDUL RAHMAN") == compact_key("ABDURRAHMAN".replace("RR", "LR"))


def test_only_titles_and_real_one_word_names() -> None:
    assert is_only_titles("H.") and is_only_titles("Drs. S.Pd.")
    assert not is_only_titles("SUPARMI")
    assert folded_tokens("SUPARMI") == ["suparmi"]
    assert fold_name("H") == "h"  # a lone letter is kept: never empty a real name


names = st.lists(
    st.text(alphabet="ABCDEGHIJKLMNOPRSTUWYZ'.", min_size=1, max_size=12), min_size=1, max_size=4
).map(" ".join)


@given(names)
def test_folding_is_idempotent(name: str) -> None:
    once = fold_name(name)
    assert fold_name(once) == once


# Plain upper-case names with titles, degrees and abbreviations at either end (the importer's
# shortcut) and names with punctuation (its general path).
stored_names = st.one_of(
    names,
    st.lists(
        st.one_of(
            st.sampled_from(["H", "HJ", "DRS", "IR", "R", "ST", "SPD", "SH", "MM", "M", "MOCH", "SITI"]),
            st.text(alphabet="ABDEGHIJKMNORSTUY", min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=5,
    ).map(" ".join),
)


@given(st.lists(stored_names, min_size=1, max_size=30))
def test_the_importers_cached_fields_equal_the_plain_ones(batch: list[str]) -> None:
    """The importer's per-word cache (and its shortcut for plain names) changes no result."""
    store = NameStore("1872")
    for name in batch + batch:  # the second round answers from the cache
        fields = [word_search_fields(token, "1872") for token in name_tokens(name)]
        stored = store(name)
        assert stored.key == " ".join(folded for folded, _ in fields) == fold_name(name)
        assert stored.keys == "{" + ",".join(keys for _, keys in fields) + "}"
        assert stored.words == {folded for folded, _ in fields}
        assert stored.spellings == set(name_tokens(name))


@given(st.text(alphabet="ABCDEGIKLMNOPRSTUWY", min_size=2, max_size=12))
def test_a_real_word_never_folds_away(word: str) -> None:
    if word.lower() not in PREFIX_TITLES | SUFFIX_TITLES:
        assert fold_name(word) != ""
        assert fold_name(f"H. {word}, S.PD.") == fold_name(word)


@pytest.mark.parametrize(("first", "second"), DIFFERENT_NAMES)
def test_one_letter_apart_stays_apart(first: str, second: str) -> None:
    assert fold_name(first) != fold_name(second)


@given(
    st.sampled_from(VERNACULAR_PAIRS),
    st.sampled_from(["BUDI", "SITI", "NUR", "I WAYAN"]),
    st.sampled_from(["", "H. ", "HJ. "]),
    st.booleans(),
)
def test_vernacular_renderings_fold_together_anywhere_in_a_name(
    pair: tuple[str, str], other: str, title: str, before: bool
) -> None:
    """Both ways, before or after another word, with a title, in any case."""
    first, second = (f"{word} {other}" if before else f"{other} {word}" for word in pair)
    assert fold_name(title + first) == fold_name(second.lower())
    assert compact_key(first) == compact_key(second)


@given(st.sampled_from(SPELLING_PAIRS), st.sampled_from(["BUDI", "SRI", "I WAYAN"]))
def test_pairs_fold_inside_longer_names_too(pair: tuple[str, str], other: str) -> None:
    old, new = pair
    assert fold_name(f"{other} {old}") == fold_name(f"{other} {new}")


# Weights as in a Kota Metro-sized dataset: common words are common.
WEIGHTS = TokenWeights(
    {"i": 9000, "wayan": 2500, "made": 2400, "siti": 8000, "nur": 6000, "muhamat": 7000, "budi": 900,
     "santoso": 700, "aminah": 300, "hayati": 250, "sudarma": 40, "suparmi": 60, "ridwan": 150,
     "agus": 1500, "hartono": 500, "yoko": 600, "supriadi": 120},
    voters=120_000,
)  # fmt: skip


def score(query: str, candidate: str) -> float:
    return score_name(query, candidate, WEIGHTS)


@pytest.mark.parametrize(
    ("query", "voter"),
    [
        ("SANTOSO BUDI", "BUDI SANTOSO"),  # order
        ("BUDI SANTOSA", "BUDI SANTOSO"),  # one typo
        ("BUDI SNATOSO", "BUDI SANTOSO"),  # transposition
        ("SUPARMY", "SUPARMI"),  # one-word name with a typo
        ("NURHAYATI", "NUR HAYATI"),  # merged
        ("MAANTAMPUBOLON", "MAMAN TAMPUBOLON"),  # merged with a slip that folding doubles
        ("RAHMATKHAIUL", "RAHMAT KHAIRUL"),  # merged, a slip, a fold across the join
        ("TAINALAKSITA", "TANIA LAKSITA"),  # merged, two letters swapped
        ("M. RIDWAN", "MUHAMMAD RIDWAN"),  # abbreviation
        ("BUDI SANTOSO", "BUDI AGUS SANTOSO"),  # dropped middle name
        ("DJOKO SOEPRIJADI", "JOKO SUPRIYADI"),  # old spelling
        ("I WAYAN SUDARMA", "I WAYAN SUDARMA"),
        ("ZAIT SUPRIADI", "ZAHID SUPRIADI"),  # an h dropped between vowels, then folded (ai)
        ("SUPRIADI RADEN", "R. RADEN SUPRIADI"),  # a title typed out of place
    ],
)
def test_hard_pairs_score_high(query: str, voter: str) -> None:
    assert score(query, voter) >= 86


@pytest.mark.parametrize(
    ("query", "voter"),
    [
        ("I MADE SUDARMA", "I WAYAN SUDARMA"),  # siblings: birth-order name differs
        ("NUR AMINAH", "SITI AMINAH"),  # another woman with the same given name
        ("BUDI HARTONO", "BUDI SANTOSO"),  # same first name, different family
        ("SUPARNO", "SUPARMI"),  # a different one-word name
        ("SITI NURHAYATI", "SITI AMINAH"),
    ],
)
def test_hard_non_pairs_score_low(query: str, voter: str) -> None:
    assert score(query, voter) < 80


@given(
    st.sampled_from([("ZAHID", "ZAIT"), ("SAHID", "SAID"), ("MUHAIMIN", "MUAIMIN"), ("ROHIMAH", "ROIMAH")]),
    st.sampled_from(["BUDI", "SUPRIADI", "AGUS HARTONO"]),
    st.booleans(),
)
def test_an_h_dropped_between_vowels_is_one_slip_at_most(
    pair: tuple[str, str], other: str, first: bool
) -> None:
    word, dropped = pair
    voter, query = (
        (f"{word} {other}", f"{dropped} {other}") if first else (f"{other} {word}", f"{other} {dropped}")
    )
    itself, typed = match(voter, query)
    assert itself.score == 100.0
    assert 0.85 <= typed.weakest_word < 1.0  # one slip: found, never the same word
    assert not typed.exact


def match(voter: str, query: str) -> tuple[NameMatch, NameMatch]:
    """The voter matched against itself and against the query."""
    return (
        match_name(words_of(voter), words_of(voter), WEIGHTS),
        match_name(words_of(query), words_of(voter), WEIGHTS),
    )


@pytest.mark.parametrize("typed", ["PRASETYO", "PRASETIO"])
def test_a_slip_is_another_persons_word_only_when_voters_carry_it_as_typed(typed: str) -> None:
    """However common its folded form, a typed word is another person's only as far as voters
    carry it as typed; a dataset without spelling counts falls back to the folded count."""
    counts = {**WEIGHTS.counts, fold_word(typed.lower()): 400}
    spellings = {"prasetyo": 35, "prasetya": 50}
    voter, query = words_of("AGUS PRASETYA"), words_of(f"AGUS {typed}")
    found = match_name(query, voter, TokenWeights(counts, WEIGHTS.voters, spellings))
    assert found.slipped_word_voters == spellings.get(typed.lower(), 0)
    legacy = match_name(query, voter, TokenWeights(counts, WEIGHTS.voters))
    assert legacy.slipped_word_voters == 400


def test_common_words_weigh_less_than_rare_ones() -> None:
    assert WEIGHTS("i") < WEIGHTS("wayan") < WEIGHTS("sudarma")
    assert WEIGHTS("siti") < 0.3 < WEIGHTS("aminah")


@pytest.mark.parametrize(
    ("name", "masked"),
    [("BUDI SANTOSO", "B**I S*****O"), ("ANI", "A**"), ("I WAYAN", "I W***N"), ("NI", "N*"), ("", "")],
)
def test_masking(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_two_slips_in_a_short_word_point_the_public_search_at_the_voter_born_that_day() -> None:
    """SUJTI for SUCI (two slips in a five-letter word) beside words typed as they are: a weak
    counterpart, so among those born that day the one voter it fits is "this is you"; a help desk
    without a birth date is never sure of it, and a typed word voters carry (SRI) rules it out."""
    query, voter = words_of("SUJTI HUMAIRA WAHYUNI"), words_of("SUCI HUMAIRA WAHYUNI")
    found = match_name(query, voter, WEIGHTS)
    assert 0.0 < found.weakest_word < 0.6
    assert confident_flags([found], 3, "public", 3, WEIGHTS.voters) == [True]
    assert confident_flags([found], 3, "helpdesk", 3, WEIGHTS.voters) == [False]
    carried = TokenWeights(WEIGHTS.counts, WEIGHTS.voters, {"sujti": 400})
    assert confident_flags([match_name(query, voter, carried)], 3, "public", 3, WEIGHTS.voters) == [False]
    # Two slips in a word of three letters stay a stranger word.
    assert match_name(words_of("SRI AMINAH"), words_of("ANI AMINAH"), WEIGHTS).weakest_word == 0.0


def test_a_merged_name_typed_in_another_order_is_read_as_merged() -> None:
    found = match_name(words_of("BUDIYANTOUTU"), words_of("PUTU BUDIYANTO"), WEIGHTS)
    assert found.score >= 88 and found.inexact_words >= 1
    assert match_name(words_of("BUDIYANTOUTU"), words_of("PUTU HARYANTO"), WEIGHTS).score < 50


def test_a_merged_name_with_more_slips_is_a_weak_reading_the_public_list_alone_shows() -> None:
    found = match_name(words_of("UISHASTUTI"), words_of("USYI HASTUTI"), WEIGHTS)
    assert MIN_SCORE["public"] <= found.score < MIN_SCORE["helpdesk"]
    assert confident_flags([found], 2, "public", 1, WEIGHTS.voters) == [False]
    # A string as far from the name as another person's is no reading at all.
    assert match_name(words_of("UISHASTUTI"), words_of("USYI HARTONO"), WEIGHTS).score < MIN_SCORE["public"]
