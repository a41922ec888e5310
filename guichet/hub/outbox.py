"""Contacts typed on a desk while the site's hub was out of reach: kept on this PC, delivered once it is back.

One JSON file per contact, named by the contact's id (made on this PC), written to a temporary name, synced
to disk and renamed: a PC switched off mid-write leaves the previous state, never half a contact. Delivery
sends the very call that failed, with the same id, so the hub records it once however often it is sent
(ContactService.log returns the contact already recorded under that id).
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guichet.hub.catalog import catalog
from guichet.services.errors import ServiceError

log = logging.getLogger(__name__)

_LOG = "/api/services/contacts/log"


@dataclass(frozen=True)
class Delivery:
    delivered: int
    refused: tuple[tuple[uuid.UUID, str], ...]  # kept aside with the hub's reason (French)
    waiting: int  # still here: the hub went away again


class ContactOutbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.refused_folder = folder / "refuses"

    def keep(self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: Any, contact_id: uuid.UUID) -> Path:
        """Write the contact to disk (durably) before the agent is told it is safe."""
        self.folder.mkdir(parents=True, exist_ok=True)
        endpoint = catalog()[_LOG]
        body = endpoint.encode_params(
            {"agent_id": agent_id, "site_id": site_id, "data": data, "contact_id": contact_id}
        )
        target = self.folder / f"{contact_id}.json"
        temporary = target.with_suffix(".tmp")
        with open(temporary, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
        _sync_dir(self.folder)
        log.info("contact %s gardé sur ce poste (serveur du site injoignable)", contact_id)
        return target

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"), key=lambda p: p.name)  # ids are UUIDv7: typing order

    def count(self) -> int:
        return len(self.pending())

    def deliver(self, link: Any) -> Delivery:
        """Send what is kept, oldest first; stops at the first sign the hub is away again."""
        from guichet.hub.client import HubUnreachableError

        endpoint = catalog()[_LOG]
        delivered, refused = 0, []
        files = self.pending()
        for index, path in enumerate(files):
            try:
                kwargs = endpoint.decode_params(path.read_bytes())
            except (OSError, ValueError) as exc:
                refused.append((uuid.UUID(path.stem), f"fichier illisible : {exc}"))
                self._set_aside(path, str(exc))
                continue
            try:
                link.call(endpoint, kwargs)
            except HubUnreachableError:
                return Delivery(delivered, tuple(refused), len(files) - index)
            except ServiceError as exc:  # the hub refused it (a theme removed meanwhile…): kept aside, said
                refused.append((kwargs["contact_id"], exc.message))
                self._set_aside(path, exc.message)
                continue
            path.unlink(missing_ok=True)
            delivered += 1
        if delivered or refused:
            log.info("contacts gardés sur ce poste : %d transmis, %d refusés", delivered, len(refused))
        return Delivery(delivered, tuple(refused), 0)

    def _set_aside(self, path: Path, reason: str) -> None:
        self.refused_folder.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.refused_folder / path.name)
        (self.refused_folder / f"{path.stem}.motif.txt").write_text(reason + "\n", encoding="utf-8")


def _sync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def describe(delivery: Delivery) -> str:
    """What the agent reads in the status bar after a delivery (French)."""
    parts = []
    if delivery.delivered:
        parts.append(f"{delivery.delivered} contact(s) gardé(s) sur ce poste transmis au serveur du site")
    if delivery.refused:
        first = delivery.refused[0][1]
        parts.append(f"{len(delivery.refused)} refusé(s) par le serveur ({first}) : voir le dossier des refus")
    if delivery.waiting:
        parts.append(f"{delivery.waiting} en attente")
    return " ; ".join(parts) + "." if parts else ""
