"""What the hub serves: every public method of the services, described by its own type hints.

The hub does not restate the services in a second vocabulary. Each public method of ``Services`` (for the
desks) and of ``PublicServices`` (for the kiosks and call screens) becomes one endpoint, whose parameters
and result are checked and converted by pydantic from the method's annotations: the same frozen dataclasses
travel both ways, and the OpenAPI description follows the code by construction.

Left out on purpose: the in-transaction helpers (they take a Session), callbacks (a progress function
cannot cross the network; the remote caller simply gets no progress) and methods that name a file of the
machine they run on (``mail.attach``: the remote side sends the bytes with ``attach_data`` instead).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

_BYTES = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64", arbitrary_types_allowed=False)

# Never served: a path is a file of the hub's own disk (the remote proxy sends bytes instead).
EXCLUDED = frozenset({("mail", "attach")})

# Parameters that name the agent acting, by precedence: the hub only accepts an agent logged in from the calling
# PC. Where an administrator acts (``admin_id``), ``agent_id`` is the account acted upon, not the actor.
AGENT_PARAMS = ("admin_id", "from_agent_id", "agent_id")

# Calls after which the queue's screens and panels should look again (pushed as a "queue" event).
_QUEUE_READS = frozenset(
    {"queue_statuses", "recent_calls", "ticket", "site_status", "counter_panel", "close_past_days"}
)


def _is_callable_hint(hint: Any) -> bool:
    if hint is Callable or typing.get_origin(hint) in (Callable, typing.Callable):  # noqa: UP006
        return True
    import collections.abc

    if typing.get_origin(hint) is collections.abc.Callable:
        return True
    return any(_is_callable_hint(arg) for arg in typing.get_args(hint)) if typing.get_origin(hint) else False


@dataclass(frozen=True)
class Endpoint:
    """One service method as the hub serves it: ``POST /api/<group>/<service>/<method>``."""

    group: str  # "services" (desks) or "public" (every paired PC)
    service: str
    method: str
    params: tuple[tuple[str, Any, Any], ...]  # (name, type, default or inspect.Parameter.empty)
    dropped: tuple[str, ...]  # callback parameters the remote caller cannot pass
    returns: Any
    doc: str

    @property
    def path(self) -> str:
        return f"/api/{self.group}/{self.service}/{self.method}"

    @property
    def operation_id(self) -> str:
        return f"{self.group}_{self.service}_{self.method}"

    @property
    def agent_params(self) -> tuple[str, ...]:
        """The parameter naming the agent who acts (empty when none does)."""
        names = {name for name, _, _ in self.params}
        return tuple(p for p in AGENT_PARAMS if p in names)[:1]

    @property
    def changes_queue(self) -> bool:
        if self.service == "queue":
            return self.method not in _QUEUE_READS
        return (self.service, self.method) in {("appointments", "check_in"), ("appointments", "book")}

    @property
    def may_print(self) -> bool:
        """The call may queue a print job: the hub's print workers are woken after it."""
        names = {name for name, _, _ in self.params}
        return bool(names & {"printer_key", "print_on"}) or self.method.startswith(("enqueue", "issue", "retry"))

    @cached_property
    def body_model(self) -> type[BaseModel]:
        fields: dict[str, Any] = {}
        for name, hint, default in self.params:
            fields[name] = (hint, ... if default is inspect.Parameter.empty else default)
        model_name = f"{_camel(self.service)}{_camel(self.method)}Params"
        if self.group == "public":
            model_name = "Public" + model_name
        return create_model(model_name, __config__=ConfigDict(extra="forbid", **_BYTES), **fields)

    @cached_property
    def result_model(self) -> type[BaseModel]:
        model_name = f"{_camel(self.service)}{_camel(self.method)}Result"
        if self.group == "public":
            model_name = "Public" + model_name
        return create_model(model_name, __config__=_BYTES, result=(self.returns, ...))

    @cached_property
    def result_adapter(self) -> TypeAdapter:
        return TypeAdapter(self.result_model)

    def encode_params(self, kwargs: dict[str, Any]) -> bytes:
        """The JSON body of a call (the client side)."""
        return self.body_model.model_construct(**kwargs).model_dump_json(warnings=False).encode()

    def decode_params(self, body: bytes) -> dict[str, Any]:
        """The keyword arguments of a call, checked (raises pydantic.ValidationError)."""
        model = self.body_model.model_validate_json(body or b"{}")
        return {name: getattr(model, name) for name, _, _ in self.params}

    def encode_result(self, value: Any) -> bytes:
        return self.result_model.model_construct(result=value).model_dump_json(warnings=False).encode()

    def decode_result(self, body: bytes) -> Any:
        return self.result_model.model_validate_json(body).result


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def endpoints_of(group: str, service_name: str, service_class: type) -> list[Endpoint]:
    """The servable methods of one service class (public, keyword-only, JSON-able)."""
    found: list[Endpoint] = []
    for method_name, fn in inspect.getmembers(service_class, inspect.isfunction):
        if method_name.startswith("_") or (service_name, method_name) in EXCLUDED:
            continue
        signature = inspect.signature(fn)
        params = [p for p in signature.parameters.values() if p.name != "self"]
        if any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params):
            continue  # an in-transaction helper (takes a Session first): not a use case
        if any(p.kind is p.VAR_KEYWORD for p in params):
            continue
        hints = typing.get_type_hints(fn)
        kept: list[tuple[str, Any, Any]] = []
        dropped: list[str] = []
        servable = True
        for p in params:
            hint = hints.get(p.name, Any)
            if _is_callable_hint(hint):
                if p.default is inspect.Parameter.empty:
                    servable = False
                dropped.append(p.name)
                continue
            kept.append((p.name, hint, p.default))
        if not servable:
            continue
        endpoint = Endpoint(
            group, service_name, method_name, tuple(kept), tuple(dropped), hints.get("return", type(None)),
            (inspect.getdoc(fn) or "").split("\n\n")[0],
        )  # fmt: skip
        try:
            endpoint.body_model  # noqa: B018 - refuses what pydantic cannot carry (a Session, an ORM row)
            endpoint.result_model  # noqa: B018
        except Exception:  # noqa: BLE001 - such a method is not a remote use case
            continue
        found.append(endpoint)
    return found


def catalog() -> dict[str, Endpoint]:
    """Every endpoint, by path: the desks' services and the public ones (kiosk, call screen).

    Built from the classes alone: the hub and its clients compute the same table, with no database.
    """
    global _CATALOG
    if _CATALOG is None:
        from guichet.services import Services
        from guichet.services.public import PublicServices

        table: dict[str, Endpoint] = {}
        for group, holder in (("services", Services), ("public", PublicServices)):
            for name, service_class in typing.get_type_hints(holder).items():
                for endpoint in endpoints_of(group, name, service_class):
                    table[endpoint.path] = endpoint
        _CATALOG = table
    return _CATALOG


_CATALOG: dict[str, Endpoint] | None = None
