"""The hub's HTTP API (FastAPI): the site's services for its other PCs, an OpenAPI description, pushed events.

Every endpoint is ``POST /api/<group>/<service>/<method>`` with the method's keyword arguments as a JSON
object, answering ``{"result": ...}`` (see guichet.hub.catalog). A refused call answers a 4xx with
``{"error": <kind>, "message": <French text for the agent>}``; a PC without a valid token gets 401 and
nothing else. ``GET /api/events`` is a server-sent event stream: "queue" after every change of the queue, so
call screens and counter panels look at once instead of waiting for their next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from guichet import __version__
from guichet.hub.catalog import Endpoint, catalog
from guichet.hub.wire_errors import extra_of
from guichet.services.auth import Workstation
from guichet.services.errors import (
    AuthenticationError,
    NotAllowedError,
    NotFoundError,
    ServiceError,
    ValidationError,
)
from guichet.services.hub_devices import DeviceInfo, DeviceService

log = logging.getLogger(__name__)

_STATUS = {ValidationError: 422, NotFoundError: 404, NotAllowedError: 403, AuthenticationError: 401}


class ErrorBody(BaseModel):
    error: str
    message: str
    errors: dict[str, str] = {}
    matches: list[dict] | None = None  # DuplicateSuspected: the records the new citizen may duplicate


class PairBody(BaseModel):
    code: str


class PairedBody(BaseModel):
    token: str
    name: str
    role: str
    site_id: uuid.UUID


class DeviceBody(BaseModel):
    name: str
    role: str
    site_id: uuid.UUID


def error_response(exc: ServiceError) -> JSONResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 409)
    body = ErrorBody(error=type(exc).__name__, message=exc.message, errors=getattr(exc, "errors", {}) or {})
    return JSONResponse({**body.model_dump(exclude_none=True), **extra_of(exc)}, status_code=status)


class EventHub:
    """Fans events out to every open event stream (called from any thread)."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue] = set()
        self._seq = 0
        self._lock = threading.Lock()
        self._closing = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, kind: str, **data: Any) -> None:
        with self._lock:
            self._seq += 1
            payload = {"kind": kind, "seq": self._seq, **data}
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fan_out, payload)

    def close(self) -> None:
        """End every open stream (the hub stops): each PC notices at once instead of at its next keep-alive."""
        self._closing = True
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._fan_out, None)

    def _fan_out(self, payload: dict | None) -> None:
        for queue in list(self._queues):
            if payload is None or queue.qsize() < 1000:  # a stalled reader misses events, never fills memory
                queue.put_nowait(payload)

    async def stream(self, keepalive_s: float) -> AsyncIterator[bytes]:
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield b"event: hello\ndata: {}\n\n"
            while not self._closing:
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=keepalive_s)
                except TimeoutError:
                    yield b": keepalive\n\n"
                    continue
                if payload is None:
                    return
                yield f"event: {payload['kind']}\ndata: {json.dumps(payload, default=str)}\n\n".encode()
        finally:
            self._queues.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._queues)


class _Replays:
    """Answers of recent writes by their Idempotency-Key: a client that lost an answer asks again safely."""

    def __init__(self, size: int = 2000) -> None:
        self._done: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[int, bytes] | None:
        with self._lock:
            return self._done.get(key)

    def put(self, key: str, status: int, body: bytes) -> None:
        with self._lock:
            self._done[key] = (status, body)
            while len(self._done) > self._size:
                self._done.popitem(last=False)


class PairThrottle:
    """Wrong pairing codes per address: past ``limit`` within ``window_s`` seconds, that address waits.

    A code is 8 characters out of 31 and lives 15 minutes: guessing one is already hopeless, but a PC (or a
    program) trying codes in a loop is something the administrator should see in the log, and the hub refuses
    to be a free oracle. A right code clears the address's count."""

    def __init__(self, *, limit: int = 5, window_s: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self._limit = limit
        self._window_s = window_s
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, address: str) -> float:
        """Seconds before ``address`` may try a code again (0: it may now)."""
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(address, []) if now - t < self._window_s]
            if recent:
                self._failures[address] = recent
            else:
                self._failures.pop(address, None)
            return self._window_s - (now - recent[0]) if len(recent) >= self._limit else 0.0

    def failed(self, address: str) -> None:
        with self._lock:
            self._failures.setdefault(address, []).append(self._clock())
            if len(self._failures) > 10_000:  # addresses are a LAN's: this only bounds a flood
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


def create_app(
    services: object,
    public: object,
    devices: DeviceService,
    *,
    events: EventHub | None = None,
    after_write: Callable[[Endpoint, dict[str, Any]], None] | None = None,
    keepalive_s: float = 10.0,
) -> FastAPI:
    """The hub's application. ``after_write(endpoint, kwargs)`` runs after each successful call that may have
    queued a print job (the composition root wakes the print workers there)."""
    events = events or EventHub()
    replays = _Replays()
    throttle = PairThrottle()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        events.attach(asyncio.get_running_loop())
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="Guichet — serveur du site",
        version=__version__,
        description=(
            "Les services du site pour ses autres postes (postes d'accueil, bornes, écrans d'appel). "
            "Chaque appel porte le jeton du poste : `Authorization: Bearer <jeton>`. "
            "`GET /api/events` (hors description) envoie les événements de la file en continu (server-sent events)."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.events = events
    app.state.devices = devices

    def device(request: Request) -> DeviceInfo:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        return devices.authenticate(token=token)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc)

    @app.get("/api/health", summary="Le serveur répond (sans jeton)")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post("/api/pair", summary="Appairer ce poste avec un code donné par l'administrateur",
              response_model=PairedBody, responses={401: {"model": ErrorBody}, 429: {"model": ErrorBody}})  # fmt: skip
    def pair(request: Request, body: PairBody) -> PairedBody | JSONResponse:
        address = request.client.host if request.client else "?"
        wait_s = throttle.wait_s(address)
        if wait_s > 0:
            minutes = max(1, round(wait_s / 60))
            message = (
                f"Trop de codes d'appairage erronés depuis ce poste : réessayez dans {minutes} minute"
                f"{'s' if minutes > 1 else ''}, avec un code vérifié auprès de l'administrateur."
            )
            body_ = ErrorBody(error="TooManyAttempts", message=message)
            return JSONResponse(body_.model_dump(exclude_none=True), status_code=429,
                                headers={"Retry-After": str(int(wait_s) + 1)})  # fmt: skip
        try:
            paired = devices.claim(code=body.code)
        except AuthenticationError:
            throttle.failed(address)
            log.warning("Code d'appairage erroné depuis %s", address)
            raise
        throttle.succeeded(address)
        log.info("Poste « %s » appairé depuis %s", paired.device.name, address)
        return PairedBody(token=paired.token, name=paired.device.name, role=paired.device.role,
                          site_id=paired.device.site_id)  # fmt: skip

    @app.get("/api/device", summary="Le poste qui appelle", response_model=DeviceBody,
             responses={401: {"model": ErrorBody}})  # fmt: skip
    def whoami(me: DeviceInfo = Depends(device)) -> DeviceBody:  # noqa: B008
        return DeviceBody(name=me.name, role=me.role, site_id=me.site_id)

    @app.get("/api/events", include_in_schema=False)
    async def stream(request: Request) -> StreamingResponse:
        await asyncio.to_thread(device, request)
        events.attach(asyncio.get_running_loop())
        return StreamingResponse(
            events.stream(keepalive_s), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    for endpoint in catalog().values():
        holder = services if endpoint.group == "services" else public
        target = getattr(getattr(holder, endpoint.service), endpoint.method)
        app.add_api_route(
            endpoint.path, _route(endpoint, target, device, devices, events, replays, after_write),
            methods=["POST"], operation_id=endpoint.operation_id, summary=endpoint.doc or None,
            tags=[endpoint.service if endpoint.group == "services" else f"public.{endpoint.service}"],
            response_model=None,
            responses={
                200: {"model": endpoint.result_model},
                401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody},
                409: {"model": ErrorBody}, 422: {"model": ErrorBody},
            },
        )  # fmt: skip
    return app


_AUTH_BINDS = {("auth", "login"), ("auth", "unlock"), ("auth", "switch")}


def _route(
    endpoint: Endpoint,
    target: Callable[..., Any],
    device: Callable[[Request], DeviceInfo],
    devices: DeviceService,
    events: EventHub,
    replays: _Replays,
    after_write: Callable[[Endpoint, dict[str, Any]], None] | None,
) -> Callable[..., Response]:
    body_model = endpoint.body_model

    def call(request: Request, body: body_model, me: DeviceInfo = Depends(device)) -> Response:  # type: ignore[valid-type]  # noqa: B008
        if endpoint.group == "services" and me.role != "poste":
            raise NotAllowedError("Ce poste est appairé comme borne ou écran : il n'a accès qu'à la file d'attente.")
        key = request.headers.get("idempotency-key", "")
        if key:
            done = replays.get(f"{me.id}:{key}")
            if done is not None:
                return Response(done[1], status_code=done[0], media_type="application/json")
        kwargs = {name: getattr(body, name) for name, _, _ in endpoint.params}
        for name in endpoint.agent_params:
            agent = kwargs.get(name)
            if agent is not None and agent not in me.agent_ids:
                raise AuthenticationError(
                    "Cet agent n'est pas connecté sur ce poste pour le serveur du site : reconnectez-vous."
                )
        if isinstance(kwargs.get("workstation"), Workstation):
            # The audit log and the login limits name the PC as the hub knows it, whatever it says it is.
            kwargs["workstation"] = replace(kwargs["workstation"], name=me.name[:60])
        try:
            value = target(**kwargs)
        except IntegrityError:
            log.warning("%s : refusé par la base (données incohérentes)", endpoint.path, exc_info=True)
            raise NotAllowedError(
                "Opération refusée : elle désigne un élément qui n'existe pas ou contredit des données enregistrées."
            ) from None
        except OverflowError:  # a number or a date far beyond anything a screen asks (a limit of 2**62)
            raise ValidationError({"": "Valeur hors des limites acceptées."}) from None
        except ValueError as exc:
            raise ValidationError({"": f"Valeur refusée : {exc}"}) from None
        _bind(endpoint, me, kwargs, value, devices)
        payload = endpoint.encode_result(value)
        if key and len(payload) <= 64_000:  # big answers are reads: asking again is as good
            replays.put(f"{me.id}:{key}", 200, payload)
        if endpoint.changes_queue:
            events.publish("queue", site_id=str(kwargs.get("site_id") or me.site_id), call=endpoint.method)
        if after_write is not None and endpoint.may_print:
            after_write(endpoint, kwargs)
        return Response(payload, media_type="application/json")

    call.__name__ = endpoint.operation_id
    call.__annotations__["body"] = body_model  # a local class: the postponed annotation would not resolve
    return call


def _bind(endpoint: Endpoint, me: DeviceInfo, kwargs: dict, value: Any, devices: DeviceService) -> None:
    where = (endpoint.service, endpoint.method)
    if endpoint.group != "services" or where[0] != "auth":
        return
    if where in _AUTH_BINDS:
        session = getattr(value, "session", value)
        devices.bind_agent(device_id=me.id, agent_id=session.agent_id)
    elif where == ("auth", "logout"):
        devices.unbind_agent(device_id=me.id, agent_id=kwargs["agent_id"])
