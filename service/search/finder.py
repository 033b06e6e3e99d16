"""A name search as every channel asks it: the query checked, the caller's right to it, the
search, the answers, and (for help desks) the audit row, in that order. No HTTP here."""

from __future__ import annotations

import datetime as dt

from service.access.audit import Audit
from service.access.guards import require_helpdesk
from service.access.tokens import Principal
from service.errors import InvalidInput
from service.schemas import SearchResult
from service.search.engine import NameSearch
from service.search.query import parse_search
from service.voters.published import Published
from service.voters.regions import Regions

PUBLIC_LIMIT = 5
HELPDESK_LIMIT = 20


class NameFinder:
    """One per worker."""

    def __init__(self, search: NameSearch, regions: Regions, published: Published, audit: Audit):
        self.search = search
        self.regions = regions
        self.published = published
        self.audit = audit

    async def find(
        self, name: str, region: str, birth_date: str | None, principal: Principal | None
    ) -> list[SearchResult]:
        """Public callers must give a birth date and see masked names; a help-desk principal
        searches its own region, and every search it makes is audited before it is answered."""
        query = parse_search(name, region, birth_date, today=dt.datetime.now(tz=dt.UTC).date())
        if principal is None and query.birth_date is None:
            raise InvalidInput(
                "Tanggal lahir wajib diisi untuk pencarian nama.",
                "A birth date is required to search by name.",
                code="birth_date_required",
                field="birth_date",
            )
        if principal is not None:
            require_helpdesk(principal, query.region)
        await self.regions.check(query.region)
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
        if principal is not None:
            await self.audit.record(
                principal, action="search", region=query.region, query=query.name, results=len(results)
            )
        return results
