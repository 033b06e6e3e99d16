"""The gate every request passes once: who is asking (token or address, or phone) and whether
they may ask now (rate limits), settled before the domain answers; and, after it, what the
answer cost them (a NIK that is not registered uses the anti-enumeration budget)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from service.access.guards import SMS_ROLES
from service.access.tokens import Principal, Tokens
from service.errors import Unauthorized
from service.protection.ratelimit import Client, RateLimiter


class Caller(NamedTuple):
    principal: Principal | None  # None: a member of the public
    client: Client | None  # the bucket its requests are charged to; None: an exempt address


class Outcome(Protocol):
    """What settling needs of an answer."""

    @property
    def registered(self) -> bool: ...
    @property
    def nik_hash(self) -> bytes: ...


class Gate:
    """One per worker."""

    def __init__(self, tokens: Tokens, limiter: RateLimiter):
        self.tokens = tokens
        self.limiter = limiter

    async def admit(self, *, peer: str, forwarded_for: str | None, authorization: str | None) -> Caller:
        """The caller of an API or page request, charged one request: its token's bucket, else its
        address's. 401 for a bad token, 429 over a limit, 503 when PostgreSQL cannot say."""
        principal = await self.tokens.principal(authorization)
        client = self.limiter.caller(peer, forwarded_for, principal.token_id if principal else None)
        if client is not None:
            await self.limiter.admit(client)
        return Caller(principal, client)

    async def gateway(self, token: str | None) -> Principal:
        """An SMS gateway, by its `sms` token: 401 without one that allows SMS."""
        if not token:
            raise gateway_refused()
        try:
            principal = await self.tokens.principal(f"Bearer {token}")
        except Unauthorized:
            raise gateway_refused() from None
        if principal is None or principal.role not in SMS_ROLES:
            raise gateway_refused()
        return principal

    async def admit_phone(self, sender: str) -> Caller:
        """The phone an SMS came from, charged one request (429 over its limit)."""
        client = self.limiter.client("sms", sender.strip())
        await self.limiter.admit(client)
        return Caller(None, client)

    def settle(self, caller: Caller, outcome: Outcome) -> None:
        """Charge what the answer cost: a NIK not on the DPT is a miss (exempt callers pay nothing)."""
        if caller.client is not None and not outcome.registered:
            self.limiter.missed(caller.client, outcome.nik_hash)


def gateway_refused() -> Unauthorized:
    return Unauthorized(
        "Token SMS tidak sah atau sudah dicabut.", "The SMS gateway token is not valid or has been revoked."
    )
