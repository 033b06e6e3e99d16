"""The domain services one worker runs, as the channels reach them (built by the app's lifespan)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from service.access.gate import Gate
from service.nik.lookup import NikLookup
from service.protection.admission import Admission
from service.search.finder import NameFinder
from service.settings import Settings
from service.voters.published import Published
from service.voters.regions import Regions


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    published: Published
    gate: Gate
    lookup: NikLookup
    finder: NameFinder
    regions: Regions
    admission: Admission


def services(request: Request[Any, Any, Any]) -> Services:
    """This worker's services (the app factory puts them on the app's state)."""
    found: Services = request.app.state.services
    return found
