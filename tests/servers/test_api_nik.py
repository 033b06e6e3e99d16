"""POST /api/v1/nik: the three outcomes and every kind of malformed body."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.importer import ImportSummary
from service.names.masking import mask_name
from service.settings import Settings
from tests.support.factories import DatasetFiles, make_nik


async def test_registered_voter_gets_masked_name_tps_region_and_map(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    person = small_dataset.people[3]
    response = await client.post("/api/v1/nik", json={"nik": person.nik})
    assert response.status_code == 200
    body = response.json()
    assert body["registered"] is True
    voter = body["voter"]
    assert voter["name"] == mask_name(person.name) != person.name
    assert voter["gender"] == person.gender
    assert voter["tps"]["number"] == person.tps
    assert voter["tps"]["label"] == f"TPS {person.tps:03d}"
    assert voter["tps"]["address"].startswith(f"Balai Warga {person.tps}")
    assert voter["tps"]["map_url"].startswith("https://www.openstreetmap.org/?mlat=-5.11")
    assert voter["region"]["kelurahan"]["code"] == person.kelurahan
    assert voter["region"]["kabkota"] == {"code": "18.72", "name": "Kota Metro"}
    assert voter["region"]["provinsi"] == {"code": "18", "name": "Lampung"}
    # The contract's three fields, exactly; the election details added beside them (issue 16).
    assert {key: body["dataset"][key] for key in ("version", "election", "polling_date")} == {
        "version": "v1", "election": "Pilkada Test 2024", "polling_date": None,
    }  # fmt: skip
    assert body["dataset"]["polling_hours"] == {"start": "07:00", "end": "13:00"}
    assert person.nik not in response.text
    assert voter["id"] and voter["id"] not in person.nik


async def test_nik_typed_with_spaces_and_dashes_is_found(
    client: AsyncTestClient,
    small_dataset: DatasetFiles,  # type: ignore[type-arg]
) -> None:
    nik = small_dataset.people[0].nik
    typed = f"{nik[:4]} {nik[4:8]}-{nik[8:12]}.{nik[12:]}"
    response = await client.post("/api/v1/nik", json={"nik": typed})
    assert response.status_code == 200
    assert response.json()["registered"] is True


async def test_well_formed_nik_not_on_the_dpt(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    import datetime as dt

    absent = make_nik("18.72.05", dt.date(1990, 5, 17), "L", 9876)
    response = await client.post("/api/v1/nik", json={"nik": absent})
    assert response.status_code == 200
    body = response.json()
    dataset = body["dataset"]
    body["dataset"] = {key: dataset[key] for key in ("version", "election", "polling_date")}
    assert dataset["dpk_hours"] == {"start": "12:00", "end": "13:00"}  # what such a voter can still do
    assert body == {
        "registered": False,
        "voter": None,
        "dataset": {"version": "v1", "election": "Pilkada Test 2024", "polling_date": None},
    }


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("187201540753000", "nik_length"),
        ("18720154075300011", "nik_length"),
        ("", "nik_length"),
        ("18720154O7530001", "nik_not_digits"),
        ("2222222222222222", "nik_pattern"),
        ("1234567890123456", "nik_pattern"),
        ("9999015407530001", "nik_region"),
        ("1872013202900001", "nik_birth_date"),
        ("1872017213900001", "nik_birth_date"),
        ("1872015407530000", "nik_serial"),
    ],
)
async def test_malformed_nik_gets_422_with_its_code(
    client: AsyncTestClient,
    nik: str,
    code: str,  # type: ignore[type-arg]
) -> None:
    response = await client.post("/api/v1/nik", json={"nik": nik})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == code
    assert error["field"] == "nik"
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]


# Over DPT_MAX_BODY_BYTES (8192) but under the route's request_max_body_size (1 MiB), the
# service's own decoder refuses the body (422); over 1 MiB, Litestar refuses it before the handler
# runs (413). Both carry the same stable code.
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"nik": ', 422, "invalid_json"),
        (b"not json at all", 422, "invalid_json"),
        (b"", 422, "invalid_json"),
        (b'["1872015407530001"]', 422, "body_type"),
        (b"{}", 422, "field_missing"),
        (b'{"nik": 1872015407530001}', 422, "field_type"),
        (b'{"nik": null}', 422, "field_type"),
        (b'{"nik": "1872015407530001", "name": "x"}', 422, "field_unknown"),
        (b'{"nik": "' + b"1" * 100_000 + b'"}', 422, "body_too_large"),
        (b'{"nik": "' + b"1" * 2_000_000 + b'"}', 413, "body_too_large"),
    ],
)
async def test_malformed_body_gets_a_stable_code(
    client: AsyncTestClient,  # type: ignore[type-arg]
    body: bytes,
    status: int,
    code: str,
) -> None:
    response = await client.post("/api/v1/nik", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["message_en"]


async def test_a_long_nik_string_inside_the_size_limit_is_a_length_error(
    client: AsyncTestClient,  # type: ignore[type-arg]
) -> None:
    response = await client.post("/api/v1/nik", json={"nik": "1" * 4000})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "nik_length"


async def test_nik_in_the_url_is_not_an_api(client: AsyncTestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/api/v1/nik", params={"nik": "1872015407530001"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_health_openapi_and_metrics(client: AsyncTestClient, published: ImportSummary) -> None:  # type: ignore[type-arg]
    assert (await client.get("/health/live")).json()["status"] == "ok"
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["dataset"] == published.version
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/nik"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["required"] == ["nik"]
    assert "422" in operation["responses"]
    metrics = (await client.get("/metrics")).text
    assert re.search(r'dpt_cache_lookups_total\{tier="local"\} \d+', metrics)
    assert "dpt_requests_shed_total" in metrics and "dpt_requests_rate_limited_total" in metrics


async def test_before_any_publish_lookups_and_readiness_say_unavailable(settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(settings)) as fresh:
        ready = await fresh.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["dataset"] == "none published"
        response = await fresh.post("/api/v1/nik", json={"nik": "1872015407530001"})
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert response.json()["error"]["code"] == "no_dataset"
        assert (await fresh.get("/health/live")).status_code == 200


async def test_fast_path_answers_exactly_as_the_litestar_route(
    client: AsyncTestClient,  # type: ignore[type-arg]
    small_dataset: DatasetFiles,
) -> None:
    """POST /api/v1/nik is answered before Litestar's routing (service/api/nik.py); the same
    request to `/api/v1/nik/` takes Litestar's route to the same handler. Every kind of answer,
    errors included, must be the same bytes with the same headers."""
    import datetime as dt

    bodies = [
        f'{{"nik": "{small_dataset.people[1].nik}"}}'.encode(),
        f'{{"nik": "{make_nik("18.72.05", dt.date(1990, 5, 17), "L", 9876)}"}}'.encode(),
        b'{"nik": "1872"}',
        b'{"nik": "1872015407530001"}',
        b"{not json",
        b"",
        b"[1]",
        b'{"nik": 5}',
        b'{"nik": "1872015407530001", "x": 1}',
        b'{"nik": "' + b"1" * 9000 + b'"}',
    ]
    for body in bodies:
        fast, routed = [
            await client.post(path, content=body, headers={"content-type": "application/json"})
            for path in ("/api/v1/nik", "/api/v1/nik/")
        ]
        assert (fast.status_code, fast.content) == (routed.status_code, routed.content), body[:40]
        assert fast.headers.get("x-request-id") and routed.headers.get("x-request-id")
        same = {name: value for name, value in fast.headers.items() if name != "x-request-id"}
        assert same == {name: value for name, value in routed.headers.items() if name != "x-request-id"}
    unauthorized = [
        await client.post(path, json={"nik": "1872015407530001"}, headers={"authorization": "Bearer nope"})
        for path in ("/api/v1/nik", "/api/v1/nik/")
    ]
    assert unauthorized[0].status_code == unauthorized[1].status_code == 401
    assert unauthorized[0].content == unauthorized[1].content
