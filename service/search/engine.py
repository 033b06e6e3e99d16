"""Name search: find a voter by name in a region, however the name is spelled, and say honestly
whether the best answer is this person.

Retrieval is plain PostgreSQL (no extension): public searches read everyone in the region born
on the given day; help-desk searches first correct each typed word against the dataset's own name
words (service/search/vocabulary.py), then read the voters carrying every blocking key of one or
two of those words (GIN on `name_keys`), widening only while no answer is confident or as good
as the wider steps could give (a namesake, one slip). Candidates are then scored in Python
(service/names/scoring.py, rapidfuzz), and only the best may be flagged confident
(service/search/confidence.py).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict

import asyncpg
import msgspec
from rapidfuzz import fuzz, process

from service.names.masking import mask_name
from service.names.normalise import Words, token_keys, words_of
from service.names.scoring import NameMatch, TokenWeights, match_name
from service.schemas import SearchResult
from service.search.confidence import CONFIDENT, MIN_VOTER_COVERAGE, confident_flags
from service.search.vocabulary import Vocabulary, split_words, word_key_sets
from service.store import Store
from service.store.queries import QUERIES, Connection, Query
from service.voters.answers import voter_from_record
from service.voters.published import PublishedDataset

# Below this a candidate is someone else and is not shown. Born the same day in the same region
# (public), a candidate with half a name right is still worth a look.
MIN_SCORE = {"public": 35.0, "helpdesk": 50.0}
MAX_CANDIDATES = 600  # a safety cap on what one key pair reads from PostgreSQL
SCORED = 150  # candidates scored word by word after a fast whole-name prefilter
KEY_WORDS = 3  # how many of the rarest typed words choose the candidates
# A best candidate this close (every telling typed word at worst one slip off, the voter's words
# all but wholly typed) ends the widening even when it is not confident (see _Ranking.decided).
_ONE_SLIP = 0.8
_WHOLE_VOTER = 0.9
_COUNT_CACHE_SIZE = 200_000
_VOCABULARIES_KEPT = 2  # the published dataset and the one before it (a publish in progress)


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
        # The typed name as typed and, when a typed word is two dataset words run together
        # (SITIPANJAITAN), split: a candidate is scored against the form that explains it best.
        self.forms = [query]
        self.voters = 0  # in the dataset

    @property
    def tokens(self) -> set[str]:
        return {token for form in self.forms for token in form.folded}

    @property
    def spellings(self) -> set[str]:
        return {spelling for form in self.forms for spelling in form.raw}

    def add(self, candidates: list[_Candidate], weights: TokenWeights) -> None:
        self.voters = weights.voters
        for candidate in candidates:
            voter = words_of(candidate.record["name"])
            candidate.match = max(
                (match_name(form, voter, weights) for form in self.forms),
                key=lambda match: (match.exact, match.score),
            )
            self.scored[candidate.id] = candidate

    def best(self, limit: int) -> list[_Candidate]:
        # Every typed word found as is beats a closer-scoring candidate that needs a typo:
        # HENDRA TANUDJAJA is HENDRA YOHANES TANUDJAJA before HENDRA TANJAYA.
        ranked = sorted(self.scored.values(), key=lambda c: (_names_all_words(c), c.score), reverse=True)
        return [c for c in ranked if c.score >= MIN_SCORE[self.mode]][:limit]

    def decided(self) -> bool:
        """Whether the wider steps could still change the answer. Not once the best names every
        typed word as typed (or all but one slip), or is a confident answer that naming more of
        the voter's words could not take away: a voter with a word the query left out is only
        decided once the wider steps found no one the query names wholly (RAINA USADA is DIAH
        RAINA USADA only if there is no RATNA USADA)."""
        best = self.best(2)
        if not best or best[0].match is None:
            return False
        match = best[0].match
        if match.exact and match.voter_coverage >= 1.0:
            # Every typed word as typed and no other (confident or not: a namesake): the wider
            # steps read voters that need a slip, who rank below it and cannot change its flag
            # (a namesake carries the same words, so the first step found them all).
            return True
        if (
            not match.exact  # a voter with a word the query left out: see below
            and match.inexact_words <= 1
            and match.weakest_word >= _ONE_SLIP
            and match.slipped_word_voters == 0
            and match.voter_coverage >= _WHOLE_VOTER
            and match.score >= CONFIDENT[self.mode][0]
        ):
            # The voter's words all typed, one of them with a slip in a word the dataset does
            # not have: the key sets asked so far held every word that slip may stand for, so
            # the wider steps (a third word, each word alone, the typed letters' own keys) would
            # mostly add voters who explain the typed name less well (checked on the independent
            # set's calibration split: recall unchanged). Not confident (a namesake, a close
            # runner-up) stays not confident: more candidates only add rivals.
            return True
        if self.flags(best)[:1] != [True]:
            return False
        return not best[0].match.exact

    def flags(self, ranked: list[_Candidate]) -> list[bool]:
        words = max(len(form.folded) for form in self.forms)  # a merged word split counts as two
        matches = [c.match for c in ranked if c.match is not None]
        best_words = len(ranked[0].tokens) if ranked else 0
        return confident_flags(matches, best_words, self.mode, words, self.voters)


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
    return match is not None and match.exact and match.voter_coverage >= MIN_VOTER_COVERAGE


def region_pattern(region: str) -> str:
    """A kelurahan matches itself; a kecamatan or kab/kota matches every kelurahan inside it."""
    return region if region.count(".") == 3 else region + ".%"


class NameSearch:
    """One per worker; keeps word counts it has looked up (they change only with the dataset)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        # (query, dataset, word) -> voters: folded words' and typed spellings' counts
        self._counts: OrderedDict[tuple[str, int, str], int] = OrderedDict()
        self._dataset_facts: dict[int, tuple[int, bool]] = {}  # voters, spellings counted
        self._vocabularies: dict[int, Vocabulary] = {}
        self._vocabulary_lock = asyncio.Lock()

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
            vocabulary = await self._vocabulary(conn, dataset_id)
            split = split_words(words, vocabulary)
            if split is not None:
                ranking.forms.append(split)
            weights = await self._weights(conn, dataset_id, ranking, sorted(ranking.tokens))
            if birth_date is not None:
                records = await QUERIES["search-by-birth-date"].rows(
                    conn, dataset_id=dataset_id, birth_date=birth_date, region_pattern=region_pattern(region)
                )
                await self._rank(conn, dataset_id, ranking, records)
            else:
                await self._retrieve(conn, dataset_id, ranking, region, weights)
        return self._hits(ranking, limit, masked)

    async def _retrieve(
        self, conn: Connection, dataset_id: int, ranking: _Ranking, region: str, weights: TokenWeights
    ) -> None:
        """Help desk: voters carrying the keys of dataset words the typed words stand for (each
        typed word corrected against the dataset's words, so a slip in any word holds), widening
        stage by stage only while no confident answer is found; the typed words' own keys come
        last (a word two slips away from every dataset word)."""
        vocabulary = await self._vocabulary(conn, dataset_id)
        query = ranking.query
        stages: list[tuple[str, list[str]]] = [
            ("words", word_key_sets(ranking.words, vocabulary, region[:5], stage)) for stage in range(3)
        ]
        seen: set[str] = set()
        for word_count, alone in ((2, False), (KEY_WORDS, False), (2, True)):
            pairs = key_pairs(query, weights, region[:5], word_count, alone=alone)
            stages.append(("keys", [",".join(pair) if pair[0] != pair[1] else pair[0] for pair in pairs]))
        for _, key_sets in stages:
            wanted = [keys for keys in key_sets if keys not in seen]
            if not wanted:
                continue
            seen.update(wanted)
            records = await QUERIES["search-by-key-sets"].rows(
                conn,
                dataset_id=dataset_id,
                key_sets=wanted,
                region_pattern=region_pattern(region),
                max_candidates=MAX_CANDIDATES,
            )
            await self._rank(conn, dataset_id, ranking, records)
            if ranking.decided():
                return

    async def _vocabulary(self, conn: Connection, dataset_id: int) -> Vocabulary:
        vocabulary = self._vocabularies.get(dataset_id)
        if vocabulary is None:
            async with self._vocabulary_lock:
                vocabulary = self._vocabularies.get(dataset_id)
                if vocabulary is None:
                    rows = await QUERIES["name-vocabulary"].rows(conn, dataset_id=dataset_id)
                    vocabulary = Vocabulary({row["token"]: row["voters"] for row in rows})
                    while len(self._vocabularies) >= _VOCABULARIES_KEPT:
                        self._vocabularies.pop(next(iter(self._vocabularies)))
                    self._vocabularies[dataset_id] = vocabulary
        return vocabulary

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
        tokens = sorted({token for c in candidates for token in c.tokens} | ranking.tokens)
        weights = await self._weights(conn, dataset_id, ranking, tokens)
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
    def _hits(ranking: _Ranking, limit: int, masked: bool) -> list[SearchHit]:
        ranked = ranking.best(limit)
        return [
            SearchHit(
                voter_id=format(candidate.id, "016x"),
                nik_hash=candidate.record["nik_hash"],
                name=mask_name(candidate.record["name"]) if masked else candidate.record["name"],
                score=round(candidate.score, 1),
                confident=confident,
                kelurahan_code=candidate.record["kelurahan_code"],
            )
            for candidate, confident in zip(ranked, ranking.flags(ranked), strict=True)
        ]

    async def _weights(
        self, conn: Connection, dataset_id: int, ranking: _Ranking, tokens: list[str]
    ) -> TokenWeights:
        """Word counts for scoring: the candidates' and typed words' folded counts, and how many
        voters carry the typed words as typed."""
        counts = await self._counted(conn, QUERIES["token-counts"], dataset_id, tokens)
        if dataset_id not in self._dataset_facts:
            self._dataset_facts[dataset_id] = (
                await QUERIES["dataset-voters"].value(conn, dataset_id=dataset_id),
                await QUERIES["dataset-has-spellings"].value(conn, dataset_id=dataset_id),
            )
        voters, has_spellings = self._dataset_facts[dataset_id]
        spellings = None
        if has_spellings:
            spellings = await self._counted(
                conn, QUERIES["spelling-counts"], dataset_id, sorted(ranking.spellings)
            )
        return TokenWeights(counts, voters, spellings)

    async def _counted(
        self, conn: Connection, query: Query, dataset_id: int, words: list[str]
    ) -> dict[str, int]:
        """How many voters carry each word (folded, or as written), from the cache where it can."""
        cache = self._counts
        missing = [word for word in words if (query.name, dataset_id, word) not in cache]
        if missing:
            rows = await query.rows(conn, dataset_id=dataset_id, words=missing)
            found: dict[str, int] = {row[0]: row[1] for row in rows}
            for word in missing:
                cache[query.name, dataset_id, word] = found.get(word, 0)
            while len(cache) > _COUNT_CACHE_SIZE:
                cache.popitem(last=False)
        return {word: cache[query.name, dataset_id, word] for word in words}
