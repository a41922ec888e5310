"""The letters of a follow-up request, as PDF: acknowledgement, answer, written confirmation of a phone call.

Gathers what a letter needs from the services (the request, its citizen, the commune's letterhead) and hands
it to the layouts of guichet.reports.letters.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from guichet.domain import Channel
from guichet.reports import letter_types as lt
from guichet.reports.letterhead_file import DEFAULT_LOGO_CACHE, layout_letterhead
from guichet.reports.letters import (
    acknowledgement_letter,
    answer_letter,
    phone_confirmation_letter,
    render_letter,
)
from guichet.services import Services, clock
from guichet.services.letter_templates import DEFAULT_TEMPLATES, fill_template, french_date, placeholders_used
from guichet.services.requests_types import Letterhead, RequestDetail

_CIVILITY = {"Madame": "Madame", "Monsieur": "Monsieur"}


class RequestLetters:
    def __init__(self, services: Services, *, logo_cache: Path | None = None) -> None:
        self._services = services
        self._logo_cache = logo_cache or DEFAULT_LOGO_CACHE

    # -- the three letters -----------------------------------------------------------------------------------
    def acknowledgement(self, *, request_id: uuid.UUID, today: date | None = None) -> bytes:
        """« Accusé de réception » of a request: reference, service in charge, expected answer date."""
        detail, head = self._gather(request_id)
        letter = acknowledgement_letter(
            letterhead=self._head(head), recipient=self._recipient(detail), civility=self._civility(detail),
            reference=detail.row.reference, subject=detail.row.subject, received_on=detail.row.received_on,
            service_name=detail.row.service_name, letter_date=today or self._today(),
            expected_answer_on=detail.row.due_on, service_phone=detail.service_phone,
            service_email=detail.service_email, follow_up=self._follow_up(detail, head),
        )  # fmt: skip
        return render_letter(letter)

    def phone_confirmation(self, *, request_id: uuid.UUID, today: date | None = None) -> bytes:
        """Written confirmation of a request made by phone (or at the counter)."""
        detail, head = self._gather(request_id)
        summary = detail.row.subject + (f" — {detail.description}" if detail.description else "")
        letter = phone_confirmation_letter(
            letterhead=self._head(head), recipient=self._recipient(detail), civility=self._civility(detail),
            reference=detail.row.reference, called_on=detail.row.received_on, request_summary=summary,
            service_name=detail.row.service_name, letter_date=today or self._today(),
            expected_answer_on=detail.row.due_on, service_phone=detail.service_phone,
            service_email=detail.service_email, follow_up=self._follow_up(detail, head),
        )  # fmt: skip
        return render_letter(letter)

    def answer(self, *, request_id: uuid.UUID, text: str | None = None, today: date | None = None) -> bytes:
        """The answer letter: ``text`` (placeholders allowed), else the answer recorded on the request."""
        detail, head = self._gather(request_id)
        body = text if text is not None else detail.answer_text
        if not body.strip():
            body = self.suggested_answer(detail=detail, letterhead=head)
        filled = fill_template(body, self.values(detail, head, today=today))
        letter = answer_letter(
            letterhead=self._head(head), recipient=self._recipient(detail), civility=self._civility(detail),
            reference=detail.row.reference, subject=detail.row.subject, body=filled,
            letter_date=today or self._today(), handled_by=detail.row.service_name,
        )  # fmt: skip
        return render_letter(letter)

    def first_letter(self, *, request_id: uuid.UUID) -> tuple[str, bytes]:
        """What to hand or send when a request is opened: the confirmation of a phone call, else the
        acknowledgement. Returns (French title, PDF)."""
        detail = self._services.requests.get(request_id=request_id)
        if detail.row.channel is Channel.PHONE:
            return "Confirmation écrite de la demande téléphonique", self.phone_confirmation(request_id=request_id)
        return "Accusé de réception", self.acknowledgement(request_id=request_id)

    # -- model answers ---------------------------------------------------------------------------------------
    def suggested_answer(
        self, *, request_id: uuid.UUID | None = None, detail: RequestDetail | None = None,
        letterhead: Letterhead | None = None, agent_name: str = "",
    ) -> str:  # fmt: skip
        """The theme's model answer, its placeholders filled (those with no value stay as {name})."""
        if detail is None:
            assert request_id is not None
            detail = self._services.requests.get(request_id=request_id)
        head = letterhead or self._services.letterheads.get(commune_id=detail.commune_id)
        _title, body = DEFAULT_TEMPLATES.get(detail.theme_code) or DEFAULT_TEMPLATES[""]
        return fill_template(body, self.values(detail, head, agent_name=agent_name), keep_missing=True)

    def values(
        self, detail: RequestDetail, head: Letterhead, *, agent_name: str = "", today: date | None = None
    ) -> dict[str, str]:
        citizen = detail.citizen
        return {
            "civilite_nom": citizen.civility_name if citizen else "Madame, Monsieur",
            "citoyen": self._full_name(detail),
            "reference": detail.row.reference,
            "date_demande": french_date(detail.row.received_on),
            "date_reception": french_date(detail.row.received_on),
            "date_limite": french_date(detail.row.due_on),
            "service": detail.row.service_name,
            "telephone_service": detail.service_phone or head.phone,
            "courriel_service": detail.service_email or head.email,
            "objet": detail.row.subject,
            "agent": agent_name,
            "commune": head.commune_name,
            "date_du_jour": french_date(today or self._today()),
        }  # fmt: skip

    # -- internals -------------------------------------------------------------------------------------------
    def _follow_up(self, detail: RequestDetail, head: Letterhead) -> str:
        """The "how to follow your request" box, filled; a line naming a contact the town has not set (no
        e-mail for the service nor the town hall) is left out rather than printed half empty."""
        values = self.values(detail, head)
        kept = [
            line for line in head.follow_up.splitlines()
            if all(values.get(name, "").strip() for name in placeholders_used(line))
        ]  # fmt: skip
        if kept and kept[-1].endswith(" ;"):
            kept[-1] = kept[-1][:-2] + "."
        return fill_template("\n".join(kept), values)

    def _gather(self, request_id: uuid.UUID) -> tuple[RequestDetail, Letterhead]:
        detail = self._services.requests.get(request_id=request_id)
        return detail, self._services.letterheads.get(commune_id=detail.commune_id)

    @staticmethod
    def _today() -> date:
        return clock.local_day(clock.now())

    @staticmethod
    def _full_name(detail: RequestDetail) -> str:
        """First names and name, without the civility: "Aïcha Benali"."""
        if detail.citizen is None:
            return ""
        words = detail.citizen.formal_name.split()
        return " ".join(words[1:]) if words and words[0] in _CIVILITY else " ".join(words)

    @staticmethod
    def _civility(detail: RequestDetail) -> str:
        if detail.citizen is None:
            return ""
        first = detail.citizen.formal_name.split(" ", 1)[0]
        return _CIVILITY.get(first, "")

    @staticmethod
    def _recipient(detail: RequestDetail) -> lt.Recipient | None:
        if detail.citizen is None:
            return None
        return lt.Recipient(detail.citizen.formal_name, detail.citizen.address_lines)

    def letterhead(self, head: Letterhead) -> lt.Letterhead:
        """The commune's letterhead as the letter layouts take it (its logo as a file); the appointments' letters
        use it too."""
        return self._head(head)

    def _head(self, head: Letterhead) -> lt.Letterhead:
        return layout_letterhead(head, cache=self._logo_cache)
