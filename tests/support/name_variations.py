"""The variations of the independent name-search set (tests/support/independent_names.py): what
people type for a name, by operators written for this set rather than the ones the matcher was
tuned on (tests/support/name_eval.py). Each takes a name's words and returns them changed, with a
note of what was done, or None when it does not apply; plus the set's own Arabic-derived names
and titles.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Sequence
from typing import Final

from faker.providers.person.id_ID import Provider as IndonesianNames

# Arabic-derived names in the spellings found in Indonesian registers (Faker's id_ID lists have
# few of them, and they carry the vernacular renderings the issue is about).
ARABIC_M: Final = (
    "RAHMAN", "ABDURRAHMAN", "SALEH", "ZAINAL", "AHMAD", "ISHAQ", "NATSIR", "THAMRIN", "SYAIFUDDIN",
    "NURUDDIN", "KHAIRUL", "RAHMAT", "ROHIM", "SOLIHIN", "ZAKARIA", "HIDAYAT", "FAUZAN", "YUSUF",
    "ARIFIN", "TAUFIQ", "HAMZAH", "ZULKIFLI", "FATHURRAHMAN", "MAHMUD", "SYAMSUDDIN", "KHOLIL",
    "MUKHLIS", "DZULKARNAIN", "ABDULLAH", "HASAN", "HUSAIN", "JAMALUDDIN", "SAIFUL", "ISMAIL",
    "IBRAHIM", "YAQUB", "MUHAMMAD", "ABDUL", "NUR", "FAISAL", "ZAHID", "MASRUR", "ASYARI",
)  # fmt: skip
ARABIC_F: Final = (
    "SITI", "NUR", "ZAINAB", "MAIMUNAH", "SAFITRI", "FATIMAH", "KHADIJAH", "AISYAH", "ZULAIKHA",
    "RAHMAWATI", "SOLEHAH", "HALIMAH", "NURJANAH", "MARYAM", "ROHMAH", "ZAHRA", "LAILA", "NAFISAH",
    "MUTHMAINNAH", "QURROTA", "AINUN", "KHAIRUNNISA", "SYARIFAH", "HAFSAH", "UMMI", "FAIZAH",
)  # fmt: skip
PREFIX_M: Final = ("H.", "DRS.", "IR.", "DR.", "KH.", "R.")
PREFIX_F: Final = ("HJ.", "DRA.", "IR.", "DR.")
SUFFIXES: Final = tuple(s.upper() for s in IndonesianNames.suffixes if s.upper() not in {"S.GZ"})
TITLES: Final = frozenset({*PREFIX_M, *PREFIX_F, *SUFFIXES, "S.E", "S.PD", "S.KOM", "S.H", "M.M"})


Words = list[str]
Change = Callable[[Words, random.Random, str], tuple[Words, str] | None]
_VOWELS: Final = "AEIOU"


def core_words(name: str) -> Words:
    """A DPT name's words without its titles and degrees."""
    head, _, _degree = name.partition(",")
    words = head.split()
    while len(words) > 1 and words[0] in TITLES:
        words.pop(0)
    return words


def _typo(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    at = rng.randrange(len(words))
    word = words[at]
    if len(word) < 3:
        return None
    operation = rng.choice(("substitute", "delete", "insert", "transpose"))
    pos = rng.randrange(len(word))
    if operation == "delete":
        changed = word[:pos] + word[pos + 1 :]
    elif operation == "insert":
        changed = word[:pos] + rng.choice(string.ascii_uppercase) + word[pos:]
    elif operation == "transpose" and pos < len(word) - 1 and word[pos] != word[pos + 1]:
        changed = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    else:
        changed = (
            word[:pos] + rng.choice([c for c in string.ascii_uppercase if c != word[pos]]) + word[pos + 1 :]
        )
    return [*words[:at], changed, *words[at + 1 :]], f"typo {word}->{changed}"


def _rewrite(rules: Sequence[tuple[str, str, str]]) -> Change:
    compiled = [(label, re.compile(pattern), target) for label, pattern, target in rules]

    def change(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
        options = [
            (at, label, changed)
            for at, word in enumerate(words)
            for label, pattern, target in compiled
            if (changed := pattern.sub(target, word, count=1)) != word
        ]
        if not options:
            return None
        at, label, changed = rng.choice(options)
        return [*words[:at], changed, *words[at + 1 :]], f"{label} {words[at]}->{changed}"

    return change


# Javanese and Sundanese renderings of Arabic-derived names, and the Batak marga that share them.
_ARABIC: Final = frozenset({*ARABIC_M, *ARABIC_F})
_vernacular = _rewrite((
    # a/o in the first syllable only in Arabic-derived names (see _a_o): RAHMAN/ROHMAN.
    ("ai>ae", r"AI(?=[^AEIOU])", "AE"), ("ae>ai", r"AE(?=[^AEIOU])", "AI"), ("ai>e", r"AI(?=[^AEIOU])", "E"),
    ("d>t", r"D$", "T"), ("b>p", r"B$", "P"), ("q>k", r"Q", "K"), ("ts>s", r"TS", "S"),
    ("dz>z", r"DZ", "Z"), ("th>t", r"TH", "T"), ("uddin>udin", r"UDDIN", "UDIN"),
))  # fmt: skip
_arabic_a_o = _rewrite((("a>o", r"^([^AEIOU]+)A(?=[HL])", r"\1O"), ("o>a", r"^([^AEIOU]+)O(?=[HL])", r"\1A")))


def _vernacular_rendering(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    arabic = [at for at, word in enumerate(words) if word in _ARABIC]
    if arabic and rng.random() < 0.4:
        at = rng.choice(arabic)
        changed = _arabic_a_o([words[at]], rng, gender)
        if changed is not None:
            return [*words[:at], changed[0][0], *words[at + 1 :]], changed[1]
    return _vernacular(words, rng, gender)


_phonetic = _rewrite((
    ("f>p", r"F", "P"), ("p>f", r"(?<=[AEIOU])P", "F"), ("v>f", r"V", "F"), ("z>j", r"Z", "J"),
    ("kh>h", r"KH", "H"), ("sy>s", r"SY", "S"), ("h-drop", r"(?<=[AEIOU])H(?=[AEIOU])", ""),
))  # fmt: skip
_old_spelling = _rewrite((
    ("u>oe", r"U", "OE"), ("j>dj", r"(?<![DNS])J", "DJ"), ("c>tj", r"C(?!H)", "TJ"),
    ("y>j", r"(?<![NS])Y", "J"), ("oe>u", r"OE", "U"),
))  # fmt: skip
_given_form = _rewrite((
    ("muhammad", r"^MUHAMMAD$", "M."), ("muhammad", r"^MUHAMMAD$", "MOCH."),
    ("muhammad", r"^MUHAMMAD$", "MUHAMAD"),
    ("ahmad", r"^AHMAD$", "ACHMAD"), ("abdul", r"^ABDUL$", "ABD."), ("siti", r"^SITI$", "ST."),
    ("siti", r"^SITI$", "SITTI"),
))  # fmt: skip


def _merged(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    if len(words) < 2:
        return None
    at = rng.randrange(len(words) - 1)
    return [*words[:at], words[at] + words[at + 1], *words[at + 2 :]], f"merged {words[at]} {words[at + 1]}"


def _order(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    if len(words) < 2:
        return None
    return [words[-1], *words[:-1]], "last word first"


def _dropped(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    if len(words) < 3:
        return None
    at = rng.randrange(1, len(words) - 1)
    return [*words[:at], *words[at + 1 :]], f"dropped {words[at]}"


def _title(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    title = rng.choice(PREFIX_F if gender == "P" else PREFIX_M)
    return [title, *words], f"added {title}"


def _noise(words: Words, rng: random.Random, gender: str) -> tuple[Words, str] | None:
    return [word.lower() if rng.random() < 0.7 else word.title() for word in words], "case"


CHANGES: Final[dict[str, Change]] = {
    "typo": _typo,
    "vernacular": _vernacular_rendering,
    "phonetic": _phonetic,
    "merged": _merged,
    "old_spelling": _old_spelling,
    "given_form": _given_form,
    "order": _order,
    "dropped_middle": _dropped,
    "title": _title,
    "noise": _noise,
}
KINDS: Final = tuple(CHANGES)
# The kinds the issue found failing are drawn more often than the ones that already held.
KIND_WEIGHTS: Final = (4, 3, 3, 2, 1, 1, 1, 1, 1, 1)
# Drawn kinds are applied in this order: spellings of words, then a slip, then the shape of the
# name, and a title and the case last (a typo never lands inside an added title).
APPLY_ORDER: Final = (
    "given_form", "old_spelling", "vernacular", "phonetic", "typo", "dropped_middle", "order", "merged",
    "title", "noise",
)  # fmt: skip
