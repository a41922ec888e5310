"""The OS keyring of the tests: in memory, or in a JSON file named by ``GUICHET_TEST_KEYRING`` so that a
``guichet sync`` subprocess finds the password too (PYTHON_KEYRING_BACKEND=tests.integration.keyring_file.TestKeyring).
Never a runtime dependency: the application only knows the ``keyring`` API."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend


class TestKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]
    __test__ = False  # not a test class, whatever its name
    _lock = threading.Lock()

    def __init__(self) -> None:
        super().__init__()
        file = os.environ.get("GUICHET_TEST_KEYRING")
        self.path = Path(file) if file else None
        self.memory: dict[str, str] = {}

    def _load(self) -> dict[str, str]:
        if self.path is None:
            return dict(self.memory)
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        if self.path is None:
            self.memory = data
        else:
            self.path.write_text(json.dumps(data))

    def get_password(self, service: str, username: str) -> str | None:
        with self._lock:
            return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._lock:
            data = self._load()
            data[f"{service}/{username}"] = password
            self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._lock:
            data = self._load()
            data.pop(f"{service}/{username}", None)
            self._save(data)
