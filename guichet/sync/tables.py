"""Which tables are replicated, in which order, and how a value looks on each side.

The site stores rows as SQLAlchemy writes them in SQLite (ids as 32 hex digits, instants as
``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, booleans as 0/1); the capture triggers copy that text into the
outbox as JSON, which PostgreSQL reads back into its own types (``jsonb_populate_recordset``). Rows coming
from PostgreSQL are turned into the same SQLite text here, so the two sides compare value for value.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, TypeDecorator, Uuid

from guichet.models import Base

# Parents before children: the order a batch is applied in, and the order of the backfill of migration 0004.
SYNCED_TABLES: tuple[str, ...] = (
    "commune",
    "external_body",
    "citizen",
    "site",
    "municipal_service",
    "theme",
    "agent",
    "counter",
    "queue",
    "site_queue_settings",
    "counter_queue",
    "counter_session",
    "ticket",
    "ticket_event",
    "contact",
    "sync_conflict",
    "letterhead",
    "request",
    "request_event",
    "mail_item",
    "attachment",
    "request_dispatch",
    "audit_entry",
    "household",
    "household_member",
    "citizen_consent",
    "appointment_agenda",
    "appointment_kind",
    "appointment_closure",
    "appointment",
    "appointment_notice",
    "answer_sheet",
    "answer_sheet_version",
)
# What a site pulls: the reference data, its commune's configuration and citizens, the conflict log. Its own
# operational rows (contacts, tickets, events, counter sessions) are made on the site: never pulled back.
PULLED_TABLES: tuple[str, ...] = (
    "commune",
    "external_body",
    "citizen",
    "site",
    "municipal_service",
    "theme",
    "agent",
    "counter",
    "queue",
    "site_queue_settings",
    "counter_queue",
    "sync_conflict",
    "letterhead",
    "request",
    "request_event",
    "mail_item",
    "attachment",
    "request_dispatch",
    "household",
    "household_member",
    "citizen_consent",
    "appointment_agenda",
    "appointment_kind",
    "appointment_closure",
    "appointment",
    "appointment_notice",
    "answer_sheet",
    "answer_sheet_version",
)
# Answer sheets (the catalogue of answers): SITIV's (commune_id NULL, written on the central only) and the
# commune's (written by its supervisors at any of its sites), pulled by every site of that scope.
# Households, their members and consents belong to the commune like its citizens: pulled by its every site.
# Agendas and appointments belong to the commune (any desk may tell a citizen about their appointment): pulled
# by its every site; only the agenda's own site writes them (row-level security), see services/appointments.py.
# Requests, their history, the mail register and the answers sent belong to the commune: any of its sites
# may take a request over, so they are pulled by every site of the commune. The audit log is only pushed.
# Records several sites edit: merged field by field by the central transaction.
MERGED_TABLES: frozenset[str] = frozenset({"citizen"})
# The citizen's fields a person edits (merged one by one). search_text is recomputed from them; the stamps
# follow the merge (created_at is the first one, updated_at the latest write).
CITIZEN_FIELDS: tuple[str, ...] = (
    "civility",
    "last_name",
    "first_names",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "preferred_channel",
    "birth_name",
    "birth_date",
    "phone2",
    "anonymised_at",
    "merged_into_id",
    "deleted_at",
)
FIELD_LABELS = {
    "civility": "civilité",
    "last_name": "nom",
    "first_names": "prénoms",
    "phone": "téléphone",
    "email": "courriel",
    "address": "adresse",
    "postal_code": "code postal",
    "city": "ville",
    "preferred_channel": "canal préféré",
    "birth_name": "nom de naissance",
    "birth_date": "date de naissance",
    "phone2": "second téléphone",
    "anonymised_at": "anonymisation",
    "merged_into_id": "fusion dans une autre fiche",
    "deleted_at": "suppression de la fiche",
}
# Demonstrative forms, for messages ("... refuse ce contact").
TABLE_LABELS = {
    "commune": "cette commune",
    "external_body": "cet organisme extérieur",
    "citizen": "ce citoyen",
    "site": "ce site",
    "municipal_service": "ce service municipal",
    "theme": "ce thème",
    "agent": "cet agent",
    "counter": "ce guichet",
    "queue": "cette file d'attente",
    "site_queue_settings": "ces réglages de files d'attente",
    "counter_queue": "ce lien entre un guichet et une file",
    "counter_session": "cette ouverture de guichet",
    "ticket": "ce ticket",
    "ticket_event": "cet événement de ticket",
    "contact": "ce contact",
    "sync_conflict": "ce conflit de synchronisation",
    "letterhead": "cet en-tête de courrier",
    "request": "cette demande",
    "request_event": "cet événement de demande",
    "mail_item": "ce courrier",
    "attachment": "cette pièce jointe",
    "request_dispatch": "cet envoi de réponse",
    "audit_entry": "cette entrée du journal d'audit",
    "household": "ce foyer",
    "household_member": "ce membre de foyer",
    "citizen_consent": "ce consentement",
    "appointment_agenda": "cet agenda de rendez-vous",
    "appointment_kind": "ce type de rendez-vous",
    "appointment_closure": "cette fermeture d'agenda",
    "appointment": "ce rendez-vous",
    "appointment_notice": "cet envoi de confirmation de rendez-vous",
    "answer_sheet": "cette fiche du catalogue de réponses",
    "answer_sheet_version": "cette version d'une fiche du catalogue de réponses",
}


def _uuid(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _instant(value: Any) -> Any:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(value, datetime) else value


def _day(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _flag(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[str, ...]
    to_site: tuple[Callable[[Any], Any], ...]  # per column: PostgreSQL value -> SQLite value
    foreign_keys: tuple[tuple[str, str], ...]  # (column, parent table)
    site_text: tuple[str, ...]  # per column: a PostgreSQL expression giving the SQLite value directly

    @property
    def merged(self) -> bool:
        return self.name in MERGED_TABLES

    def site_row(self, values: tuple[Any, ...] | list[Any]) -> tuple[Any, ...]:
        return tuple(f(v) for f, v in zip(self.to_site, values, strict=True))


def _converter(table: Table, column: str) -> tuple[Callable[[Any], Any], str]:
    """How a column's PostgreSQL value becomes the SQLite one: in Python, or in SQL (faster for bulk pulls)."""
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Uuid):
        return _uuid, f"replace({column}::text, '-', '')"
    if isinstance(kind, DateTime):
        return _instant, f"to_char({column}, 'YYYY-MM-DD HH24:MI:SS.US')"
    if isinstance(kind, Date):
        return _day, f"to_char({column}, 'YYYY-MM-DD')"
    if isinstance(kind, Boolean):
        return _flag, f"{column}::int"
    return _same, column


def _spec(name: str) -> TableSpec:
    table = Base.metadata.tables[name]
    columns = tuple(c.name for c in table.columns)
    fks = tuple(
        (fk.parent.name, fk.column.table.name) for fk in table.foreign_keys if fk.column.table.name in SYNCED_TABLES
    )
    converters = [_converter(table, c) for c in columns]
    return TableSpec(name, columns, tuple(f for f, _ in converters), fks, tuple(sql for _, sql in converters))


SPECS: dict[str, TableSpec] = {name: _spec(name) for name in SYNCED_TABLES}
