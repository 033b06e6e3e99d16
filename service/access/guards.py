"""Guards: what a principal's role and scope allow. Each raises Forbidden (403) with its own code.

The same checks serve the help-desk API (a token's principal) and the console (an officer's
principal, built from the session); the console's route guards call them."""

from __future__ import annotations

from service.access.tokens import Principal, Role
from service.errors import Forbidden

HELPDESK_ROLES: tuple[Role, ...] = ("helpdesk", "admin")
SMS_ROLES: tuple[Role, ...] = ("sms", "admin")


def require_helpdesk(principal: Principal, region: str) -> None:
    """A help-desk look at `region`: the role must allow it and the region lie inside the scope."""
    if principal.role not in HELPDESK_ROLES:
        raise Forbidden(
            "Token ini tidak untuk pencarian meja bantuan.",
            "This token may not use help-desk search.",
            code="role_forbidden",
        )
    require_scope(principal, region)


def require_scope(principal: Principal, region: str) -> None:
    """The region (of a query, or of the voter an answer would show) lies inside the scope."""
    if not principal.covers(region):
        raise Forbidden(
            f"Wilayah {region} di luar cakupan Anda ({principal.scope}).",
            f"Region {region} is outside your scope ({principal.scope}).",
            code="region_out_of_scope",
            field="region",
        )


def require_admin(principal: Principal) -> None:
    """Operator and token management and everyone's audit trail: admins only."""
    if principal.role != "admin":
        raise Forbidden(
            "Halaman ini hanya untuk admin.",
            "This page is for admins only.",
            code="role_forbidden",
        )
