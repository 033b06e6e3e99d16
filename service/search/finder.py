"""A name search as every channel asks it: the query checked, the caller's right to it, the
search, the answers, and (for help desks) the audit row, in that order. No HTTP here."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import msgspec

from service.access.audit import Audit
from service.access.gate import Caller, Gate
from service.access.guards import require_helpdesk
from service.access.tokens import Principal
from service.errors import Forbidden, InvalidInput
from service.names.normalise import words_of
from service.observability.metrics import searched
from service.schemas import SearchResult
from service.search.engine import NameSearch
from service.search.query import SearchQuery, parse_search
from service.voters.published import Published
from service.voters.regions import Regions

PUBLIC_LIMIT = 5
HELPDESK_LIMIT = 20


class NameFinder:
    """One per worker."""

    def __init__(
        self,
        search: NameSearch,
        regions: Regions,
        published: Published,
        audit: Audit,
        gate: Gate,
        *,
        secret: str,
    ):
        self.search = search
        self.regions = regions
        self.published = published
        self.audit = audit
        self.gate = gate
        self._id_key = hashlib.sha256(b"dpt-public-search-id:" + secret.encode()).digest()

    async def find(
        self, name: str, region: str, birth_date: str | None, caller: Caller
    ) -> list[SearchResult]:
        """Public callers must give a birth date and see masked names, no scores and ids of their
        own; each distinct name they try costs anti-enumeration budget, as a NIK that is not
        registered does. A help-desk principal searches its own region, and every look it takes,
        allowed or refused, is audited before it is answered."""
        principal = caller.principal
        query = parse_search(name, region, birth_date, today=dt.datetime.now(tz=dt.UTC).date())
        if principal is None and query.birth_date is None:
            raise InvalidInput(
                "Tanggal lahir wajib diisi untuk pencarian nama.",
                "A birth date is required to search by name.",
                code="birth_date_required",
                field="birth_date",
            )
        if principal is not None:
            await self._authorise(principal, query)
        await self.regions.check(query.region)
        if principal is None:
            # Guessing names against a known birth date and region is how a masked name is
            # unmasked: a resident types their name once or twice, an attacker dozens.
            await self.gate.charge_miss(caller, _guess_fingerprint(query))
        dataset = self.published.current()
        masked = principal is None
        hits = await self.search.search(
            dataset.id,
            name=query.name,
            region=query.region,
            birth_date=query.birth_date,
            limit=PUBLIC_LIMIT if masked else HELPDESK_LIMIT,
            masked=masked,
        )
        results = await self.search.results(dataset, hits, masked=masked)
        best = results[0].confident if results else None
        searched(public=masked, with_birth_date=query.birth_date is not None, best_confident=best)
        if principal is not None:
            await self.audit.record(
                principal, action="search", region=query.region, query=query.name, results=len(results)
            )
            return results
        return [self._public(dataset.id, result) for result in results]

    async def _authorise(self, principal: Principal, query: SearchQuery) -> None:
        try:
            require_helpdesk(principal, query.region)
        except Forbidden as refused:
            await self.audit.record(
                principal,
                action="search",
                region=query.region,
                query=query.name,
                results=0,
                outcome=refused.code,
            )
            raise

    def _public(self, dataset_id: int, result: SearchResult) -> SearchResult:
        """What the public sees of a result: no score, and an id of its own, so a public search
        answer cannot be linked to a public NIK answer."""
        digest = hmac.new(self._id_key, f"{dataset_id}:{result.id}".encode(), hashlib.sha256).hexdigest()
        return msgspec.structs.replace(result, id=digest[:16], score=None)


def _guess_fingerprint(query: SearchQuery) -> bytes:
    """The same name however it is typed (case, spelling variants, word order), born that day there."""
    words = " ".join(sorted(words_of(query.name).folded))
    return hashlib.sha256(f"search:{query.birth_date}:{query.region}:{words}".encode()).digest()
