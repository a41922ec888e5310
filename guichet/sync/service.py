"""SyncService: rounds of push then pull, and the status a person sees (French).

A round: check who this site is on the central and that its schema is accepted, push every batch of the
outbox (each applied once, see ``guichet.sync.push``), then pull the site's scope (``guichet.sync.pull``).
Nothing in a round can lose data: a round cut anywhere is simply done again.

A batch the central refuses stays in the outbox and is tried again at the next rounds; after
``max_attempts`` refusals its rows are tried one by one (a dry run) and only those the central refuses are
set aside in the quarantine, with the reason, so they do not hold back the rest forever. The status lists
them until an administrator sends them again (``requeue_quarantine``).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from guichet.config import SyncSettings
from guichet.db import Database
from guichet.db.migrate import current_revisions
from guichet.sync.central import CentralLink, build_conninfo, role_of, stored_password
from guichet.sync.errors import ConfigError, OfflineError, RejectedError, SchemaRefusedError, SyncError, TransientError
from guichet.sync.local import LocalStore
from guichet.sync.pull import PAGE_ROWS, LoadProgress, Puller
from guichet.sync.push import BatchNumberTakenError, Pusher

log = logging.getLogger(__name__)
SAVE_SUCCESS_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class RejectedBatch:
    """A batch the central database refused: still tried again, or set aside (``quarantined``)."""

    batch_no: int
    rows: int
    attempts: int
    reason: str  # French
    quarantined: bool


@dataclass(frozen=True)
class SyncStatus:
    pushed: int  # outbox rows the central committed during this round
    pulled: int  # central rows applied during this round
    pending: int  # outbox rows waiting to be sent
    last_success: datetime | None  # end of the last complete round (UTC)
    online: bool
    errors: tuple[str, ...] = ()  # French
    rejected: tuple[RejectedBatch, ...] = ()
    conflicts: int = 0  # conflicts waiting for a supervisor

    @property
    def summary(self) -> str:
        """One line for a status bar."""
        waiting = f"{self.pending} modification{'s' if self.pending > 1 else ''} en attente"
        if not self.online:
            return f"Hors ligne — {waiting}"
        if self.errors or self.rejected:
            return f"Synchronisation incomplète — {waiting}"
        return f"Synchronisé — {waiting}" if self.pending else "Synchronisé"


class SyncService:
    """The site's replication with the central database (headless: no Qt)."""

    def __init__(
        self,
        db: Database,
        settings: SyncSettings,
        *,
        password: str | None = None,
        on_progress: Callable[[LoadProgress], None] | None = None,
        max_attempts: int = 3,
        page_rows: int = PAGE_ROWS,
    ) -> None:
        self._db = db
        self._settings = settings
        self._store = LocalStore(db)
        self._password = password
        self._on_progress = on_progress
        self._max_attempts = max_attempts
        self._page_rows = page_rows
        self._link: CentralLink | None = None
        self._last_success: datetime | None = None
        self._success_saved: datetime | None = None
        self._checked = False
        self._online = False
        self.failures = 0  # rounds in a row that could not reach the central (for the back-off)

    # -- rounds ------------------------------------------------------------------------------------------

    def run_round(self) -> SyncStatus:
        """Push what waits, pull what changed; never raises for network or central refusals (see ``errors``)."""
        errors: list[str] = []
        pushed: list[int] = []  # rows per batch committed, counted even if the round is cut afterwards
        pulled = 0
        try:
            link = self._connected()
            self._check(link)
            self._online = True
            self._push(link, errors, pushed)
            pulled = Puller(link, self._store, page_rows=self._page_rows, on_progress=self._on_progress).pull()
            if not errors:
                self._succeeded(busy=bool(pushed or pulled))
        except (OfflineError, ConfigError) as e:
            self._online = False
            self._checked = False
            if self._link is not None:
                self._link.close()
            errors.append(str(e))
        except (SchemaRefusedError, TransientError, SyncError) as e:
            errors.append(str(e))
        except Exception:  # a headless loop must go on: the next round starts from what was committed
            log.exception("tour de synchronisation interrompu")
            if self._link is not None:
                self._link.close()
            self._checked = False
            errors.append(
                "La synchronisation s'est interrompue sur une erreur inattendue (voir le journal) ; "
                "nouvel essai au prochain tour, rien n'est perdu."
            )
        self.failures = 0 if self._online and not errors else self.failures + 1
        return self._status(sum(pushed), pulled, errors)

    def status(self) -> SyncStatus:
        """The status without touching the network."""
        return self._status(0, 0, [])

    def next_delay(self) -> float:
        """Seconds until the next round: the interval while all is well, growing (with jitter) after failures."""
        interval = self._settings.interval_s
        if self.failures == 0:
            return interval
        return min(self._settings.max_backoff_s, interval * 2 ** min(self.failures, 12)) * random.uniform(0.8, 1.2)

    def run_forever(
        self,
        stop: threading.Event,
        on_status: Callable[[SyncStatus], None] | None = None,
        *,
        wake: threading.Event | None = None,
    ) -> None:
        """Rounds until ``stop`` is set (the ``guichet sync`` command, the desk's sync thread).

        ``wake`` set (« Synchroniser maintenant ») starts the next round at once; set ``stop`` and ``wake``
        together to end the loop without waiting out the interval.
        """
        pause = wake or stop
        while not stop.is_set():
            try:
                status = self.run_round()
            except Exception:  # noqa: BLE001 - a bug in one round must not end sync for the rest of the day
                log.exception("tour de synchronisation interrompu")
            else:
                if on_status is not None:
                    on_status(status)
            pause.wait(self.next_delay())
            if wake is not None:
                wake.clear()

    def requeue_quarantine(self) -> int:
        """Send again the rows set aside (once their cause is fixed); returns how many."""
        return self._store.requeue_quarantine()

    def close(self) -> None:
        if self._link is not None:
            self._link.close()

    # -- internals ---------------------------------------------------------------------------------------

    def _connected(self) -> CentralLink:
        if self._link is None:
            password = self._password or stored_password(role_of(self._settings.central_url))
            self._link = CentralLink(build_conninfo(self._settings, password), timeout_s=self._settings.timeout_s)
        self._link.connection()
        return self._link

    def _succeeded(self, *, busy: bool) -> None:
        # Kept on disk for the next start, but an idle round every few seconds need not cost a disk flush.
        now = datetime.now(UTC)
        self._last_success = now
        if busy or self._success_saved is None or now - self._success_saved > SAVE_SUCCESS_EVERY:
            self._store.mark_success(now)
            self._success_saved = now

    def _schema(self) -> str:
        revisions = current_revisions(self._db.engine)
        return revisions[0] if revisions else ""

    def _check(self, link: CentralLink) -> None:
        """Once per connection: the role's site is this database's site, and the central accepts our schema."""
        if self._checked:
            return
        ident = link.identity()
        site, _commune = self._store.identity()
        if site is None:
            self._store.set_identity(ident.site_id.hex, ident.commune_id.hex)
        elif site != ident.site_id.hex:
            raise ConfigError(
                f"Cette base locale appartient à un autre site que {ident.full_code}, celui du rôle « {ident.role} » : "
                f"la synchronisation est arrêtée pour ne rien mélanger. Vérifiez les réglages [sync]."
            )
        wanted = self._settings.site_code.upper()
        if wanted and wanted not in (ident.full_code, ident.full_code.split("-", 1)[-1]):
            raise ConfigError(
                f"Le rôle « {ident.role} » est celui du site {ident.full_code}, pas de {wanted} : vérifiez les réglages [sync]."
            )
        with link.step():
            link.connection().execute("SELECT sync_check_schema(%s)", (self._schema(),))
        # A site PC reinstalled or restored from a backup would number its batches from an old point.
        self._store.number_after(Pusher(link, schema=self._schema()).highest_batch())
        self._checked = True

    def _push(self, link: CentralLink, errors: list[str], pushed: list[int]) -> None:
        pusher = Pusher(link, schema=self._schema())
        done: int | None = None
        while (batch := self._store.next_batch(self._settings.batch_size, done=done)) is not None:
            done = None
            try:
                result = pusher.push(batch)
            except BatchNumberTakenError as taken:
                log.warning("lot %s : numéro déjà pris au serveur central, renuméroté", batch.number)
                self._store.renumber(batch.number, taken.highest)
                continue
            except RejectedError as e:
                attempts = self._store.batch_failed(batch.number, str(e))
                log.warning("lot %s refusé (%s fois) : %s", batch.number, attempts, e)
                if attempts < self._max_attempts:
                    errors.append(f"Lot {batch.number} refusé par le serveur central ({attempts} fois) : {e}")
                    return
                refused, already = pusher.probe(batch)
                self._store.isolate(batch.number, refused, already)
                continue
            done = batch.number  # committed: deleted from the outbox with the forming of the next batch
            pushed.append(0 if result.duplicate else result.rows)

    def _status(self, pushed: int, pulled: int, errors: list[str]) -> SyncStatus:
        rejected: list[RejectedBatch] = []
        failing = self._store.failing_batch()
        if failing is not None:
            rejected.append(RejectedBatch(failing[0], failing[1], failing[2], failing[3], False))
        for q in self._store.quarantined():
            rejected.append(RejectedBatch(q.batch_no, q.rows, self._max_attempts, q.reason, True))
        problems = [p for p in self._store.refetch_problems() if p not in errors]
        return SyncStatus(
            pushed=pushed,
            pulled=pulled,
            pending=self._store.pending(),
            last_success=self._last_success or self._store.last_success(),
            online=self._online,
            errors=tuple(errors + problems),
            rejected=tuple(rejected),
            conflicts=self._store.open_conflicts(),
        )
