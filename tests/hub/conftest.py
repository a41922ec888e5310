from collections.abc import Iterator

import pytest

from guichet.db import Database
from guichet.services.queue_seed import seed_queues
from tests.hub.harness import ServedHub, hub_settings


@pytest.fixture
def served(demo_db: Database) -> Iterator[ServedHub]:
    """The demo database served by a hub on 127.0.0.2 (the test's own connection is closed first)."""
    seed_queues(demo_db, open_all_day=True)
    demo_db.close()
    hub = ServedHub(hub_settings(demo_db.path)).start()
    yield hub
    hub.close()
