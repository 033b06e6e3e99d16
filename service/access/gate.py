"""The gate every request passes once: who is asking (token or address, or phone and gateway)
and whether they may ask now (rate limits), settled before the domain answers; and, before the
answer is sent, what it costs them (a NIK that is not registered, a name guessed, uses the
anti-enumeration budget)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from service.access.guards import SMS_ROLES
from service.access.tokens import Principal, Tokens, token_digest
from service.errors import Unauthorized
from service.protection.ratelimit import Client, RateLimiter


class Caller(NamedTuple):
    principal: Principal | None  # None: a member of the public (or a phone)
    clients: tuple[Client, ...]  # the buckets it is charged to; none for an exempt address


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
        principal = await self._principal(authorization, peer, forwarded_for)
        client = self.limiter.caller(peer, forwarded_for, principal.token_id if principal else None)
        if client is None:
            return Caller(principal, ())
        await self.limiter.admit(client)
        return Caller(principal, (client,))

    async def gateway(self, token: str | None, *, peer: str, forwarded_for: str | None) -> Principal:
        """An SMS gateway, by its `sms` token: 401 without one that allows SMS."""
        try:
            principal = await self._principal(f"Bearer {token}" if token else None, peer, forwarded_for)
        except Unauthorized:
            raise gateway_refused() from None
        if principal is None or principal.role not in SMS_ROLES:
            raise gateway_refused()
        return principal

    async def admit_phone(self, sender: str, gateway: str) -> Caller:
        """The phone an SMS came from, charged one request (429 over its limit); its misses are
        charged to the phone and to the gateway it came through (a token's id, or "twilio")."""
        phone = self.limiter.client("sms", sender.strip())
        through = self.limiter.client("gateway", gateway)
        await self.limiter.admit(phone)
        await self.limiter.admit(through)
        return Caller(None, (phone, through))

    async def settle(self, caller: Caller, outcome: Outcome) -> None:
        """Before the answer goes out: a NIK not on the DPT is a miss; 429 when over budget."""
        if not outcome.registered:
            await self.charge_miss(caller, outcome.nik_hash)

    async def charge_miss(self, caller: Caller, fingerprint: bytes) -> None:
        """Charge one miss (a NIK not on the DPT, a distinct name guessed) to every bucket of the
        caller; the same fingerprint again within the hour is free."""
        for client in caller.clients:
            await self.limiter.charge_miss(client, fingerprint)

    async def _principal(
        self, authorization: str | None, peer: str, forwarded_for: str | None
    ) -> Principal | None:
        digest = token_digest(authorization)
        if digest is None:
            return None
        principal = self.tokens.remembered(digest)
        if principal is not None:
            return principal
        # A token this worker does not know costs a query: charged to the address first, so
        # made-up tokens are rate-limited like anything else.
        lookups = self.limiter.token_lookups(peer, forwarded_for)
        if lookups is not None:
            await self.limiter.admit(lookups)
        return await self.tokens.look_up(digest)


def gateway_refused() -> Unauthorized:
    return Unauthorized(
        "Token SMS tidak sah atau sudah dicabut.", "The SMS gateway token is not valid or has been revoked."
    )
