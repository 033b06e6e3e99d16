"""POST /api/v1/search: public and help-desk modes, scope, audit, and every 4xx."""

from __future__ import annotations

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.names.masking import mask_name
from tests.support.factories import DatasetFiles, bearer, make_token

pytestmark = pytest.mark.usefixtures("published")


async def test_public_search_needs_birth_date_and_masks_names(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    person = small_dataset.people[4]
    query = {"name": person.name.lower(), "birth_date": person.birth_date.isoformat(), "region": "18.72"}
    response = await client.post("/api/v1/search", json=query)
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 5
    best = results[0]
    assert best["name"] != person.name and best["name"][0] == person.name[0]
    assert best["confident"] is True and "score" not in best  # a public score would refine a guess
    assert best["region"]["kelurahan"]["code"] == person.kelurahan
    assert best["tps"]["number"] == person.tps
    missing = await client.post("/api/v1/search", json={"name": person.name, "region": "18.72"})
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "birth_date_required"


async def test_public_search_for_someone_absent_finds_no_confident_answer(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    # MUHAMMAD RIDWAN SYAH is not on the DPT; MUHAMMAD RIDWAN, born the same day, is. He is a
    # candidate, but SYAH is none of his words: the search must not say "this is you".
    person = small_dataset.people[4]
    assert person.name == "MUHAMMAD RIDWAN"
    query = {"name": "MUHAMMAD RIDWAN SYAH", "birth_date": person.birth_date.isoformat(), "region": "18.72"}
    response = await client.post("/api/v1/search", json=query)
    assert response.status_code == 200
    results = response.json()["results"]
    found = [(result["name"], result["region"]["kelurahan"]["code"]) for result in results]
    assert found == [(mask_name(person.name), person.kelurahan)]  # the neighbour is a candidate
    assert [result["confident"] for result in results] == [False]


async def test_public_search_for_a_wholly_different_name_shows_no_one(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    person = small_dataset.people[4]  # the only voter born that day
    query = {"name": "WAHYU HIDAYAT", "birth_date": person.birth_date.isoformat(), "region": "18.72"}
    response = await client.post("/api/v1/search", json=query)
    assert response.status_code == 200
    assert response.json()["results"] == []


async def test_helpdesk_search_without_birth_date_shows_full_names_and_is_audited(
    client: AsyncTestClient,
    conn: asyncpg.Connection,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    token = await make_token(conn, "helpdesk", "18.72.01")
    person = next(p for p in small_dataset.people if p.kelurahan.startswith("18.72.01"))
    response = await client.post(
        "/api/v1/search", json={"name": person.name, "region": person.kelurahan}, headers=bearer(token)
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert 1 <= len(results) <= 20
    assert results[0]["name"] == person.name
    assert all(result["region"]["kelurahan"]["code"] == person.kelurahan for result in results)
    audit = await conn.fetchrow("select action, route, region, subject_hash, results from audit_log")
    assert dict(audit) | {"subject_hash": None} == {"action": "search", "route": "/api/v1/search",
        "region": person.kelurahan, "subject_hash": None, "results": len(results)}  # fmt: skip
    # The typed name is kept only as a keyed hash (32 bytes), never in clear.
    assert len(audit["subject_hash"]) == 32 and person.name.encode() not in audit["subject_hash"]


async def test_helpdesk_scope_is_enforced(
    client: AsyncTestClient,
    conn: asyncpg.Connection,  # type: ignore[type-arg]
) -> None:
    token = await make_token(conn, "helpdesk", "18.72.01")
    for region in ("18.72", "18.72.02", "18.72.02.1001"):
        response = await client.post(
            "/api/v1/search", json={"name": "BUDI", "region": region}, headers=bearer(token)
        )
        assert response.status_code == 403, region
        assert response.json()["error"]["code"] == "region_out_of_scope"
    sms = await make_token(conn, "sms", None, name="gateway")
    response = await client.post(
        "/api/v1/search", json={"name": "BUDI", "region": "18.72"}, headers=bearer(sms)
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "role_forbidden"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic abc", "Bearer "])
async def test_a_bad_token_is_401(client: AsyncTestClient, header: str) -> None:  # type: ignore[type-arg]
    response = await client.post(
        "/api/v1/search", json={"name": "BUDI", "region": "18.72"}, headers={"Authorization": header}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "", "birth_date": "1990-01-01", "region": "18.72"}, "name_missing"),
        ({"name": "   ", "birth_date": "1990-01-01", "region": "18.72"}, "name_missing"),
        ({"name": "H. Drs.", "birth_date": "1990-01-01", "region": "18.72"}, "name_only_titles"),
        ({"name": "BUDI 1872015407530001", "birth_date": "1990-01-01", "region": "18.72"}, "name_has_digits"),
        ({"name": "A" * 200, "birth_date": "1990-01-01", "region": "18.72"}, "name_too_long"),
        ({"name": "BUDI", "birth_date": "17-08-1990", "region": "18.72"}, "birth_date_invalid"),
        ({"name": "BUDI", "birth_date": "1990-02-30", "region": "18.72"}, "birth_date_invalid"),
        ({"name": "BUDI", "birth_date": "2999-01-01", "region": "18.72"}, "birth_date_future"),
        ({"name": "BUDI", "birth_date": "1990-01-01", "region": "18.99"}, "region_unknown"),
        ({"name": "BUDI", "birth_date": "1990-01-01", "region": "18"}, "region_too_broad"),
        ({"name": "BUDI", "birth_date": "1990-01-01", "region": "Metro"}, "region_invalid"),
        ({"name": "BUDI", "birth_date": "1990-01-01"}, "field_missing"),
        ({"name": 5, "birth_date": "1990-01-01", "region": "18.72"}, "field_type"),
        ({"name": "BUDI", "birth_date": "1990-01-01", "region": "18.72", "nik": "x"}, "field_unknown"),
    ],
)
async def test_bad_requests_get_422_with_a_stable_code(
    client: AsyncTestClient,
    body: dict[str, object],
    code: str,  # type: ignore[type-arg]
) -> None:
    response = await client.post("/api/v1/search", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]


async def test_region_codes_without_dots_are_accepted(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    person = small_dataset.people[0]
    query = {"name": person.name, "birth_date": person.birth_date.isoformat(), "region": "1872"}
    response = await client.post("/api/v1/search", json=query)
    assert response.status_code == 200
    assert response.json()["results"][0]["confident"] is True
