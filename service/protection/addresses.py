"""Client addresses: whose address a request is (X-Forwarded-For only from trusted proxies),
IPv4 seen through IPv6 sockets unmapped, IPv6 counted by its /64, and sets of CIDRs."""

from __future__ import annotations

import ipaddress


class Networks:
    """A set of CIDRs (`10.0.0.0/8,127.0.0.1/32`); an empty text matches nothing."""

    CACHE_LIMIT = 10_000  # addresses; parsing one costs microseconds on every request

    def __init__(self, cidrs: str):
        parts = [part.strip() for part in cidrs.split(",")]
        self._networks = [ipaddress.ip_network(part, strict=False) for part in parts if part]
        self._known: dict[str, bool] = {}

    def __contains__(self, address: str) -> bool:
        if not self._networks:
            return False
        known = self._known.get(address)
        if known is None:
            known = self._match(address)
            if len(self._known) >= self.CACHE_LIMIT:
                self._known.clear()
            self._known[address] = known
        return known

    def _match(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._networks)


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: Networks) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For that is not itself a trusted proxy (the rest can be forged)."""
    address = unmapped(peer)
    if forwarded_for and address in trusted_proxies:
        for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
            address = unmapped(hop)
            if address not in trusted_proxies:
                break
    return address


def unmapped(address: str) -> str:
    """An IPv4 client seen through an IPv6 socket (`::ffff:a.b.c.d`) as the IPv4 address it is:
    else every such client would share one /64 bucket, and none would match an IPv4 CIDR."""
    if not address.startswith("::ffff:") and not address.startswith("::FFFF:"):
        return address
    try:
        mapped = ipaddress.IPv6Address(address).ipv4_mapped
    except ValueError:
        return address
    return str(mapped) if mapped else address


def bucket_address(address: str) -> str:
    """The address a limit is kept for: an IPv6 address counts by its /64, because a phone on an
    Indonesian mobile network gets a whole /64 and could otherwise rotate addresses freely."""
    if ":" not in address:
        return address
    try:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    except ValueError:
        return address
