"""SMS grammar and replies: forgiving parsing of typed commands, and replies that fit one SMS."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.language import LANGUAGES, Language
from service.nik.parse import normalise_nik
from service.schemas import DatasetInfo, NikAnswer, RegionRef, Tps, Voter, VoterRegion
from service.sms.grammar import SmsCommand, parse_sms
from service.sms.replies import (
    GSM7_BASIC,
    fits_one_sms,
    gsm_safe,
    help_reply,
    invalid_nik_reply,
    not_registered_reply,
    rate_limited_reply,
    registered_reply,
    unavailable_reply,
)

NIK = "1872015407530001"
NIK_CODES = ("nik_length", "nik_not_digits", "nik_region", "nik_birth_date", "nik_serial", "nik_pattern")
CHECK_KEYWORDS = ("DPT", "CEK", "CEKDPT", "CHECK")
SIXTEEN_DIGITS = re.compile(r"\d{16}")


def any_case(word: str) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from((char.lower(), char.upper())) for char in word)).map("".join)


niks = st.text(alphabet="0123456789", min_size=16, max_size=16)
keywords = st.sampled_from(CHECK_KEYWORDS).flatmap(any_case)
separators = st.sampled_from((" ", "#", ".", "-", "   ", " # ", "\t", "#-"))
nik_group_separators = st.sampled_from(("", " ", ".", "-"))
padding = st.sampled_from(("", " ", "  ", "\n"))
endings = st.sampled_from(("", "#", " ", " #", "##", "."))


def typed_nik(nik: str, separator: str) -> str:
    return separator.join(nik[start : start + 4] for start in range(0, 16, 4))


@st.composite
def typed_niks(draw: st.DrawFn) -> tuple[str, str]:
    """A 16-digit NIK and how someone typed it: in one run or in groups of four."""
    nik = draw(niks)
    return nik, typed_nik(nik, draw(nik_group_separators))


def check(nik_text: str, language: Language = "id") -> SmsCommand:
    return SmsCommand("check", nik_text, language)


def help_in(language: Language = "id") -> SmsCommand:
    return SmsCommand("help", None, language)


# --- grammar: properties


@given(typed=typed_niks(), keyword=keywords, separator=separators, lead=padding, ending=endings)
def test_a_keyword_and_a_nik_in_any_form_is_a_check(
    typed: tuple[str, str], keyword: str, separator: str, lead: str, ending: str
) -> None:
    nik, as_typed = typed
    command = parse_sms(f"{lead}{keyword}{separator}{as_typed}{ending}{lead}")
    assert command.kind == "check"
    assert command.nik_text is not None
    assert normalise_nik(command.nik_text) == nik
    assert command.language == ("en" if keyword.upper() == "CHECK" else "id")


@given(nik=niks, keyword=keywords, prefix=any_case("EN"), separator=separators)
def test_an_en_prefix_switches_the_reply_to_english(
    nik: str, keyword: str, prefix: str, separator: str
) -> None:
    command = parse_sms(f"{prefix}{separator}{keyword}{separator}{nik}")
    assert command == check(nik, "en")


@given(typed=typed_niks(), lead=padding, ending=endings)
def test_a_bare_nik_is_a_check(typed: tuple[str, str], lead: str, ending: str) -> None:
    nik, as_typed = typed
    command = parse_sms(f"{lead}{as_typed}{ending}")
    assert command.kind == "check"
    assert command.nik_text is not None
    assert normalise_nik(command.nik_text) == nik


@given(st.text())
def test_any_text_parses_to_a_command(text: str) -> None:
    command = parse_sms(text)
    assert command.kind in ("check", "help")
    assert command.language in LANGUAGES
    assert (command.kind == "check") == bool(command.nik_text)


def test_long_hostile_input_is_parsed_quickly() -> None:
    for text in ("DPT " * 20_000, "#" * 50_000 + "x", "a" + "-" * 50_000 + "b", "9" * 100_000 + "x"):
        assert parse_sms(text).kind in ("check", "help")


# --- grammar: examples


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cek#1872015407530001#", check(NIK)),
        ("DPT.1872015407530001", check(NIK)),
        ("CEK-1872015407530001", check(NIK)),
        ("CEKDPT 1872015407530001", check(NIK)),
        ("cek dpt 1872015407530001", check(NIK)),
        ("DPT1872015407530001", check(NIK)),
        ("  dpt   1872 0154 0753 0001 ", check("1872 0154 0753 0001")),
        ("DPT 1872.0154.0753.0001", check("1872.0154.0753.0001")),
        ("DPT １８７２０１５４０７５３０００１", check(NIK)),
        ("1872015407530001", check(NIK)),
        (" 1872-0154-0753-0001# ", check("1872-0154-0753-0001")),
        ("EN DPT 1872015407530001", check(NIK, "en")),
        ("en#cek#1872015407530001#", check(NIK, "en")),
        ("EN 1872015407530001", check(NIK, "en")),
        ("CHECK 1872015407530001", check(NIK, "en")),
        ("check#1872015407530001", check(NIK, "en")),
        ("DPT 18720154", check("18720154")),
        ("DPT 1872O15407530001", check("1872O15407530001")),
        ("dpt saya", check("saya")),
        ("1872O15407530001", check("1872O15407530001")),
        ("INFO", help_in()),
        ("bantuan", help_in()),
        ("HELP", help_in()),
        ("?", help_in()),
        ("EN HELP", help_in("en")),
        ("en", help_in("en")),
        ("halo", help_in()),
        ("halo 123", help_in()),
        ("", help_in()),
        ("   #  ", help_in()),
        ("DPT", help_in()),
        ("CEK DPT #", help_in()),
        ("CHECK", help_in("en")),
        ("entah 1872015407530001", check("entah 1872015407530001")),
    ],
)
def test_typed_messages(text: str, expected: SmsCommand) -> None:
    assert parse_sms(text) == expected


# --- replies

ALL_GSM7 = st.text(alphabet=GSM7_BASIC, max_size=60)


def answer_for(
    name: str = "B**I S*****O",
    kelurahan: str = "Metro",
    kecamatan: str = "Metro Pusat",
    tps_label: str = "TPS 005",
    polling_date: dt.date | None = dt.date(2024, 11, 27),
) -> NikAnswer:
    region = VoterRegion(
        provinsi=RegionRef(code="18", name="LAMPUNG"),
        kabkota=RegionRef(code="18.72", name="KOTA METRO"),
        kecamatan=RegionRef(code="18.72.01", name=kecamatan),
        kelurahan=RegionRef(code="18.72.01.1001", name=kelurahan),
    )
    tps = Tps(
        number=5, label=tps_label, address="Jl. Merdeka", lat=None, lon=None, kind="reguler", map_url=None
    )
    voter = Voter(id="v-1", name=name, gender="L", tps=tps, region=region)
    dataset = DatasetInfo(version="2024-1", election="Pilkada 2024", polling_date=polling_date)
    return NikAnswer(registered=True, voter=voter, dataset=dataset)


def test_registered_reply_reads_as_one_line() -> None:
    assert registered_reply(answer_for(), "id") == (
        "Terdaftar di DPT: B**I S*****O, TPS 005, Kel. Metro, Kec. Metro Pusat. Pemungutan suara 27-11-2024"
        " 07.00-13.00. Bawa KTP-el."
    )
    assert registered_reply(answer_for(polling_date=None), "en") == (
        "Registered in the DPT: B**I S*****O, TPS 005, Kel. Metro, Kec. Metro Pusat."
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_region_names_are_shortened_to_fit(language: Language) -> None:
    long_name = "Sukamaju Kidul Wetan Lor Dalam Kampung Baru " * 4
    reply = registered_reply(answer_for(kelurahan=long_name, kecamatan=long_name.upper()), language)
    assert fits_one_sms(reply)
    assert "Kel. Sukamaju" in reply and "Kec. SUKAMAJU" in reply and ".." in reply
    assert "27-11-2024" in reply and reply.endswith(("Bawa KTP-el.", "Bring your KTP-el."))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_field_absurdly_long_still_fits(language: Language) -> None:
    huge = "Ñ€{é’" * 200
    reply = registered_reply(answer_for(name=huge, kelurahan=huge, kecamatan=huge, tps_label=huge), language)
    assert fits_one_sms(reply)


@pytest.mark.parametrize("language", LANGUAGES)
def test_registered_reply_never_shows_the_full_name_or_a_nik(language: Language) -> None:
    full_name = "JOSÉ D’ARCY SANTOSO"
    reply = registered_reply(
        answer_for(name=full_name, kelurahan="Rajabasa Jaya", kecamatan="Rajabasa"), language
    )
    assert fits_one_sms(reply)
    assert "J**E D****Y S*****O" in reply
    for shown in (full_name, gsm_safe(full_name), "SANTOSO", "D'ARCY"):
        assert shown not in reply
    assert not SIXTEEN_DIGITS.search(reply)


@given(
    name=ALL_GSM7,
    kelurahan=st.text(max_size=80),
    kecamatan=st.text(max_size=80),
    language=st.sampled_from(LANGUAGES),
)
def test_registered_reply_always_fits(name: str, kelurahan: str, kecamatan: str, language: Language) -> None:
    assert fits_one_sms(
        registered_reply(answer_for(name=name, kelurahan=kelurahan, kecamatan=kecamatan), language)
    )


def test_an_answer_without_a_voter_gets_the_not_registered_reply() -> None:
    answer = answer_for()
    unregistered = NikAnswer(registered=False, voter=None, dataset=answer.dataset)
    assert registered_reply(unregistered, "id") == not_registered_reply("id")


@pytest.mark.parametrize("language", LANGUAGES)
def test_fixed_replies_fit_one_sms(language: Language) -> None:
    replies = [not_registered_reply(language), unavailable_reply(language), help_reply(language)]
    replies += [invalid_nik_reply(code, language) for code in (*NIK_CODES, "nik_unknown")]
    replies += [rate_limited_reply(seconds, language) for seconds in (0, 1, 60, 61, 3600, 10**9)]
    for reply in replies:
        assert fits_one_sms(reply), reply


@pytest.mark.parametrize("code", NIK_CODES)
def test_each_nik_problem_has_its_own_reason_and_the_format(code: str) -> None:
    others = {invalid_nik_reply(other, "id") for other in NIK_CODES if other != code}
    assert invalid_nik_reply(code, "id") not in others
    assert "DPT <16 angka NIK>" in invalid_nik_reply(code, "id")
    assert "CHECK <16-digit NIK>" in invalid_nik_reply(code, "en")


def test_rate_limited_reply_rounds_minutes_up() -> None:
    assert "1 menit" in rate_limited_reply(0, "id")
    assert "1 minute." in rate_limited_reply(60, "en")
    assert "2 minutes" in rate_limited_reply(61, "en")
    assert "60 menit" in rate_limited_reply(3600, "id")


def test_help_reply_shows_the_format() -> None:
    assert "DPT <NIK 16 angka>" in help_reply("id") and "EN" in help_reply("id")
    assert "CHECK <16-digit NIK>" in help_reply("en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Désirée’s “café”", 'Desiree\'s "cafe"'),
        ("Nguyễn  Văn\tA", "Nguyen Van A"),
        ("a[b]{c}€", "a(b)(c)?"),
        ("王", "?"),
    ],
)
def test_gsm_safe_folds_to_the_basic_table(text: str, expected: str) -> None:
    assert gsm_safe(text) == expected


def test_fits_one_sms_counts_extension_characters_twice() -> None:
    assert fits_one_sms("a" * 160)
    assert not fits_one_sms("a" * 161)
    assert fits_one_sms("€" * 80)
    assert not fits_one_sms("€" * 80 + "a")
    assert not fits_one_sms("naïve")
    assert fits_one_sms("")
