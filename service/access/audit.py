"""The audit trail: every help-desk look, allowed or refused, is written to PostgreSQL before its
answer is sent. It names who looked (a token or an officer), the kind of look, the route, and a
keyed hash of the subject (a NIK, a KK number, a typed name), never the subject itself."""

from __future__ import annotations

import hashlib
import hmac

from service.access.tokens import Principal
from service.names.normalise import words_of
from service.store import Store

# The kinds of look, as the `action` column and the admin's filter name them.
KINDS = ("nik", "search", "family", "batch", "notice", "tps_list")
# The route of a look whose caller did not name one (the name finder is shared by both channels).
_API_ROUTES = {"nik": "/api/v1/nik", "search": "/api/v1/search"}
_CONSOLE_ROUTES = {"search": "/helpdesk/search"}


class Audit:
    def __init__(self, store: Store, secret: str) -> None:
        self.store = store
        self._key = hashlib.sha256(b"dpt-audit-subject:" + secret.encode()).digest()

    def subject_hash(self, kind: str, subject: str) -> bytes:
        """The same subject (a name however it is typed) always hashes alike under one key."""
        if kind == "search":
            subject = " ".join(sorted(words_of(subject).folded))
        return hmac.new(self._key, f"{kind}:{subject}".encode(), hashlib.sha256).digest()

    async def record(
        self,
        principal: Principal,
        *,
        action: str,
        region: str | None,
        query: str,
        results: int,
        outcome: str = "allowed",
        route: str | None = None,
    ) -> None:
        """`query`: the subject (hashed here, never stored); `outcome`: "allowed", or the code of
        the refusal (`region_out_of_scope`, `role_forbidden`)."""
        await self.store.run(
            "insert-audit",
            token_id=principal.token_id,
            operator=principal.operator,
            action=action,
            route=route or (_CONSOLE_ROUTES if principal.operator else _API_ROUTES).get(action),
            region=region,
            subject_hash=self.subject_hash(action, query) if query else None,
            results=results,
            outcome=outcome,
        )

    async def trail(
        self,
        *,
        operator: str | None,
        action: str | None,
        since: object,
        until: object,
        max_rows: int,
    ) -> list[dict[str, object]]:
        rows = await self.store.rows(
            "audit-trail", operator=operator, action=action, since=since, until=until, max_rows=max_rows
        )
        return [dict(row) for row in rows]
