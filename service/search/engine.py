"""Name search: find a voter by name in a region, however the name is spelled, and say honestly
whether the best answer is this person.

Retrieval is plain PostgreSQL (no extension): public searches read everyone in the region born
on the given day; help-desk searches read the voters carrying a pair of blocking keys (GIN on
`name_keys`) taken from the rarest words of the typed name. Candidates are then scored in Python
(service/names/scoring.py, rapidfuzz), and only the best may be flagged confident.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

import asyncpg
import msgspec
from rapidfuzz import fuzz, process

from service.names.masking import mask_name
from service.names.normalise import Words, token_keys, words_of
from service.names.scoring import NameMatch, TokenWeights, match_name
from service.schemas import SearchResult
from service.store import Store
from service.store.queries import QUERIES, Connection
from service.voters.answers import voter_from_record
from service.voters.published import PublishedDataset

MIN_SCORE = 50.0  # below this a candidate is someone else: not shown, least of all to the public
MAX_CANDIDATES = 600  # a safety cap on what one key pair reads from PostgreSQL
SCORED = 150  # candidates scored word by word after a fast whole-name prefilter
KEY_WORDS = 3  # how many of the rarest typed words choose the candidates
# A best answer is "this is you" only when it scores this high and this far ahead of the next.
CONFIDENT = {"public": (80.0, 4.0), "helpdesk": (88.0, 4.0)}
_SAME_COVERAGE = 0.1
# How firmly every telling typed word must match. Without a birth date a slip in a short word
# (DIAH/WIA) may be another person; with one, only a word with no counterpart at all rules out.
FIRM_WORD = {"public": 0.01, "helpdesk": 0.8}
# In a whole kab/kota, two words each one letter off (EVI HARJATI / DEVI MARYATI) are as often
# a neighbour as a double typo; with a birth date the neighbour would have to share the day too.
MAX_INEXACT_WORDS = {"public": 3, "helpdesk": 1}
_MIN_VOTER_COVERAGE = 0.5  # "BUDI" alone does not say which BUDI SANTOSO WIBOWO
_TOKEN_CACHE_SIZE = 200_000


class SearchHit(msgspec.Struct, frozen=True):
    voter_id: str
    nik_hash: bytes
    name: str
    score: float
    confident: bool
    kelurahan_code: str


class _Candidate(msgspec.Struct):
    record: asyncpg.Record
    tokens: list[str]
    match: NameMatch | None = None

    @property
    def score(self) -> float:
        return self.match.score if self.match else 0.0

    @property
    def id(self) -> int:
        return int(self.record["id"])


class _Ranking:
    """The candidates scored so far for one search, best first."""

    def __init__(self, query: Words, mode: str) -> None:
        self.words = query
        self.query = query.folded
        self.mode = mode
        self.scored: dict[int, _Candidate] = {}

    def add(self, candidates: list[_Candidate], weights: TokenWeights) -> None:
        for candidate in candidates:
            candidate.match = match_name(self.words, words_of(candidate.record["name"]), weights)
            self.scored[candidate.id] = candidate

    def best(self, limit: int) -> list[_Candidate]:
        # Every typed word found as is beats a closer-scoring candidate that needs a typo:
        # HENDRA TANUDJAJA is HENDRA YOHANES TANUDJAJA before HENDRA TANJAYA.
        ranked = sorted(self.scored.values(), key=lambda c: (_names_all_words(c), c.score), reverse=True)
        return [c for c in ranked if c.score >= MIN_SCORE][:limit]

    def decided(self) -> bool:
        """Whether the best candidate so far is already a confident answer."""
        return bool(_confident_flags(self.best(2), self.mode)[:1] == [True])


def key_pairs(
    query: list[str], weights: TokenWeights, kabkota: str, words: int, *, alone: bool = False
) -> list[tuple[str, str]]:
    """Pairs of blocking keys that the right voter must both carry.

    From the `words` rarest typed words, every two words give the four pairs (one key of each);
    so the voter is found if two of those words are in their name with at most one typo each.
    With `alone` (or a one-word name) each key pairs with itself: any one word is enough.
    """
    rarest = sorted(set(query), key=lambda token: (weights.counts.get(token, 0), -len(token)))[:words]
    prefix = kabkota.replace(".", "")
    keys = [[prefix + key for key in token_keys(token)] for token in rarest]
    if alone or len(keys) == 1:
        return sorted({(key, key) for group in keys for key in group})
    pairs = {
        (min(a, b), max(a, b))
        for i, first in enumerate(keys)
        for second in keys[i + 1 :]
        for a in first
        for b in second
    }
    return sorted(pairs)


def _names_all_words(candidate: _Candidate) -> bool:
    match = candidate.match
    return match is not None and match.exact and match.voter_coverage >= _MIN_VOTER_COVERAGE


def _confident_flags(ranked: list[_Candidate], mode: str) -> list[bool]:
    """Only the best can be "this is you".

    Never when a typed word is none of the voter's words (or, without a birth date, only a
    weak likeness of one, or two words need a typo each), or the query names too little of the
    voter. An exact match (every typed word found as is) is confident unless another candidate
    matches exactly and names about as much of its voter (SITI ROMLAH is not SITI ROMLAH
    SETYOWATI, but ATIK HARYATI could be ATIK JIHAN HARYATI or ATIK HARYATI SUSANTI); any
    other best must score high enough and stand clearly ahead of the next.
    """
    flags = [False] * len(ranked)
    if not ranked or ranked[0].match is None:
        return flags
    best, others = ranked[0].match, [c.match for c in ranked[1:] if c.match is not None]
    if (
        best.weakest_word < FIRM_WORD[mode]
        or best.inexact_words > MAX_INEXACT_WORDS[mode]
        or best.voter_coverage < _MIN_VOTER_COVERAGE
    ):
        return flags
    rivals = [o for o in others if o.exact and o.voter_coverage >= _MIN_VOTER_COVERAGE]
    if best.exact:
        flags[0] = not any(o.voter_coverage >= best.voter_coverage - _SAME_COVERAGE for o in rivals)
        return flags
    threshold, margin = CONFIDENT[mode]
    runner_up = others[0].score if others else 0.0
    flags[0] = not rivals and best.score >= threshold and best.score - runner_up >= margin
    return flags


def region_pattern(region: str) -> str:
    """A kelurahan matches itself; a kecamatan or kab/kota matches every kelurahan inside it."""
    return region if region.count(".") == 3 else region + ".%"


class NameSearch:
    """One per worker; keeps word counts it has looked up (they change only with the dataset)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._token_counts: OrderedDict[tuple[int, str], int] = OrderedDict()
        self._dataset_voters: dict[int, int] = {}

    async def results(
        self, dataset: PublishedDataset, hits: list[SearchHit], *, masked: bool
    ) -> list[SearchResult]:
        """The full answer (TPS, region names) for each hit, in the hits' order."""
        if not hits:
            return []
        found = await self.store.rows(
            "voters-by-nik-hashes", dataset_id=dataset.id, nik_hashes=[hit.nik_hash for hit in hits]
        )
        records = {record["nik_hash"]: record for record in found}
        results = []
        for hit in hits:
            voter = voter_from_record(records[hit.nik_hash], masked=masked)
            results.append(
                SearchResult(**msgspec.structs.asdict(voter), score=hit.score, confident=hit.confident)
            )
        return results

    async def search(
        self,
        dataset_id: int,
        *,
        name: str,
        region: str,
        birth_date: dt.date | None,
        limit: int,
        masked: bool,
    ) -> list[SearchHit]:
        words = words_of(name)
        query = words.folded
        if not query:
            return []
        mode = "public" if birth_date else "helpdesk"
        ranking = _Ranking(words, mode)
        async with self.store.connection() as conn:
            weights = await self._weights(conn, dataset_id, query)
            if birth_date is not None:
                records = await QUERIES["search-by-birth-date"].rows(
                    conn, dataset_id=dataset_id, birth_date=birth_date, region_pattern=region_pattern(region)
                )
                await self._rank(conn, dataset_id, ranking, records)
            else:
                # The two rarest words usually decide; a third is asked only when they did not
                # (an extra or misspelt word among them), and as a last resort any key of the two
                # rarest words alone (a word misspelt at both ends); most searches make one query.
                seen: set[tuple[str, str]] = set()
                for word_count, alone in ((2, False), (KEY_WORDS, False), (2, True)):
                    pairs = [
                        pair
                        for pair in key_pairs(query, weights, region[:5], word_count, alone=alone)
                        if pair not in seen
                    ]
                    if not pairs:
                        break
                    seen.update(pairs)
                    records = await QUERIES["search-by-keys"].rows(
                        conn,
                        dataset_id=dataset_id,
                        first_keys=[first for first, _ in pairs],
                        second_keys=[second for _, second in pairs],
                        region_pattern=region_pattern(region),
                        max_candidates=MAX_CANDIDATES,
                    )
                    await self._rank(conn, dataset_id, ranking, records)
                    if ranking.decided():
                        break
        return self._hits(ranking.best(limit), mode, masked)

    async def _rank(
        self,
        conn: Connection,
        dataset_id: int,
        ranking: _Ranking,
        records: list[asyncpg.Record],
    ) -> None:
        candidates = [
            c for c in self._prefilter(" ".join(ranking.query), records) if c.id not in ranking.scored
        ]
        tokens = sorted({token for c in candidates for token in c.tokens} | set(ranking.query))
        weights = await self._weights(conn, dataset_id, tokens)
        ranking.add(candidates, weights)

    @staticmethod
    def _prefilter(query_key: str, records: list[asyncpg.Record]) -> list[_Candidate]:
        """At C speed, keep the candidates closest by words (any order, subsets) or as one string
        (merged or split words); only those are scored word by word."""
        if len(records) > SCORED:
            keys = [r["name_key"] for r in records]
            by_words = process.extract(query_key, keys, scorer=fuzz.token_set_ratio, limit=SCORED)
            compact = query_key.replace(" ", "")
            by_string = process.extract(
                compact, [key.replace(" ", "") for key in keys], scorer=fuzz.ratio, limit=SCORED // 3
            )
            chosen = sorted({index for _, _, index in by_words} | {index for _, _, index in by_string})
            records = [records[index] for index in chosen]
        return [_Candidate(record, record["name_key"].split()) for record in records]

    @staticmethod
    def _hits(ranked: list[_Candidate], mode: str, masked: bool) -> list[SearchHit]:
        return [
            SearchHit(
                voter_id=format(candidate.id, "016x"),
                nik_hash=candidate.record["nik_hash"],
                name=mask_name(candidate.record["name"]) if masked else candidate.record["name"],
                score=round(candidate.score, 1),
                confident=confident,
                kelurahan_code=candidate.record["kelurahan_code"],
            )
            for candidate, confident in zip(ranked, _confident_flags(ranked, mode), strict=True)
        ]

    async def _weights(self, conn: Connection, dataset_id: int, tokens: list[str]) -> TokenWeights:
        missing = [token for token in tokens if (dataset_id, token) not in self._token_counts]
        if missing:
            rows = await QUERIES["token-counts"].rows(conn, dataset_id=dataset_id, tokens=missing)
            found: dict[str, int] = {row["token"]: row["voters"] for row in rows}
            for token in missing:
                self._token_counts[dataset_id, token] = found.get(token, 0)
            while len(self._token_counts) > _TOKEN_CACHE_SIZE:
                self._token_counts.popitem(last=False)
        if dataset_id not in self._dataset_voters:
            self._dataset_voters[dataset_id] = await QUERIES["dataset-voters"].value(
                conn, dataset_id=dataset_id
            )
        counts = {token: self._token_counts[dataset_id, token] for token in tokens}
        return TokenWeights(counts, self._dataset_voters[dataset_id])
