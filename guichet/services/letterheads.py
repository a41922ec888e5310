"""Each commune's letterhead: what its letters carry (address, logo, signatory), set once for its sites."""

from __future__ import annotations

import base64
import uuid

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import Role
from guichet.models import Agent, Commune, Letterhead
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.letter_templates import ACKNOWLEDGEMENT_FOLLOW_UP
from guichet.services.requests import DEFAULT_ANSWER_DAYS
from guichet.services.requests_types import Letterhead as LetterheadInfo

DEFAULT_FOLLOW_UP = ACKNOWLEDGEMENT_FOLLOW_UP
FIELDS = (
    "service_line", "address", "phone", "email", "website", "signatory_name", "signatory_title", "footer",
    "follow_up", "default_answer_days",
)  # fmt: skip


class LetterheadService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, *, commune_id: uuid.UUID) -> LetterheadInfo:
        """The commune's letterhead, or a plain one made from its name until an administrator sets it."""
        with self._db.read() as s:
            commune = s.get(Commune, commune_id)
            if commune is None:
                raise NotFoundError("Cette commune n'existe pas.")
            row = s.scalar(select(Letterhead).where(Letterhead.commune_id == commune_id))
            if row is None:
                return LetterheadInfo(
                    commune.id, commune.name, "Accueil — guichet unique", (f"Mairie de {commune.name}",), "", "", "",
                    b"", "", f"Pour le Maire de {commune.name}", "", DEFAULT_FOLLOW_UP, DEFAULT_ANSWER_DAYS,
                )  # fmt: skip
            return LetterheadInfo(
                commune.id, commune.name, row.service_line, tuple(line for line in row.address.splitlines() if line),
                row.phone, row.email, row.website, base64.b64decode(row.logo_png) if row.logo_png else b"",
                row.signatory_name, row.signatory_title, row.footer, row.follow_up or DEFAULT_FOLLOW_UP,
                row.default_answer_days or DEFAULT_ANSWER_DAYS,
            )  # fmt: skip

    def save(
        self, *, agent_id: uuid.UUID, commune_id: uuid.UUID, logo_png: bytes | None = None, **values: object
    ) -> LetterheadInfo:
        """Set the commune's letterhead (administrators). ``logo_png``: a PNG, or None to keep the current one."""
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown letterhead fields: {sorted(unknown)}")
        days = values.get("default_answer_days")
        if days is not None and not (isinstance(days, int) and 1 <= days <= 60):
            raise ValidationError({"default_answer_days": "Le délai de réponse doit être de 1 à 60 jours ouvrés."})
        if logo_png is not None and logo_png and not logo_png.startswith(b"\x89PNG"):
            raise ValidationError({"logo": "Le logo doit être une image PNG."})
        with self._db.write() as s:
            agent = s.get(Agent, agent_id)
            if agent is None or agent.role is not Role.ADMIN:
                raise NotAllowedError("Seul un administrateur peut modifier l'en-tête des courriers.")
            row = s.scalar(select(Letterhead).where(Letterhead.commune_id == commune_id))
            if row is None:
                row = Letterhead(commune_id=commune_id)
                s.add(row)
            for name, value in values.items():
                setattr(row, name, value)
            if logo_png is not None:
                row.logo_png = base64.b64encode(logo_png).decode() if logo_png else ""
        return self.get(commune_id=commune_id)
