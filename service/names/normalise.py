"""Name normalisation: one folded key for every way an Indonesian name is written.

`fold_name("H. MOCH. DJOKO SOEPRIJADI, S.PD.")` and `fold_name("muhamad joko suprijadi")` give the
same key. Titles and degrees go, abbreviations are expanded, and old and new spellings are folded
*both ways* to one form (a one-way converter breaks names: fold both sides to one key).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Honorifics and titles written before a name (compared without dots, lower case).
PREFIX_TITLES = frozenset({
    "h", "hj", "hjh", "haji", "hajjah", "drs", "dra", "ir", "dr", "drg", "kh", "prof", "r", "ra", "rr",
    "raden", "ust", "ustadz", "ustadzah", "tgh", "kyai", "nyai", "bpk", "ibu", "sdr", "sdri", "tn", "ny",
})  # fmt: skip
# Academic degrees and professional titles written after a name.
SUFFIX_TITLES = frozenset({
    "spd", "spdi", "sh", "shi", "se", "sei", "amd", "amdkeb", "amdkep", "amdkom", "ama", "amapd", "ssos",
    "sag", "sip", "skom", "st", "sst", "ssi", "sp", "spt", "skm", "skep", "sked", "sfarm", "sthi", "stp",
    "sikom", "sak", "mm", "mpd", "mpdi", "msi", "mh", "mkes", "mag", "mt", "mba", "msc",
    "phd", "ners", "bsc", "dipl", "hc", "mhum", "mkom", "mkn", "mars", "ssn",
})  # fmt: skip
# Abbreviations and spellings that stand for one name (folded form on the right).
ABBREVIATIONS = {
    **dict.fromkeys(
        ("m", "mhd", "mh", "moh", "mohd", "moch", "mochd", "much", "muh", "muhd", "md", "mochamad",
         "mochammad", "mohamad", "mohammad", "mohamed", "muhamad", "muhammad", "muchammad",
         "muchamad", "mukhammad", "mukhamad", "muhamat", "mohamat"),
        "muhammad",
    ),
    "abd": "abdul",
    "st": "siti",
    "sitti": "siti",
}  # fmt: skip

_SPACES = re.compile(r"\s+")
_LETTERS_AND_SPACES = re.compile(r"[A-Za-z ]+")
_NON_LETTERS = re.compile(r"[^a-z\s]")
_DEGREE_TAIL = re.compile(r",.*$")  # "SITI AMINAH, S.PD., M.M." - everything after a comma
_DOUBLED = re.compile(r"(.)\1+")
_H_AFTER_CONSONANT = re.compile(r"(?<=[bcdfgjklmnpqrstvwxz])h")
# Old (van Ophuijsen / Soewandi) and new spellings, and letters Indonesians write interchangeably,
# folded to one side. Order matters: digraphs before the letters inside them. Old TJ is both C
# (Tjahjo/Cahyo) and T+Y (Setjo/Setyo), and old DJ both J and D+Y (Widja/Widya): TY and DY
# fold with them.
_FOLDS = (
    ("oe", "u"), ("ie", "i"), ("dj", "j"), ("tj", "c"), ("ty", "c"), ("dy", "j"), ("ch", "h"), ("kh", "h"),
    ("sj", "sy"), ("nj", "ny"), ("ts", "s"), ("dz", "z"),
    ("z", "j"), ("j", "y"), ("sy", "s"), ("iya", "ia"), ("iye", "ie"), ("iyo", "io"), ("iyu", "iu"),
    ("uw", "u"), ("v", "p"), ("f", "p"), ("q", "k"),
    ("x", "ks"),
)  # fmt: skip
# Javanese and Sundanese renderings of Arabic-derived names (and Batak marga that share them):
# ai/ae/e before a consonant (ZAINAL/ZAENAL/ZENAL, PANJAITAN/PANJAETAN, SIRAIT/SIRET), a/o in
# the first syllable before h or l (RAHMAN/ROHMAN, SALEH/SOLEH; not DONI/DANI), and voiceless
# finals (ZAINAB/ZAINAP; final d/t below). An h dropped between vowels (SAHID/SAID) is left to the
# scoring's slip tolerance: folded away it made MAHESWARA meet MESWARA.
_AI_AE = re.compile(r"a[ie](?=[^aeiou])")
_FIRST_SYLLABLE_O = re.compile(r"^([^aeiou]+)o(?=[hl])")


def _plain(name: str) -> str:
    """Lower case, accents off, apostrophes and backticks dropped (Ma'ruf -> maruf)."""
    text = name
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("\u2019", "")
    return text.lower().replace("'", "").replace("`", "")


def raw_tokens(name: str) -> list[str]:
    """The words of a name as typed, lower case, dots and punctuation removed; titles kept."""
    if _LETTERS_AND_SPACES.fullmatch(name):  # most DPT names: no punctuation to deal with
        return name.lower().split()
    text = _DEGREE_TAIL.sub("", _plain(name))
    words = _SPACES.split(text.replace("-", " ").replace("/", " "))
    # Dots go inside a word (S.PD -> spd, M. -> m) so abbreviations stay one token.
    tokens = [_NON_LETTERS.sub("", word.replace(".", "")) for word in words]
    return [token for token in tokens if token]


def is_only_titles(name: str) -> bool:
    """True for "H." or "Drs. S.Pd.": nothing left to search for once titles are gone."""
    tokens = raw_tokens(name)
    return bool(tokens) and all(token in PREFIX_TITLES or token in SUFFIX_TITLES for token in tokens)


@lru_cache(maxsize=65_536)
def _is_prefix_title(token: str) -> bool:
    # Folded forms count too, so that folding a folded name changes nothing (IER folds to IR,
    # CH to H).
    return token in PREFIX_TITLES or fold_token(token) in _folded(PREFIX_TITLES, shortest=1)


@lru_cache(maxsize=65_536)
def _is_suffix_title(token: str) -> bool:
    # One-letter folds (MH -> M) would swallow a final initial such as the M. of Muhammad.
    return token in SUFFIX_TITLES or fold_token(token) in _folded(SUFFIX_TITLES, shortest=2)


@lru_cache(maxsize=2)
def _folded(titles: frozenset[str], shortest: int) -> frozenset[str]:
    """The titles that folding leaves as they are: a word that folds onto one of them would be
    dropped as a title once its name is folded, so it is dropped now. The folded form of a title
    that folding changes is no title itself: SYTI (a slip of SITI) folds to sti, as S.THI does,
    and is a name word."""
    return frozenset(title for title in titles if fold_token(title) == title and len(title) >= shortest)


def name_tokens(name: str) -> list[str]:
    """The words of a name with titles and degrees removed and abbreviations expanded.

    Not yet spelling-folded: `["muhammad", "djoko", "soeprijadi"]`.
    """
    tokens = raw_tokens(name)
    while len(tokens) > 1 and _is_prefix_title(tokens[0]):
        tokens.pop(0)
    while len(tokens) > 1 and _is_suffix_title(tokens[-1]):
        tokens.pop()
    return [ABBREVIATIONS.get(token, token) for token in tokens]


@lru_cache(maxsize=65_536)
def fold_token(token: str) -> str:
    """One word folded: `soeprijadi` -> `supriadi`, `djoko` -> `yoko`, `muhammad` -> `muhamat`.

    Applied until nothing changes, so folding a folded word changes nothing (one rule can make
    work for another: `atd` -> `att` -> `at`).
    """
    folded = token
    while True:
        before = folded
        if len(folded) > 3:  # before the letter folds, which would hide the vowels' neighbours
            folded = _AI_AE.sub("e", folded)
        for old, new in _FOLDS:
            folded = folded.replace(old, new)
        folded = _H_AFTER_CONSONANT.sub("", folded)
        if len(folded) > 2 and folded.endswith("h"):
            folded = folded[:-1]
        if len(folded) > 2 and folded.endswith("d"):  # Ahmad/Ahmat, Rahmad/Rahmat: final d is said t
            folded = folded[:-1] + "t"
        if len(folded) > 2 and folded.endswith("b"):  # Zainab/Zainap, Ayub/Ayup
            folded = folded[:-1] + "p"
        if len(folded) > 3:
            folded = _FIRST_SYLLABLE_O.sub(r"\1a", _AI_AE.sub("e", folded))
        folded = _DOUBLED.sub(r"\1", folded)
        if folded == before:
            return folded


def is_title_word(token: str) -> bool:
    """A word that is a title or degree wherever it stands (RADEN, S.PD written as spd)."""
    return _is_prefix_title(token) or _is_suffix_title(token)


_VOWEL_H = re.compile(r"(?<=[aeiou])h(?=[aeiou])")


@lru_cache(maxsize=65_536)
def without_vowel_h(token: str) -> str:
    """A word folded with every h between two vowels dropped (zahid and zaid give one form)."""
    return fold_word(_VOWEL_H.sub("", token))


@lru_cache(maxsize=65_536)
def fold_word(token: str) -> str:
    """A word of a name folded; a fold that lands on an abbreviation (MM -> M) is expanded too,
    so that folding a folded name changes nothing."""
    folded = fold_token(token)
    expanded = ABBREVIATIONS.get(folded)
    return fold_token(expanded) if expanded else folded


def folded_tokens(name: str) -> list[str]:
    return [fold_word(token) for token in name_tokens(name)]


def compact_key(name: str) -> str:
    """The whole name folded as one word, so NUR HAYATI and NURHAYATI compare equal."""
    return fold_token("".join(folded_tokens(name)))


class Words(NamedTuple):
    """A name ready for scoring: its words folded and as written (same order), and compact."""

    folded: list[str]
    raw: list[str]
    compact: str


def words_of(name: str) -> Words:
    raw = name_tokens(name)
    folded = [fold_word(token) for token in raw]
    # Joined after folding word by word, so that a rendering folds the same in any word
    # (BUDI ROHMAN / BUDI RAHMAN), then folded again across the joins (NUR HAYATI / NURHAYATI).
    return Words(folded, raw, fold_token("".join(folded)))


def fold_name(name: str) -> str:
    """The folded key: folded tokens joined by one space (empty when nothing but titles)."""
    return " ".join(folded_tokens(name))


@lru_cache(maxsize=65_536)
def token_keys(token: str) -> tuple[str, ...]:
    """Blocking keys of one folded word: its first three letters and, for longer words, `>` and
    its last three; one typo breaks at most one of the two in words of six letters or more.
    A merged name (nurayati) shares keys with the split one (nur ayati)."""
    if len(token) <= 3:
        return (token,)
    return (token[:3], ">" + token[-3:])


@lru_cache(maxsize=131_072)
def word_search_fields(token: str, kabkota_prefix: str) -> tuple[str, str]:
    """One word of a name as the importer stores it: (folded word, its kab/kota-qualified keys
    joined by commas). Cached: a DPT has far fewer distinct words than voters."""
    folded = fold_word(token)
    return folded, ",".join(kabkota_prefix + key for key in token_keys(folded))


class _StoredWord(NamedTuple):
    spelling: str  # as written, lower case, an abbreviation expanded (as in name_tokens)
    folded: str
    keys: str  # kab/kota-qualified blocking keys joined by commas
    prefix_title: bool  # dropped when it opens a name (H., DRS.)
    suffix_title: bool  # dropped when it closes a name (S.PD.)


class StoredName(NamedTuple):
    """A name's search fields as the importer stores them."""

    key: str  # the folded words joined by one space
    keys: str  # the blocking keys of every word as a PostgreSQL array literal
    words: frozenset[str]  # the distinct folded words
    spellings: frozenset[str]  # the distinct words as written (name_tokens)


class NameStore:
    """Search fields of the names of one kab/kota, from a per-word cache: a DPT has far fewer
    distinct words than voters, and most names are plain upper-case letters and spaces, which
    need no more than a split (same result as `name_tokens` and `word_search_fields`)."""

    CACHE_LIMIT = 100_000  # words; keeps a worker's memory flat even for a national file

    def __init__(self, kabkota_prefix: str):
        self.kabkota_prefix = kabkota_prefix
        self._words: dict[str, _StoredWord] = {}

    def __call__(self, name: str) -> StoredName:
        if not (name.isascii() and name.replace(" ", "").isalpha()):
            tokens = name_tokens(name)
            fields = [word_search_fields(token, self.kabkota_prefix) for token in tokens]
            return self._stored([folded for folded, _ in fields], [keys for _, keys in fields], tokens)
        cache = self._words
        words = [cache.get(word) or self._word(word) for word in name.split()]
        if words[0].prefix_title or words[-1].suffix_title:
            first, end = 0, len(words)
            while end - first > 1 and words[first].prefix_title:
                first += 1
            while end - first > 1 and words[end - 1].suffix_title:
                end -= 1
            words = words[first:end]
        return self._stored(
            [word.folded for word in words], [word.keys for word in words], [word.spelling for word in words]
        )

    @staticmethod
    def _stored(folded: list[str], keys: list[str], spellings: list[str]) -> StoredName:
        # A key repeated by two words is stored twice; the GIN index keeps it once.
        return StoredName(
            " ".join(folded), "{" + ",".join(keys) + "}", frozenset(folded), frozenset(spellings)
        )

    def _word(self, word: str) -> _StoredWord:
        token = word.lower()
        spelling = ABBREVIATIONS.get(token, token)
        folded, keys = word_search_fields(spelling, self.kabkota_prefix)
        if len(self._words) >= self.CACHE_LIMIT:
            self._words.clear()
        stored = _StoredWord(spelling, folded, keys, _is_prefix_title(token), _is_suffix_title(token))
        self._words[word] = stored
        return stored
