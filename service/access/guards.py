"""Guards: what a principal's role and scope allow. Each raises Forbidden (403) with its own code."""

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
    if not principal.covers(region):
        raise Forbidden(
            f"Wilayah {region} di luar cakupan token ({principal.scope}).",
            f"Region {region} is outside this token's scope ({principal.scope}).",
            code="region_out_of_scope",
            field="region",
        )
