"""Refusals that carry more than a message across the hub (the same exception arrives on the PC).

Most service errors are a French message (and, for ValidationError, the fields at fault). A few carry what
the window needs to go on: the records a new citizen may duplicate, which the form offers to use instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from guichet.services.dedup import DuplicateMatch, DuplicateSuspected
from guichet.services.errors import ServiceError

_MATCHES = TypeAdapter(list[DuplicateMatch])


def extra_of(exc: ServiceError) -> dict[str, Any]:
    """What the error's JSON body adds to ``error`` and ``message``."""
    if isinstance(exc, DuplicateSuspected):
        return {"matches": _MATCHES.dump_python(exc.matches, mode="json")}
    return {}


def rebuild(kind: str, body: dict[str, Any]) -> ServiceError | None:
    """The exception a body describes, when it carries more than a message (else None)."""
    if kind == "DuplicateSuspected" and isinstance(body.get("matches"), list):
        return DuplicateSuspected(_MATCHES.validate_python(body["matches"]))
    return None
