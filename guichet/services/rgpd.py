"""Personal data handled by the rules (GDPR): retention per kind of data, right of access, erasure.

- ``apply_retention`` anonymises what is past its date (durations in ``RgpdSettings``, reasons in the README),
  in batches of one transaction each, so the desks keep working while it runs; it only picks rows not yet
  anonymised, so a second run, or a run after a crash, does the rest and nothing twice. Statistics read the
  columns it keeps: they are the same before and after.
- ``access_export``: everything held about a person, as JSON and PDF (audited).
- ``erase``: a supervisor anonymises a person's record now and empties the personal text of what is linked to
  it, with the reason in the audit log. Rectification is the ordinary editing of the record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, exists, func, literal_column, or_, select, true, update
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import AuditAction, SiteKind
from guichet.models import (
    AuditEntry,
    Base,
    Citizen,
    Commune,
    Contact,
    Dispatch,
    FollowUpRequest,
    HouseholdMember,
    MailItem,
    Site,
)
from guichet.rgpd_settings import RgpdSettings
from guichet.services import rgpd_anonymise as anon
from guichet.services.attachments import AttachmentStore
from guichet.services.audit import citizen_label, record, record_by, supervisor
from guichet.services.clock import PARIS
from guichet.services.clock import now as system_now
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.rgpd_export import collect, row_count

EXPORT_NOT_ALLOWED = "L'export au titre du droit d'accès est réservé aux superviseurs et aux administrateurs."
ERASE_NOT_ALLOWED = "L'effacement d'une fiche est réservé aux superviseurs et aux administrateurs."
# Tables whose rule is written below; a table added later that points at a citizen counts as activity by its
# updated_at, and an erasure empties its free text (Text columns).
_KNOWN = frozenset({"contact", "request", "mail_item", "household_member", "citizen_consent"})
_ADDRESSES = frozenset({"address", "email", "phone", "body", "correspondent"})  # personal String columns, by name

KINDS: dict[str, str] = {
    "contact_text": "Contacts : objet et notes effacés",
    "contact_person": "Contacts : personne détachée",
    "request": "Demandes : texte et personne effacés",
    "mail": "Courriers : correspondant effacé, numérisations supprimées",
    "dispatch": "Réponses envoyées : adresse et texte effacés",
    "citizen": "Fiches usagers anonymisées",
    "audit": "Journal d'audit : entrées anciennes vidées",
}


def months_text(months: int) -> str:
    return f"{months // 12} an{'s' if months >= 24 else ''}" if months % 12 == 0 else f"{months} mois"


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter month)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    day = now.day
    while True:
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


def policy(settings: RgpdSettings) -> tuple[tuple[str, str], ...]:
    """The retention rules in French (the access export prints them: article 15 asks for them)."""
    m = months_text
    return (
        ("Objet et notes d'un contact", f"{m(settings.contact_text_months)} après le contact"),
        ("Lien entre un contact et la personne", f"{m(settings.contact_person_months)} après le contact ; le contact "
         "reste compté dans les statistiques (canal, thème, suite donnée, horaires), sans personne"),
        ("Demande : objet, description, réponse, personne", f"{m(settings.request_months)} après sa clôture"),
        ("Courrier : correspondant, objet, numérisations", f"{m(settings.mail_months)} après son enregistrement et "
         "la clôture de la demande liée ; la ligne du registre reste, sans correspondant"),
        ("Réponse envoyée : adresse et texte", f"{m(settings.dispatch_months)} après l'envoi"),
        ("Fiche usager", f"anonymisée après {m(settings.citizen_idle_months)} sans contact ni modification, une fois "
         "ses demandes et courriers arrivés à leur terme et si aucun membre de son foyer n'est actif"
         if settings.citizen_idle_months else "conservée tant qu'elle n'est pas effacée (réglage de ce site)"),
        ("Journal des consultations et modifications", f"{m(settings.audit_months)}"),
    )  # fmt: skip


@dataclass(frozen=True)
class RetentionCount:
    kind: str
    label: str
    rows: int


@dataclass(frozen=True)
class RetentionReport:
    at: datetime
    dry_run: bool
    counts: tuple[RetentionCount, ...]
    households: int  # households left with nobody, anonymised
    files_removed: int  # scans removed from disk

    def rows(self, kind: str) -> int:
        return next((c.rows for c in self.counts if c.kind == kind), 0)

    @property
    def total(self) -> int:
        return sum(c.rows for c in self.counts)

    @property
    def summary(self) -> str:
        head = "Simulation (rien n'a été modifié)" if self.dry_run else "Durées de conservation appliquées"
        lines = [f"{head} le {self.at.astimezone(PARIS):%d/%m/%Y à %H:%M} :"]
        lines += [f"  {c.label} : {c.rows}" for c in self.counts]
        if not self.dry_run:
            lines += [f"  Foyers vidés, anonymisés : {self.households}",
                      f"  Numérisations supprimées du disque : {self.files_removed}"]  # fmt: skip
        return "\n".join(lines)


@dataclass(frozen=True)
class AccessExport:
    json_bytes: bytes
    pdf_bytes: bytes
    file_stem: str  # « Droit d'accès DUPONT Jeanne 2026-03-18 »: add .pdf or .json
    rows: int


@dataclass(frozen=True)
class Erased:
    citizen_id: uuid.UUID
    rows: int  # linked rows emptied
    files_removed: int
    summary: str


class RgpdService:
    def __init__(
        self, db: Database, store: AttachmentStore, *, settings: RgpdSettings | None = None,
        clock: Callable[[], datetime] = system_now,
    ) -> None:  # fmt: skip
        self._db = db
        self._store = store
        self.settings = settings or RgpdSettings()
        self._clock = clock

    def policy(self) -> tuple[tuple[str, str], ...]:
        return policy(self.settings)

    # -- retention ------------------------------------------------------------------------------------

    def apply_retention(
        self, *, now: datetime | None = None, dry_run: bool = False, site_id: uuid.UUID | None = None
    ) -> RetentionReport:
        """Anonymise what is past its retention date; ``dry_run`` only counts. ``site_id``: the site the audit
        entries name (by default the main site of the database)."""
        now = now or self._clock()
        with self._db.read() as s:
            site = self._site(s, site_id)
        counts = [
            RetentionCount(kind, KINDS[kind], self._batched(kind, model, where, apply, site, now, dry_run))
            for kind, model, where, apply in _steps(self.settings, now)
        ]
        idle, households = self._citizens(site, now, dry_run)
        counts.append(RetentionCount("citizen", KINDS["citizen"], idle))
        audit_where = [AuditEntry.at < months_before(now, self.settings.audit_months), AuditEntry.deleted_at.is_(None)]
        audited = self._batched("audit", AuditEntry, audit_where, _empty_audit(now), site, now, dry_run)
        counts.append(RetentionCount("audit", KINDS["audit"], audited))
        files = 0
        if not dry_run:
            with self._db.read() as s:
                files = anon.purge_files(s, self._store)
        return RetentionReport(now, dry_run, tuple(counts), households, files)

    def _batched(
        self, kind: str, model: type, where: list, apply: Callable, site: Site, now: datetime, dry_run: bool
    ) -> int:
        """Apply ``apply`` to every row matching ``where``, a batch per transaction, walking the table once in rowid
        order (each batch starts where the last stopped: a backlog of years costs one pass, not one per batch)."""
        if dry_run:
            with self._db.read() as s:
                return s.scalar(select(func.count()).select_from(model).where(*where)) or 0
        rowid = literal_column(f"{model.__tablename__}.rowid")
        months = getattr(self.settings, f"{kind}_months")
        done, last = 0, 0
        while True:
            with self._db.write() as s:
                rows = s.execute(
                    select(model, rowid).where(rowid > last, *where).order_by(rowid).limit(self.settings.batch_size)
                ).all()
                if not rows:
                    return done
                for obj, _ in rows:
                    apply(s, obj)
                record(s, commune_id=site.commune_id, site_id=site.id, action=AuditAction.ANONYMISED,
                       subject_table=model.__tablename__, at=now,
                       detail=f"{KINDS[kind]} : {len(rows)} (conservation : {months_text(months)})")  # fmt: skip
            done += len(rows)
            last = rows[-1][1]

    def _citizens(self, site: Site, now: datetime, dry_run: bool) -> tuple[int, int]:
        """Records idle for ``citizen_idle_months``, nothing still kept pointing at them, no active household."""
        if self.settings.citizen_idle_months == 0:  # turned off on this site
            return 0, 0
        cutoff = months_before(now, self.settings.citizen_idle_months)
        conditions = idle_conditions(cutoff)
        with self._db.read() as s:
            candidates = set(s.scalars(select(Citizen.id).where(*conditions)))
            if candidates:
                members: dict[uuid.UUID, list[uuid.UUID]] = {}
                for household, citizen in s.execute(
                    select(HouseholdMember.household_id, HouseholdMember.citizen_id).where(
                        HouseholdMember.deleted_at.is_(None)
                    )
                ):
                    members.setdefault(household, []).append(citizen)
                for people in members.values():  # a child's record stays while a parent comes to the desk
                    if any(p not in candidates for p in people):
                        candidates.difference_update(people)
        ordered = sorted(candidates, key=str)
        if dry_run:
            return len(ordered), 0
        done = households = 0
        size = self.settings.batch_size
        for i in range(0, len(ordered), size):
            with self._db.write() as s:
                batch = s.scalars(select(Citizen).where(Citizen.id.in_(ordered[i : i + size]), *conditions)).all()
                if not batch:
                    continue
                for c in batch:
                    anon.anonymise_citizen(c, now)
                households += anon.leave_households(s, [c.id for c in batch], now)
                record(s, commune_id=site.commune_id, site_id=site.id, action=AuditAction.ANONYMISED,
                       subject_table="citizen", at=now, detail=f"{KINDS['citizen']} : {len(batch)} (sans activité "
                       f"depuis {months_text(self.settings.citizen_idle_months)})")  # fmt: skip
                done += len(batch)
        return done, households

    # -- right of access ------------------------------------------------------------------------------

    def access_export(self, *, citizen_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID) -> AccessExport:
        """Everything held about a person, as JSON and PDF; the export is written in the audit log."""
        from guichet.reports.access_export import render_pdf  # reportlab loads on the worker, when first needed

        now = self._clock()
        with self._db.read() as s:
            supervisor(s, agent_id, EXPORT_NOT_ALLOWED)
            site = s.get(Site, site_id)
            citizen = s.get(Citizen, citizen_id)
            if site is None or citizen is None:
                raise NotFoundError("Cette fiche n'existe pas (ou plus) sur ce poste.")
            commune = s.get(Commune, site.commune_id)
            data = collect(s, citizen_id)
            assert data is not None and commune is not None
            who = citizen_label(citizen)
        document = {
            "titre": "Données personnelles détenues — droit d'accès",
            "personne": who,
            "commune": commune.name,
            "site": site.name,
            "genere_le": now.isoformat(),
            "introduction": (
                f"Ce document rassemble toutes les données que la commune de {commune.name} détient sur vous "
                "dans son logiciel d'accueil (Guichet) à cette date, en réponse à votre demande d'accès (article 15 "
                "du règlement général sur la protection des données). Elles servent à vous accueillir, à répondre à "
                "vos demandes et à suivre vos courriers. Le fichier JSON remis avec ce document contient les mêmes "
                "données, complètes, sous une forme lisible par un ordinateur."
            ),
            "droits": (
                "Vous pouvez demander la rectification de ces données, leur effacement ou la limitation de leur "
                "usage auprès de l'accueil de la mairie ou de son délégué à la protection des données. Vous pouvez "
                "aussi adresser une réclamation à la CNIL (www.cnil.fr)."
            ),
            "journal_note": (
                "Chaque consultation ou modification de votre fiche par un agent est notée (date, action, site) ; "
                f"ces traces sont conservées {months_text(self.settings.audit_months)}."
            ),
            "conservation": [list(p) for p in self.policy()],
        }
        full = {"document": document, **data}
        json_bytes = json.dumps(full, ensure_ascii=False, indent=2).encode("utf-8")
        pdf_bytes = render_pdf(full)
        rows = row_count(data)
        with self._db.write() as s:
            agent, _home = supervisor(s, agent_id, EXPORT_NOT_ALLOWED)
            record_by(s, agent, s.get(Site, site_id), AuditAction.ACCESS_EXPORT, subject_table="citizen",
                      subject_id=citizen_id, detail=f"PDF et JSON : {rows} ligne(s)", at=now)  # fmt: skip
        stem = f"Droit d'accès {citizen.last_name.upper()} {citizen.first_names} {now.astimezone(PARIS):%Y-%m-%d}"
        return AccessExport(json_bytes, pdf_bytes, " ".join(stem.split()), rows)

    # -- erasure --------------------------------------------------------------------------------------

    def erase(self, *, citizen_id: uuid.UUID, agent_id: uuid.UUID, site_id: uuid.UUID, reason: str) -> Erased:
        """Anonymise a person's record now (and the records merged into it), empty the personal text of every row
        linked to it, keep the rows (statistics); supervisors only, with the reason in the audit log."""
        reason = " ".join(reason.split())
        now = self._clock()
        with self._db.write() as s:
            agent, _home = supervisor(s, agent_id, ERASE_NOT_ALLOWED)
            if len(reason) < 5:
                raise ValidationError(
                    {"reason": "Indiquez le motif de l'effacement (la demande de la personne, sa date…)."}
                )
            site = s.get(Site, site_id)
            citizen = s.get(Citizen, citizen_id)
            if site is None or citizen is None:
                raise NotFoundError("Cette fiche n'existe pas (ou plus) sur ce poste.")
            people = [citizen, *s.scalars(select(Citizen).where(Citizen.merged_into_id == citizen_id))]
            ids = [c.id for c in people]
            pending = s.scalar(
                select(FollowUpRequest.reference)
                .where(FollowUpRequest.citizen_id.in_(ids), FollowUpRequest.is_open == 1)
                .limit(1)
            )
            if pending is not None:
                raise NotAllowedError(
                    f"La demande {pending} de cette personne est en cours : répondez-y, ou classez-la sans suite, "
                    "avant d'effacer la fiche."
                )
            for c in people:
                anon.anonymise_citizen(c, now)
            anon.leave_households(s, ids, now)
            contacts = s.scalars(select(Contact).where(Contact.citizen_id.in_(ids))).all()
            for contact in contacts:
                anon.clear_contact(contact, detach=False)
            hashes: set[str] = set()
            requests = s.scalars(select(FollowUpRequest).where(FollowUpRequest.citizen_id.in_(ids))).all()
            for r in requests:
                hashes.update(anon.anonymise_request(s, r, now, detach=False))
            letters = s.scalars(
                select(MailItem).where(
                    or_(MailItem.citizen_id.in_(ids), MailItem.request_id.in_([r.id for r in requests]))
                )
            ).all()
            for m in letters:
                hashes.update(anon.anonymise_mail(s, m, now, detach=False))
            others = _clear_other_tables(s, ids)
            summary = (f"{len(contacts)} contact(s), {len(requests)} demande(s), {len(letters)} courrier(s)"
                       + (f", {others} autre(s) ligne(s)" if others else ""))  # fmt: skip
            record_by(s, agent, site, AuditAction.ERASED, subject_table="citizen", subject_id=citizen_id,
                      detail=f"Motif : {reason} — {summary} vidés", at=now)  # fmt: skip
        with self._db.read() as s:
            files = anon.purge_files(s, self._store, hashes)
        rows = len(contacts) + len(requests) + len(letters) + others
        return Erased(
            citizen_id, rows, files, f"Fiche effacée : {summary} vidés, {files} numérisation(s) supprimée(s)."
        )

    # -- inside ---------------------------------------------------------------------------------------

    @staticmethod
    def _site(s: Session, site_id: uuid.UUID | None) -> Site:
        if site_id is not None:
            site = s.get(Site, site_id)
        else:  # the job of a database: its main site names it in the audit log
            site = s.scalars(
                select(Site).where(Site.deleted_at.is_(None)).order_by(Site.kind != SiteKind.MAIN, Site.code)
            ).first()
        if site is None:
            raise NotFoundError("Aucun site n'est enregistré dans cette base de données.")
        return site


def _steps(st: RgpdSettings, now: datetime) -> list[tuple[str, type, list, Callable[[Session, object], object]]]:
    """Per kind: its rows past their date and not anonymised yet, and what anonymising one means."""
    closed = func.coalesce(FollowUpRequest.closed_at, FollowUpRequest.answered_at, FollowUpRequest.opened_at)
    text_left = or_(Contact.subject != "", Contact.notes != "")
    request_left = or_(
        FollowUpRequest.citizen_id.is_not(None),
        FollowUpRequest.subject != anon.REQUEST_SUBJECT,
        FollowUpRequest.description != "",
        FollowUpRequest.answer_text != "",
    )
    mail_cut = months_before(now, st.mail_months)
    request_done = select(FollowUpRequest.id).where(FollowUpRequest.is_open == 0, closed < mail_cut)
    mail_left = or_(
        MailItem.citizen_id.is_not(None),
        MailItem.correspondent != "",
        MailItem.subject != anon.MAIL_SUBJECT,
        MailItem.registered_number != "",
    )
    dispatch_left = or_(Dispatch.address != "", Dispatch.body != "", Dispatch.last_error != "")
    sent = func.coalesce(Dispatch.sent_at, Dispatch.created_at)
    return [
        (
            "contact_text",
            Contact,
            [Contact.started_at < months_before(now, st.contact_text_months), text_left],
            lambda s, c: anon.clear_contact(c, detach=False),
        ),
        (
            "contact_person",
            Contact,
            [Contact.started_at < months_before(now, st.contact_person_months), Contact.citizen_id.is_not(None)],
            lambda s, c: anon.clear_contact(c, detach=True),
        ),
        (
            "request",
            FollowUpRequest,
            [FollowUpRequest.is_open == 0, closed < months_before(now, st.request_months), request_left],
            lambda s, r: anon.anonymise_request(s, r, now, detach=True),
        ),
        (
            "mail",
            MailItem,
            [
                MailItem.registered_at < mail_cut,
                or_(MailItem.request_id.is_(None), MailItem.request_id.in_(request_done)),
                mail_left,
            ],
            lambda s, m: anon.anonymise_mail(s, m, now, detach=True),
        ),
        (
            "dispatch",
            Dispatch,
            [sent < months_before(now, st.dispatch_months), dispatch_left],
            lambda s, d: anon.clear_dispatch(d),
        ),
    ]


def idle_conditions(cutoff: datetime) -> list:
    """A citizen record with no activity since ``cutoff``: not edited, no contact, consent or membership since,
    no request or letter still linked (they keep the person until their own term), not anonymised yet."""
    conditions = [Citizen.created_at < cutoff, Citizen.updated_at < cutoff]
    if hasattr(Citizen, "anonymised_at"):
        conditions.append(Citizen.anonymised_at.is_(None))
    if hasattr(Citizen, "last_activity_at"):  # a stamp every site's contacts keep up to date, when the record has one
        conditions.append(or_(Citizen.last_activity_at.is_(None), Citizen.last_activity_at < cutoff))
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if table.name == "citizen" or not any(fk.column.table.name == "citizen" for fk in column.foreign_keys):
                continue
            if table.name == "contact":
                recent = table.c.started_at >= cutoff
            elif table.name in ("request", "mail_item"):
                recent = true()
            elif "updated_at" in table.c:
                recent = table.c.updated_at >= cutoff
            else:
                recent = true()
            conditions.append(~exists().where(column == Citizen.id, recent))
    return conditions


def _empty_audit(now: datetime) -> Callable[[Session, AuditEntry], None]:
    def apply(_s: Session, e: AuditEntry) -> None:
        e.agent_id, e.login, e.subject_table, e.subject_id, e.detail, e.deleted_at = None, "", "", None, "", now

    return apply


def _clear_other_tables(s: Session, ids: list[uuid.UUID]) -> int:
    """Tables without a rule here that point at a citizen (appointments...), and the rows pointing at those (the
    messages sent for them): their free text (Text columns) and the addresses they went to are emptied."""
    changed = 0
    for table in Base.metadata.sorted_tables:
        if table.name in _KNOWN or table.name == "citizen":
            continue
        for column in table.columns:
            if not any(fk.column.table.name == "citizen" for fk in column.foreign_keys):
                continue
            changed += _empty_text(s, table, column.in_(ids))
            linked = select(table.c.id).where(column.in_(ids)).scalar_subquery()
            for child in Base.metadata.sorted_tables:
                for fk_column in child.columns:
                    if any(fk.column.table.name == table.name for fk in fk_column.foreign_keys):
                        changed += _empty_text(s, child, fk_column.in_(linked))
    return changed


def _empty_text(s: Session, table, where) -> int:  # noqa: ANN001
    personal = [
        c.name for c in table.columns if not c.foreign_keys and (isinstance(c.type, Text) or c.name in _ADDRESSES)
    ]
    if not personal:
        return 0
    return s.execute(update(table).where(where).values(dict.fromkeys(personal, ""))).rowcount or 0
