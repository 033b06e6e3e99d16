"""The SMS command grammar: what a resident typed (`DPT <NIK>`, `CEK#<NIK>`, ...) as a command.

Parsing is forgiving and never fails: anything that is not a NIK check is a request for help.
The NIK itself is only cut out here; `service.nik.parse.parse_nik` decides whether it is valid.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

import msgspec

from service.language import Language
from service.nik.parse import normalise_nik

CommandKind = Literal["check", "help"]

CHECK_WORDS = frozenset({"DPT", "CEK", "CEKDPT", "CHECK", "NIK"})
HELP_WORDS = frozenset({"INFO", "BANTUAN", "HELP", "?"})
ENGLISH_PREFIX = "EN"
ENGLISH_CHECK_WORD = "CHECK"
# "CEK DPT <NIK>", "CHECK NIK <NIK>": at most this many keywords are read before the NIK.
MAX_CHECK_WORDS = 2

# Typed between keyword and NIK, or left at either end; whitespace of any kind counts too.
SEPARATOR_PUNCTUATION = frozenset("#.-:,/_\u2010\u2011\u2012\u2013\u2014\u2015")

# A keyword is a run of ASCII letters (full-width letters are folded by NFKC first), or `?`.
_WORD = re.compile(r"[A-Za-z]+|\?")


class SmsCommand(msgspec.Struct, frozen=True):
    kind: CommandKind
    nik_text: str | None  # the NIK part of the message, still to be validated by parse_nik
    language: Language


def parse_sms(text: str) -> SmsCommand:
    """Read one incoming SMS: `[EN] [keyword] <NIK>` checks a NIK; anything else asks for help."""
    message = _strip_separators(unicodedata.normalize("NFKC", text))
    language: Language = "id"
    word, rest = _first_word(message)
    if word == ENGLISH_PREFIX:
        language = "en"
        message = rest
        word, rest = _first_word(message)
    if word in HELP_WORDS:
        return SmsCommand("help", None, language)
    if word not in CHECK_WORDS:
        # No keyword: a bare NIK, or something that is clearly not one.
        if _mostly_digits(message):
            return SmsCommand("check", message, language)
        return SmsCommand("help", None, language)
    for _ in range(MAX_CHECK_WORDS):
        if word not in CHECK_WORDS:
            break
        if word == ENGLISH_CHECK_WORD:
            language = "en"
        message = rest
        word, rest = _first_word(message)
    if not message:
        return SmsCommand("help", None, language)
    return SmsCommand("check", message, language)


def _is_separator(char: str) -> bool:
    return char.isspace() or char in SEPARATOR_PUNCTUATION


def _strip_separators(text: str) -> str:
    """Drop separators at both ends; a loop rather than a regex, so it stays linear."""
    start, end = 0, len(text)
    while start < end and _is_separator(text[start]):
        start += 1
    while end > start and _is_separator(text[end - 1]):
        end -= 1
    return text[start:end]


def _first_word(message: str) -> tuple[str, str]:
    """The leading keyword-like word in capitals and the rest after its separators."""
    match = _WORD.match(message)
    if match is None:
        return "", message
    return match.group().upper(), _strip_separators(message[match.end() :])


def _mostly_digits(message: str) -> bool:
    """More than half digits once NIK separators are dropped: a NIK, perhaps mistyped."""
    compact = normalise_nik(message)
    digits = sum(char.isdigit() for char in compact)
    return digits * 2 > len(compact)
