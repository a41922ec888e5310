"""Schemathesis against the hub's own OpenAPI description: whatever a PC sends, the hub never answers 5xx.

Every operation is fuzzed over real HTTP with a paired desk's token. So the services themselves are reached
(not only the hub's checks), the agent named in a body is replaced by one logged in from that desk and the
site and commune by the real ones, half the time; everything else is whatever Hypothesis makes of the types.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from guichet.db import Database
from guichet.hub.catalog import catalog
from guichet.models import Agent, Commune, Site
from guichet.services.queue_seed import seed_queues
from tests.hub.harness import ServedHub, hub_settings


@pytest.fixture(scope="module")
def fuzzed_hub(tmp_path_factory: pytest.TempPathFactory, _templates) -> Iterator[tuple[ServedHub, dict]]:  # noqa: ANN001
    import shutil

    path = tmp_path_factory.mktemp("fuzz") / "hub.sqlite3"
    shutil.copyfile(_templates["demo"], path)
    db = Database.open(path)
    seed_queues(db, open_all_day=True)
    with db.read() as s:
        ids = {
            "agent": s.scalar(select(Agent.id).where(Agent.login == "admin")),
            "site": s.scalar(select(Site.id).where(Site.code == "HDV")),
            "commune": s.scalar(select(Commune.id)),
        }
    db.close()
    hub = ServedHub(hub_settings(path)).start()
    token = hub.pair("Poste de fuzz")
    device = next(d for d in hub.hub.devices.devices() if d.name == "Poste de fuzz")
    yield hub, {**ids, "token": token, "device": device.id}
    hub.close()


@pytest.fixture(scope="module")
def hub_schema(fuzzed_hub):  # noqa: ANN001
    hub, _ = fuzzed_hub
    return schemathesis.openapi.from_url(f"{hub.url}/openapi.json")


_REAL = {"agent_id": "agent", "admin_id": "agent", "from_agent_id": "agent", "site_id": "site", "commune_id": "commune"}


@pytest.mark.parametrize("path", sorted(catalog()))
def test_no_input_makes_the_hub_fail(path: str, fuzzed_hub, hub_schema) -> None:  # noqa: ANN001
    hub, ids = fuzzed_hub
    operation = hub_schema[path]["POST"]

    @given(case=operation.as_strategy())
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def fuzz(case) -> None:  # noqa: ANN001
        hub.hub.devices.bind_agent(device_id=ids["device"], agent_id=ids["agent"])  # a fuzzed logout undoes it
        if isinstance(case.body, dict) and random.Random(str(case.body)).random() < 0.5:
            for name, real in _REAL.items():
                if name in case.body:
                    case.body[name] = str(ids[real])
        response = case.call(headers={"Authorization": f"Bearer {ids['token']}"})
        assert response.status_code < 500, f"{path} → {response.status_code} for {case.body!r}: {response.text[:800]}"
        if response.status_code >= 400 and response.status_code != 422:
            assert response.json()["message"], "a refusal says why, in French"

    fuzz()


def test_the_description_covers_every_service_method(fuzzed_hub):  # noqa: ANN001
    import httpx

    hub, _ = fuzzed_hub
    paths = httpx.get(f"{hub.url}/openapi.json").json()["paths"]
    assert set(catalog()) <= set(paths)
    assert "/api/services/queue/call_next" in paths and "/api/public/queue/issue_ticket" in paths
    assert uuid  # noqa: B018
