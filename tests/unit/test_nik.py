"""NIK validation: every rule, normalisation of typed input, and property tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import InvalidNik
from service.nik.parse import NikHasher, kecamatan_prefixes, normalise_nik, parse_nik
from tests.support.factories import make_nik

TODAY = dt.date(2026, 11, 29)
KECAMATAN = sorted(kecamatan_prefixes())


def code_of(text: str) -> str:
    with pytest.raises(InvalidNik) as raised:
        parse_nik(text, today=TODAY)
    return raised.value.code


def test_a_womans_nik_gives_her_birth_date_and_gender() -> None:
    nik = parse_nik("1872015407530001", today=TODAY)
    assert nik.birth_date == dt.date(1953, 7, 14)
    assert nik.gender == "P"
    assert nik.kecamatan_code == "18.72.01"
    assert nik.serial == "0001"


def test_a_mans_nik_and_the_century_rule() -> None:
    assert parse_nik("1872011407050001", today=TODAY).birth_date == dt.date(2005, 7, 14)
    assert parse_nik("1872011407270001", today=TODAY).birth_date == dt.date(1927, 7, 14)
    assert parse_nik("1872011407050001", today=TODAY).gender == "L"


@pytest.mark.parametrize(
    "typed",
    [
        "1872 0154 0753 0001",
        "1872.0154.0753.0001",
        "1872-0154-0753-0001",
        " 1872015407530001 ",
        "１８７２０１５４０７５３０００１",
        "1872\u00a00154\u20110753\u20130001",
    ],
)
def test_typed_forms_normalise_to_the_same_nik(typed: str) -> None:
    assert parse_nik(typed, today=TODAY).digits == "1872015407530001"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "nik_length"),
        ("   ", "nik_length"),
        ("187201540753001", "nik_length"),
        ("18720154075300011", "nik_length"),
        ("1872O15407530001", "nik_not_digits"),
        ("+872015407530001", "nik_not_digits"),
        ("١٨٧٢٠١٥٤٠٧٥٣٠٠٠١", "nik_not_digits"),
        ("0000000000000000", "nik_pattern"),
        ("2222222222222222", "nik_pattern"),
        ("1234567890123456", "nik_pattern"),
        ("9876543210987654", "nik_pattern"),
        ("1872187218721872", "nik_pattern"),
        ("1212121212121212", "nik_pattern"),
        ("1899015407530001", "nik_region"),
        ("0072015407530001", "nik_region"),
        ("1872013102900001", "nik_birth_date"),
        ("1872017102900001", "nik_birth_date"),
        ("1872010013900001", "nik_birth_date"),
        ("1872010000900001", "nik_birth_date"),
        ("1872012902010001", "nik_birth_date"),
        ("1872013112260001", "nik_birth_date"),
        ("1872015407530000", "nik_serial"),
    ],
)
def test_each_rule_has_its_code(text: str, code: str) -> None:
    assert code_of(text) == code


def test_errors_carry_both_languages_and_the_field() -> None:
    with pytest.raises(InvalidNik) as raised:
        parse_nik("123", today=TODAY)
    assert raised.value.field == "nik"
    assert "16" in raised.value.message and "16" in raised.value.message_en
    assert raised.value.message != raised.value.message_en


birth_dates = st.dates(min_value=dt.date(1927, 1, 1), max_value=dt.date(2026, 11, 28))


@given(st.sampled_from(KECAMATAN), birth_dates, st.sampled_from(["L", "P"]), st.integers(1, 9999))
def test_every_well_formed_nik_parses_back_to_its_parts(
    kecamatan: str, born: dt.date, gender: str, serial: int
) -> None:
    text = make_nik(kecamatan, born, gender, serial)
    nik = parse_nik(text, today=TODAY)
    assert (nik.digits, nik.birth_date, nik.gender, int(nik.serial)) == (text, born, gender, serial)
    assert nik.kecamatan_code.replace(".", "") == kecamatan


@given(st.text(max_size=40))
def test_any_text_either_parses_or_raises_a_known_code(text: str) -> None:
    try:
        nik = parse_nik(text, today=TODAY)
    except InvalidNik as error:
        assert error.code in {
            "nik_length",
            "nik_not_digits",
            "nik_region",
            "nik_birth_date",
            "nik_serial",
            "nik_pattern",
        }
    else:
        assert len(nik.digits) == 16 and nik.digits.isascii() and nik.digits.isdigit()


@given(st.text(alphabet="0123456789 .-", max_size=30))
def test_normalisation_is_idempotent_and_keeps_digits_in_order(text: str) -> None:
    once = normalise_nik(text)
    assert normalise_nik(once) == once
    assert once == "".join(ch for ch in text if ch.isdigit())


@given(st.sampled_from("0123456789"))
def test_repeated_digit_niks_are_always_refused(digit: str) -> None:
    assert code_of(digit * 16) == "nik_pattern"


@given(st.text(min_size=1, max_size=100), st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_keyed_hash_is_standard_hmac_sha256(key: str, digits: str) -> None:
    assert NikHasher(key)(digits) == hmac.digest(key.encode(), digits.encode(), hashlib.sha256)


def test_keyed_hash_depends_on_the_key_and_never_contains_the_nik() -> None:
    nik = "1872015407530001"
    first, second = NikHasher("a" * 32)(nik), NikHasher("b" * 32)(nik)
    assert first != second and len(first) == 32
    assert nik.encode() not in first and nik not in first.hex()
