"""The services of a site reached through its hub: same names, same arguments, same dataclasses back.

``RemoteServices`` stands where ``Services`` stands on a one-PC site (and ``RemotePublicServices`` where
``PublicServices`` does): the windows cannot tell, only the transport behind the calls changes.

What changes for the agent is what a network can do:
- the hub cannot be reached: the call is refused with ``HubUnreachableError`` ("nothing was done"), except
  a contact, which is kept on this PC (``guichet.hub.outbox``) and delivered once the hub is back
  (``ContactKeptError`` tells the form it is safe);
- the answer is lost after the call left: the call is made again once with the same Idempotency-Key (the
  hub answers the first result again); if that fails too, the error says the action may have been done.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from guichet.hub.catalog import Endpoint, catalog
from guichet.hub.wire_errors import rebuild
from guichet.services import errors as service_errors
from guichet.services.errors import AuthenticationError, ServiceError, ValidationError

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


class HubUnreachableError(ServiceError):
    """The site's hub did not answer. ``maybe_done``: the call left, its answer did not come back."""

    def __init__(self, message: str, *, maybe_done: bool = False) -> None:
        super().__init__(message)
        self.maybe_done = maybe_done


class ContactKeptError(ServiceError):
    """The contact was not sent to the hub but kept on this PC: it will be delivered, nothing to type again."""

    def __init__(self, message: str, contact_id: uuid.UUID) -> None:
        super().__init__(message)
        self.contact_id = contact_id


def hub_url(address: str) -> str:
    """``10.0.0.5``, ``10.0.0.5:8765`` or ``http://10.0.0.5:8765/`` → ``http://10.0.0.5:8765``."""
    address = address.strip().rstrip("/")
    if not address:
        return ""
    if "://" not in address:
        address = "http://" + address
    scheme, rest = address.split("://", 1)
    host = rest.split("/", 1)[0]
    if ":" not in host.rsplit("]", 1)[-1]:
        host = f"{host}:{DEFAULT_PORT}"
    return f"{scheme}://{host}"


def pair_with(address: str, code: str, *, timeout_s: float = 5.0) -> dict[str, str]:
    """Trade an administrator's one-time code for this PC's token (``{"token", "name", "role", "site_id"}``)."""
    url = hub_url(address)
    try:
        answer = httpx.post(f"{url}/api/pair", json={"code": code}, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise HubUnreachableError(f"Serveur du site injoignable à l'adresse {url} : {exc}.") from None
    if answer.status_code != 200:
        raise _error_from(answer)
    return answer.json()


def _error_from(answer: httpx.Response) -> ServiceError:
    try:
        body = answer.json()
    except ValueError:
        body = {}
    if answer.status_code == 422 and isinstance(body.get("detail"), list):
        # Checked by the hub against the services' own types: a bug of this PC's version, said plainly.
        where = ", ".join(".".join(str(x) for x in d.get("loc", ())[1:]) for d in body["detail"][:3])
        return ValidationError({"": f"Le serveur du site a refusé la demande (champs : {where or '?'})."})
    rich = rebuild(str(body.get("error", "")), body)
    if rich is not None:
        return rich
    kind = getattr(service_errors, str(body.get("error", "")), None)
    message = str(body.get("message") or f"Erreur du serveur du site (HTTP {answer.status_code}).")
    if kind is ValidationError:
        return ValidationError(body.get("errors") or {"": message})
    if isinstance(kind, type) and issubclass(kind, ServiceError):
        return kind(message)
    if answer.status_code == 401:
        return AuthenticationError(message)
    return ServiceError(message)


class HubLink:
    """The connection to the hub: one HTTP client (kept-alive connections) and whether the hub answers.

    ``listeners`` are called (from any thread) with ``(up, text)`` each time the state changes.
    """

    def __init__(
        self, address: str, token: str, *, connect_timeout_s: float = 2.0, read_timeout_s: float = 20.0
    ) -> None:
        self.url = hub_url(address)
        self._token = token
        self._read_timeout_s = read_timeout_s
        self._client = httpx.Client(
            base_url=self.url,
            timeout=httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            limits=httpx.Limits(max_keepalive_connections=4, max_connections=8),
        )
        self.up: bool | None = None  # unknown until the first answer
        self.since = time.time()
        self.listeners: list[Callable[[bool, str], None]] = []
        self._lock = threading.Lock()

    @property
    def token(self) -> str:
        return self._token

    def mark(self, up: bool, text: str = "") -> None:
        with self._lock:
            if self.up is up:
                return
            self.up, self.since = up, time.time()
        log.log(logging.INFO if up else logging.WARNING, "serveur du site %s : %s", self.url,
                "joignable" if up else f"injoignable ({text})")  # fmt: skip
        for listener in list(self.listeners):
            try:
                listener(up, text)
            except Exception:  # noqa: BLE001 - a listener's bug must not break the call that noticed
                log.exception("écouteur de l'état du serveur du site")

    def call(self, endpoint: Endpoint, kwargs: dict[str, Any], *, timeout_s: float | None = None) -> Any:
        body = endpoint.encode_params(kwargs)
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        timeout = (
            httpx.Timeout(timeout_s, connect=self._client.timeout.connect) if timeout_s else httpx.USE_CLIENT_DEFAULT
        )
        for attempt in (1, 2):
            try:
                answer = self._client.post(endpoint.path, content=body, headers=headers, timeout=timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                if attempt == 1:
                    self.mark(False, str(exc) or type(exc).__name__)
                    raise HubUnreachableError(
                        "Le serveur du site est injoignable : rien n'a été fait. Réessayez quand la liaison sera "
                        "revenue (l'état est affiché en bas de la fenêtre)."
                    ) from None
                self.mark(False, str(exc) or type(exc).__name__)
                raise self._maybe_done() from None
            except httpx.TransportError as exc:  # sent, but the answer was lost: ask again, same key
                log.info("%s : réponse perdue (%s), nouvel essai", endpoint.path, type(exc).__name__)
                if attempt == 2:
                    self.mark(False, str(exc) or type(exc).__name__)
                    raise self._maybe_done() from None
                continue
            self.mark(True)
            if answer.status_code == 200:
                return endpoint.decode_result(answer.content)
            raise _error_from(answer)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _maybe_done() -> HubUnreachableError:
        return HubUnreachableError(
            "La liaison avec le serveur du site a été coupée pendant l'opération : elle a peut-être été faite. "
            "Vérifiez avant de recommencer (la file et le journal se mettront à jour au retour de la liaison).",
            maybe_done=True,
        )

    def health(self, timeout_s: float = 2.0) -> bool:
        """Ask the hub if it answers (no token needed); updates ``up``."""
        try:
            ok = self._client.get("/api/health", timeout=timeout_s).status_code == 200
        except httpx.HTTPError as exc:
            self.mark(False, str(exc) or type(exc).__name__)
            return False
        self.mark(ok, "" if ok else "réponse inattendue")
        return ok

    def whoami(self) -> dict[str, str]:
        answer = self._client.get("/api/device")
        if answer.status_code != 200:
            raise _error_from(answer)
        return answer.json()

    def close(self) -> None:
        self._client.close()


class RemoteService:
    """One service of the hub: ``service.method(**kwargs)`` becomes a call to the hub."""

    def __init__(self, link: HubLink, group: str, name: str) -> None:
        self._link = link
        self._group = group
        self._name = name
        self._table = catalog()

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        endpoint = self._table.get(f"/api/{self._group}/{self._name}/{method}")
        if endpoint is None:
            raise AttributeError(f"{self._name}.{method} n'est pas servi par le serveur du site")
        timeout = 300.0 if (self._name, method) in _LONG_CALLS else None

        def call(**kwargs: Any) -> Any:
            for name in endpoint.dropped:  # a progress callback cannot cross the network
                kwargs.pop(name, None)
            return self._link.call(endpoint, kwargs, timeout_s=timeout)

        call.__name__ = call.__qualname__ = f"{self._name}.{method}"
        return call


_LONG_CALLS = {("stats", "report"), ("rgpd", "apply_retention"), ("rgpd", "access_export"), ("merges", "merge")}


class RemoteContacts(RemoteService):
    """Contacts: a contact typed while the hub is out of reach is kept on this PC, never lost."""

    def __init__(self, link: HubLink, outbox: object | None) -> None:
        super().__init__(link, "services", "contacts")
        self._outbox = outbox

    def log(self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: Any, contact_id: uuid.UUID | None = None) -> Any:
        from guichet.models.base import new_id

        contact_id = contact_id or new_id()
        if data.started_at is None:  # the time it was typed, not the time it reaches the hub
            from guichet.services import clock

            data = replace(data, started_at=clock.now())
        try:
            return self.__getattr__("log")(agent_id=agent_id, site_id=site_id, data=data, contact_id=contact_id)
        except HubUnreachableError:
            if self._outbox is None:
                raise
            self._outbox.keep(agent_id=agent_id, site_id=site_id, data=data, contact_id=contact_id)
            raise ContactKeptError(
                "Serveur du site injoignable : le contact est gardé sur ce poste et lui sera transmis dès son "
                "retour. Vous n'avez rien à ressaisir.",
                contact_id,
            ) from None


class RemoteMail(RemoteService):
    """The mail register: a scan is a file of this PC, so its bytes travel, never its path."""

    def __init__(self, link: HubLink) -> None:
        super().__init__(link, "services", "mail")

    def register_incoming(self, *, agent_id: uuid.UUID, site_id: uuid.UUID, data: Any) -> Any:
        if data.attachment_path:
            path = Path(data.attachment_path)
            if not path.is_file():
                raise ValidationError({"attachment": f"Le fichier « {path} » est introuvable."})
            data = replace(data, attachment_path="", attachment_data=path.read_bytes(), attachment_name=path.name)
        return self.__getattr__("register_incoming")(agent_id=agent_id, site_id=site_id, data=data)

    def attach(self, *, mail_item_id: uuid.UUID | None = None, request_id: uuid.UUID | None = None, path: str) -> Any:
        source = Path(path)
        if not source.is_file():
            raise ValidationError({"attachment": f"Le fichier « {source} » est introuvable."})
        return self.attach_data(
            mail_item_id=mail_item_id, request_id=request_id, data=source.read_bytes(), file_name=source.name
        )


class _Holder:
    def __init__(self, link: HubLink, group: str, names: list[str], special: dict[str, RemoteService]) -> None:
        self.link = link
        self._names = tuple(names)
        for name in names:
            setattr(self, name, special.get(name) or RemoteService(link, group, name))

    @property
    def __dataclass_fields__(self) -> dict[str, None]:  # the names, as on Services (tests walk them)
        return dict.fromkeys(self._names)


def _names(group: str) -> list[str]:
    return sorted({e.service for e in catalog().values() if e.group == group})


class RemoteServices(_Holder):
    """Every service of a desk, through the site's hub."""

    def __init__(self, link: HubLink, outbox: object | None = None) -> None:
        special = {"contacts": RemoteContacts(link, outbox), "mail": RemoteMail(link)}
        super().__init__(link, "services", _names("services"), special)


class RemotePublicServices(_Holder):
    """What a kiosk or a call screen may ask, through the site's hub."""

    def __init__(self, link: HubLink) -> None:
        super().__init__(link, "public", _names("public"), {})
