"""The audit trail: every help-desk look is written to PostgreSQL before its answer is sent."""

from __future__ import annotations

from service.access.tokens import Principal
from service.store import Store


class Audit:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def record(
        self,
        principal: Principal,
        *,
        action: str,
        region: str,
        query: str,
        results: int,
        outcome: str = "allowed",
    ) -> None:
        """`outcome`: "allowed", or the code of the refusal (`region_out_of_scope`, `role_forbidden`)."""
        await self.store.run(
            "insert-audit",
            token_id=principal.token_id,
            action=action,
            region=region,
            query=query,
            results=results,
            outcome=outcome,
        )
