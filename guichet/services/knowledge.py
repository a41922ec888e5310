"""The catalogue of answers: answer sheets read by every agent, written by supervisors, and the directory of
the services and bodies citizens are oriented to.

Versioning (models in guichet/models/knowledge.py): each sheet has at most one draft and any number of published
versions. Saving in the editor writes the draft (created on the first change, edited in place until published);
publishing turns the draft into version n + 1, points the sheet at it and leaves the previous versions as they
were (the history). A published version is never edited, so what an agent read on a given day can be found
again. The sheet's details (theme, owner, review date) are not versioned: they apply at once. Publishing counts
as a review: a review date already passed moves one year ahead.

Who writes what: supervisors and administrators write their commune's sheets, at any of its sites (the sheets
are pulled by every site of the commune). SITIV's sheets (no commune) are written in SITIV's reference database,
which does not sync, and reach the sites through the central database; on a database that syncs they are read
only (the central's row-level security would refuse the change anyway). Two supervisors who edit one sheet
offline at two sites each keep their own draft until the sync; the central keeps the last draft it received,
and two versions published offline at once both stay in the history with the same number (the sheet points
at the one the central received last).
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from guichet.db import Database
from guichet.domain import PrintJobKind, PrintJobStatus, Role, SheetStatus
from guichet.models import (
    Agent,
    AnswerSheet,
    AnswerSheetVersion,
    Commune,
    Contact,
    ExternalBody,
    MunicipalService,
    PrintJob,
    Site,
    SyncState,
    Theme,
)
from guichet.services import clock
from guichet.services.errors import NotAllowedError, NotFoundError, ValidationError
from guichet.services.knowledge_directory import directory_entries, entries_by_id, search_directory
from guichet.services.knowledge_types import (
    DirectoryEntry,
    SheetContent,
    SheetDetail,
    SheetInput,
    SheetList,
    SheetSummary,
    SheetUsage,
    SheetView,
    VersionInfo,
    parse_link,
)
from guichet.services.printing import PAYLOAD_VERSION, PrintJobInfo, PrintJobService
from guichet.text import fold, fts_prefix_query, word_tokens

EDITORS = (Role.SUPERVISOR, Role.ADMIN)
REVIEW_AFTER = timedelta(days=365)
USAGE_DAYS = 30
NOT_EDITOR = "Seuls les superviseurs et les administrateurs modifient les fiches du catalogue de réponses."
SITIV_READ_ONLY = (
    "Cette fiche est commune à toutes les villes du SITIV : elle se modifie au SITIV, puis arrive sur chaque "
    "poste par la synchronisation."
)
OTHER_COMMUNE = "Cette fiche appartient à une autre commune : seuls ses superviseurs la modifient."
_CONTENT_FIELDS = (
    "title", "question", "answer", "in_charge", "where_when", "fees", "keywords", "service_id", "body_id",
)  # fmt: skip


def sheet_search_text(content: SheetContent) -> str:
    """The folded words a sheet is found by: title and keywords first, then everything an agent reads."""
    parts = [
        content.title, content.keywords, content.question, content.answer, " ".join(content.documents),
        content.in_charge, content.where_when, content.fees,
    ]  # fmt: skip
    return " ".join(dict.fromkeys(w for part in parts for w in word_tokens(part)))


def _lines(value: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in value.splitlines() if line.strip())


def _content(v: AnswerSheetVersion) -> SheetContent:
    return SheetContent(
        title=v.title, question=v.question, answer=v.answer, documents=_lines(v.documents), in_charge=v.in_charge,
        where_when=v.where_when, fees=v.fees, links=_lines(v.links), keywords=v.keywords, service_id=v.service_id,
        body_id=v.body_id,
    )  # fmt: skip


def _today() -> date:
    return clock.local_day(clock.now())


class KnowledgeService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- reading: every agent ------------------------------------------------------------------------------

    def for_theme(self, *, theme_id: uuid.UUID, commune_id: uuid.UUID) -> tuple[SheetView, ...]:
        """The published sheets of a theme, of its sub-themes, then of its parent theme (general sheets last)."""
        with self._db.read() as s:
            theme = s.get(Theme, theme_id)
            if theme is None:
                return ()
            rank = {theme.id: 0}
            for child in s.scalars(select(Theme.id).where(Theme.parent_id == theme.id, Theme.deleted_at.is_(None))):
                rank[child] = 1
            if theme.parent_id is not None:
                rank[theme.parent_id] = 2
            pairs = s.execute(
                self._published(commune_id).where(AnswerSheet.theme_id.in_(list(rank)))
            ).all()  # fmt: skip
            pairs.sort(key=lambda p: (rank[p[0].theme_id], fold(p[1].title)))
            return self._views(s, pairs)

    def search(self, *, query: str, commune_id: uuid.UUID, limit: int = 20) -> tuple[SheetView, ...]:
        """Published sheets matching every word typed (accents, case and word endings after the prefix ignored),
        those whose title holds the words first, then by relevance."""
        words = fold(query).split()
        if not words:
            return ()
        limit = max(1, min(limit, 500))
        match = fts_prefix_query(words)
        with self._db.read() as s:
            found = s.execute(
                text(
                    "SELECT v.id, v.title, v.keywords FROM answer_sheet_version_fts f "
                    "JOIN answer_sheet_version v ON v.rowid = f.rowid "
                    "JOIN answer_sheet s ON s.id = v.sheet_id AND s.current_version_id = v.id "
                    "WHERE answer_sheet_version_fts MATCH :match AND s.archived_at IS NULL AND s.deleted_at IS NULL "
                    "AND (s.commune_id IS NULL OR s.commune_id = :commune) "
                    "ORDER BY bm25(answer_sheet_version_fts) LIMIT :cap"
                ),
                {"match": match, "commune": commune_id.hex, "cap": limit * 2},
            ).all()  # fmt: skip
            # The words in the title or the keywords first (stable: by relevance within each group).
            ranked = sorted(found, key=lambda r: not all(w in fold(f"{r.title} {r.keywords}") for w in words))
            order = {uuid.UUID(hex=r.id): n for n, r in enumerate(ranked[:limit])}
            if not order:
                return ()
            pairs = s.execute(self._published(commune_id).where(AnswerSheetVersion.id.in_(list(order)))).all()
            pairs.sort(key=lambda pair: order[pair[1].id])
            return self._views(s, pairs)

    def get(self, *, sheet_id: uuid.UUID) -> SheetView:
        """The published version of a sheet, as the desks read it."""
        with self._db.read() as s:
            sheet = s.get(AnswerSheet, sheet_id)
            version = (
                s.get(AnswerSheetVersion, sheet.current_version_id) if sheet and sheet.current_version_id else None
            )
            if sheet is None or sheet.deleted_at is not None or version is None:
                raise NotFoundError("Cette fiche n'existe pas ou n'a pas encore été publiée.")
            return self._views(s, [(sheet, version)])[0]

    def sheets(
        self, *, agent_id: uuid.UUID, query: str = "", include_archived: bool = False, usage_days: int = USAGE_DAYS
    ) -> SheetList:
        """Every sheet of the agent's commune and of SITIV for the « Fiches » page (drafts and archived ones for
        those who edit them), with the number of contacts that used each over the last ``usage_days`` days."""
        with self._db.read() as s:
            agent, commune_id = self._agent(s, agent_id)
            editor = agent.role in EDITORS
            stmt = (
                select(AnswerSheet, AnswerSheetVersion.title, AnswerSheetVersion.number)
                .outerjoin(AnswerSheetVersion, AnswerSheetVersion.id == AnswerSheet.current_version_id)
                .where(
                    AnswerSheet.deleted_at.is_(None),
                    or_(AnswerSheet.commune_id.is_(None), AnswerSheet.commune_id == commune_id),
                )
            )
            if not editor:
                stmt = stmt.where(AnswerSheet.current_version_id.is_not(None), AnswerSheet.archived_at.is_(None))
            elif not include_archived:
                stmt = stmt.where(AnswerSheet.archived_at.is_(None))
            found_rows = s.execute(stmt).all()
            # The latest edited draft of each sheet, and the theme labels: one query each, not one per sheet.
            drafts = dict(
                s.execute(
                    select(AnswerSheetVersion.sheet_id, AnswerSheetVersion.title)
                    .where(AnswerSheetVersion.status == SheetStatus.DRAFT, AnswerSheetVersion.deleted_at.is_(None))
                    .order_by(AnswerSheetVersion.updated_at, AnswerSheetVersion.id)
                ).all()
            )
            labels = self._theme_labels(s, {sheet.theme_id for sheet, _, _ in found_rows})
            words = fold(query).split()
            uses = self._uses(s, commune_id, usage_days) if editor else {}
            today = _today()
            rows = [
                self._summary_of(
                    sheet,
                    title,
                    number,
                    drafts.get(sheet.id),
                    labels.get(sheet.theme_id, ""),
                    uses.get(sheet.id, 0),
                    today,
                    include_draft=editor,
                )  # fmt: skip
                for sheet, title, number in found_rows
            ]
            if words:
                # Full text over the versions (an editor's drafts and history too), or the words
                # in the theme or the owner (which the versions' text does not hold).
                found = set(
                    s.execute(
                        text(
                            "SELECT v.sheet_id FROM answer_sheet_version_fts f "
                            "JOIN answer_sheet_version v ON v.rowid = f.rowid "
                            "WHERE answer_sheet_version_fts MATCH :match AND v.deleted_at IS NULL AND (:every OR "
                            "v.id = (SELECT current_version_id FROM answer_sheet WHERE id = v.sheet_id))"
                        ),
                        {"match": fts_prefix_query(words), "every": editor},
                    ).scalars()
                )
                rows = [
                    r for r in rows
                    if r.sheet_id.hex in found or all(w in fold(f"{r.title} {r.theme_label} {r.owner}") for w in words)
                ]  # fmt: skip
            rows.sort(key=lambda r: (fold(r.theme_label), fold(r.title)))
            synced = self._synced(s)
            return SheetList(tuple(rows), usage_days, editor, may_create=editor, may_create_sitiv=editor and not synced)

    def detail(self, *, sheet_id: uuid.UUID, agent_id: uuid.UUID) -> SheetDetail:
        """A sheet with its draft and history, and whether this agent may edit it."""
        with self._db.read() as s:
            return self._detail(s, self._sheet(s, sheet_id), agent_id)

    def directory(self, *, commune_id: uuid.UUID, query: str = "") -> tuple[DirectoryEntry, ...]:
        """The commune's services and the external bodies, matching every word typed in their name, what they
        handle or their address (accents ignored); all of them, by name, when nothing is typed."""
        with self._db.read() as s:
            return search_directory(directory_entries(s, commune_id), query)

    # -- writing: supervisors ------------------------------------------------------------------------------

    def save_draft(
        self, *, agent_id: uuid.UUID, data: SheetInput, sheet_id: uuid.UUID | None = None, publish: bool = False
    ) -> SheetDetail:
        """Create a sheet (with its first draft) or save the editor's changes: the details at once, the content
        as the draft (none is kept when it says what the published version says); ``publish``: then publish it,
        in the same transaction."""
        with self._db.write() as s:
            agent, commune_id = self._agent(s, agent_id)
            if agent.role not in EDITORS:
                raise NotAllowedError(NOT_EDITOR)
            if sheet_id is None:
                if data.sitiv_wide and self._synced(s):
                    raise NotAllowedError(SITIV_READ_ONLY)
                sheet = AnswerSheet(commune_id=None if data.sitiv_wide else commune_id)
            else:
                sheet = self._sheet(s, sheet_id)
                self._check_editable(s, sheet, agent, commune_id)
            self._validate(s, data, sheet.commune_id, publishing=publish)
            sheet.theme_id = data.theme_id
            sheet.owner = data.owner.strip()
            sheet.review_on = data.review_on
            if sheet_id is None:
                s.add(sheet)
            s.flush()
            content = self._normalised(data.content)
            published = s.get(AnswerSheetVersion, sheet.current_version_id) if sheet.current_version_id else None
            if published is not None and _content(published) == content:
                for draft in s.scalars(self._drafts(sheet.id)):  # back to what is published: no draft to keep
                    draft.deleted_at = clock.now()
                s.flush()
                return self._detail(s, sheet, agent_id)
            draft = self._draft(s, sheet.id)
            if draft is None:
                draft = AnswerSheetVersion(sheet_id=sheet.id, commune_id=sheet.commune_id, status=SheetStatus.DRAFT)
                s.add(draft)
            self._fill(draft, content, author=f"{agent.first_name} {agent.last_name}")
            s.flush()
            if publish:
                self._publish(s, sheet, draft, agent)
            return self._detail(s, sheet, agent_id)

    def publish(self, *, agent_id: uuid.UUID, sheet_id: uuid.UUID) -> SheetDetail:
        """The draft becomes the next version, read by every desk from now on (the previous one stays in the
        history); publishing puts an archived sheet back in service and counts as a review."""
        with self._db.write() as s:
            agent, commune_id = self._agent(s, agent_id)
            sheet = self._sheet(s, sheet_id)
            self._check_editable(s, sheet, agent, commune_id)
            draft = self._draft(s, sheet.id)
            if draft is None:
                raise ValidationError({"draft": "Cette fiche n'a pas de brouillon à publier : modifiez-la d'abord."})
            self._validate(
                s, SheetInput(theme_id=sheet.theme_id, content=_content(draft)), sheet.commune_id, publishing=True
            )  # fmt: skip
            self._publish(s, sheet, draft, agent)
            return self._detail(s, sheet, agent_id)

    def discard_draft(self, *, agent_id: uuid.UUID, sheet_id: uuid.UUID) -> SheetDetail | None:
        """Drop the draft; a sheet never published goes with it (returns None then)."""
        with self._db.write() as s:
            agent, commune_id = self._agent(s, agent_id)
            sheet = self._sheet(s, sheet_id)
            self._check_editable(s, sheet, agent, commune_id)
            now = clock.now()
            for draft in s.scalars(self._drafts(sheet.id)):
                draft.deleted_at = now
            if sheet.current_version_id is None:
                sheet.deleted_at = now
                return None
            s.flush()
            return self._detail(s, sheet, agent_id)

    def archive(self, *, agent_id: uuid.UUID, sheet_id: uuid.UUID, archived: bool = True) -> SheetDetail:
        """Take a sheet off the desks (nothing is erased), or put it back."""
        with self._db.write() as s:
            agent, commune_id = self._agent(s, agent_id)
            sheet = self._sheet(s, sheet_id)
            self._check_editable(s, sheet, agent, commune_id)
            sheet.archived_at = clock.now() if archived else None
            s.flush()
            return self._detail(s, sheet, agent_id)

    # -- use at the desk -----------------------------------------------------------------------------------

    def usage(
        self, *, agent_id: uuid.UUID, start: date, end: date, site_id: uuid.UUID | None = None
    ) -> tuple[SheetUsage, ...]:
        """How many contacts used each sheet from ``start`` to ``end`` (included), most used first: what
        citizens ask about. Supervisors only. Counts the contacts this database holds (a site's own)."""
        with self._db.read() as s:
            agent, commune_id = self._agent(s, agent_id)
            if agent.role not in EDITORS:
                raise NotAllowedError("Les chiffres d'utilisation des fiches sont réservés aux superviseurs.")
            counts = self._counts(s, commune_id, clock.day_bounds(start)[0], clock.day_bounds(end)[1], site_id)
            rows = []
            for sheet_id, uses in counts.items():
                sheet = s.get(AnswerSheet, sheet_id)
                if sheet is None:
                    continue
                summary = self._summary(s, sheet, uses, include_draft=False)
                rows.append(SheetUsage(sheet_id, summary.title, summary.theme_label, uses))
            rows.sort(key=lambda r: (-r.uses, fold(r.title)))
            return tuple(rows)

    def enqueue_documents(self, *, sheet_id: uuid.UUID, site_id: uuid.UUID, printer_key: str) -> PrintJobInfo:
        """Queue the list of documents to bring of a published sheet on a thermal printer (no personal data)."""
        key = (printer_key or "").strip()
        if not key:
            raise ValidationError({"printer_key": "Aucune imprimante n'est réglée sur ce poste."})
        view = self.get(sheet_id=sheet_id)
        with self._db.write() as s:
            site = s.get(Site, site_id)
            if site is None:
                raise NotFoundError("Ce site n'existe pas.")
            commune = s.get(Commune, site.commune_id)
            now = clock.now()
            link = view.links[0] if view.links else None
            payload = {
                "v": PAYLOAD_VERSION,
                "commune": commune.name if commune else "",
                "site": site.name,
                "title": view.title,
                "documents": list(view.content.documents),
                "in_charge": view.in_charge,
                "where_when": view.content.where_when,
                "fees": view.content.fees,
                "link": link.url if link else "",
                "version": f"{view.version_label}",
                "at": now.isoformat(),
                "site_footer": " — ".join(
                    p for p in (site.name, site.address, site.phone and f"Tél. {site.phone}") if p
                ),
            }
            job = PrintJob(
                site_id=site.id, kind=PrintJobKind.SHEET, printer_key=key[:50], label=f"pièces « {view.title} »"[:80],
                payload=json.dumps(payload, ensure_ascii=False), status=PrintJobStatus.PENDING, created_at=now,
                updated_at=now,
            )  # fmt: skip
            s.add(job)
            s.flush()
            job_id = job.id
        return PrintJobService(self._db).get(job_id=job_id)

    # -- internals -----------------------------------------------------------------------------------------

    @staticmethod
    def _published(commune_id: uuid.UUID):  # noqa: ANN205
        return (
            select(AnswerSheet, AnswerSheetVersion)
            .join(AnswerSheetVersion, AnswerSheetVersion.id == AnswerSheet.current_version_id)
            .where(
                AnswerSheet.deleted_at.is_(None),
                AnswerSheet.archived_at.is_(None),
                or_(AnswerSheet.commune_id.is_(None), AnswerSheet.commune_id == commune_id),
            )
        )

    def _publish(self, s: Session, sheet: AnswerSheet, draft: AnswerSheetVersion, agent: Agent) -> None:
        now = clock.now()
        last = s.scalar(
            select(func.max(AnswerSheetVersion.number)).where(
                AnswerSheetVersion.sheet_id == sheet.id, AnswerSheetVersion.status == SheetStatus.PUBLISHED
            )
        )
        draft.status = SheetStatus.PUBLISHED
        draft.number = (last or 0) + 1
        draft.published_at = now
        draft.published_by = f"{agent.first_name} {agent.last_name}"
        sheet.current_version_id = draft.id
        sheet.archived_at = None
        today = clock.local_day(now)
        if sheet.review_on is None or sheet.review_on <= today:
            sheet.review_on = today + REVIEW_AFTER
        for other in s.scalars(self._drafts(sheet.id)):  # another site's draft, come in by the sync
            if other.id != draft.id:
                other.deleted_at = now
        s.flush()

    @staticmethod
    def _drafts(sheet_id: uuid.UUID):  # noqa: ANN205
        return (
            select(AnswerSheetVersion)
            .where(
                AnswerSheetVersion.sheet_id == sheet_id,
                AnswerSheetVersion.status == SheetStatus.DRAFT,
                AnswerSheetVersion.deleted_at.is_(None),
            )
            .order_by(AnswerSheetVersion.updated_at.desc(), AnswerSheetVersion.id.desc())
        )

    def _draft(self, s: Session, sheet_id: uuid.UUID) -> AnswerSheetVersion | None:
        """The sheet's draft (the latest edited, if the sync brought another site's too)."""
        return s.scalars(self._drafts(sheet_id).limit(1)).first()

    @staticmethod
    def _sheet(s: Session, sheet_id: uuid.UUID) -> AnswerSheet:
        sheet = s.get(AnswerSheet, sheet_id)
        if sheet is None or sheet.deleted_at is not None:
            raise NotFoundError("Cette fiche n'existe pas ou a été supprimée.")
        return sheet

    @staticmethod
    def _agent(s: Session, agent_id: uuid.UUID) -> tuple[Agent, uuid.UUID]:
        agent = s.get(Agent, agent_id)
        site = s.get(Site, agent.site_id) if agent else None
        if agent is None or site is None:
            raise NotFoundError("Cet agent n'existe pas.")
        return agent, site.commune_id

    @staticmethod
    def _synced(s: Session) -> bool:
        """Whether this database syncs with the central one (it knows its site there)."""
        return s.scalar(select(SyncState.site_id).where(SyncState.id == 1)) is not None

    def _why_not(self, s: Session, sheet: AnswerSheet, agent: Agent, commune_id: uuid.UUID) -> str:
        if agent.role not in EDITORS:
            return NOT_EDITOR
        if sheet.commune_id is None:
            return SITIV_READ_ONLY if self._synced(s) else ""
        return "" if sheet.commune_id == commune_id else OTHER_COMMUNE

    def _check_editable(self, s: Session, sheet: AnswerSheet, agent: Agent, commune_id: uuid.UUID) -> None:
        why = self._why_not(s, sheet, agent, commune_id)
        if why:
            raise NotAllowedError(why)

    @staticmethod
    def _normalised(content: SheetContent) -> SheetContent:
        def clean(values: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(" ".join(v.split()) for v in values if v.strip())

        return SheetContent(
            title=" ".join(content.title.split()), question=content.question.strip(), answer=content.answer.strip(),
            documents=clean(content.documents), in_charge=content.in_charge.strip(),
            where_when=content.where_when.strip(), fees=content.fees.strip(), links=clean(content.links),
            keywords=" ".join(content.keywords.split()), service_id=content.service_id, body_id=content.body_id,
        )  # fmt: skip

    @staticmethod
    def _validate(s: Session, data: SheetInput, commune_id: uuid.UUID | None, *, publishing: bool) -> None:
        c = data.content
        errors: dict[str, str] = {}
        if not c.title.strip():
            errors["title"] = "Donnez un titre à la fiche (la question telle que les citoyens la posent)."
        elif len(c.title.strip()) > 200:
            errors["title"] = "Le titre ne doit pas dépasser 200 caractères."
        if data.theme_id is None:
            errors["theme"] = "Choisissez le thème de la fiche."
        else:
            theme = s.get(Theme, data.theme_id)
            if theme is None or theme.deleted_at is not None:
                errors["theme"] = "Ce thème n'existe plus : choisissez-en un autre."
        if publishing and not c.answer.strip():
            errors["answer"] = "Une fiche publiée doit donner la réponse validée."
        if len(data.owner.strip()) > 150:
            errors["owner"] = "Le responsable de la fiche tient en 150 caractères au plus."
        if len(c.in_charge.strip()) > 200:
            errors["in_charge"] = "Le service en charge tient en 200 caractères au plus."
        if len(" ".join(c.keywords.split())) > 300:
            errors["keywords"] = "Les mots-clés tiennent en 300 caractères au plus."
        bad = [line for line in c.links if line.strip() and parse_link(line) is None]
        if bad:
            errors["links"] = (
                f"Ce lien n'est pas une adresse web : « {bad[0].strip()} » (écrivez « libellé | https://… »)."
            )
        if c.service_id is not None and c.body_id is not None:
            errors["orientation"] = "Une fiche propose un service municipal ou un organisme extérieur, pas les deux."
        elif c.service_id is not None:
            service = s.get(MunicipalService, c.service_id)
            if commune_id is None:
                errors["orientation"] = (
                    "Une fiche de toutes les villes du SITIV ne peut pas orienter vers le service d'une commune : "
                    "choisissez un organisme extérieur, ou écrivez le service en charge."
                )
            elif service is None or service.deleted_at is not None or service.commune_id != commune_id:
                errors["orientation"] = "Ce service n'existe plus dans la commune : choisissez-en un autre."
        elif c.body_id is not None:
            body = s.get(ExternalBody, c.body_id)
            if body is None or body.deleted_at is not None:
                errors["orientation"] = "Cet organisme n'existe plus : choisissez-en un autre."
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _fill(version: AnswerSheetVersion, c: SheetContent, *, author: str) -> None:
        for name in _CONTENT_FIELDS:
            setattr(version, name, getattr(c, name))
        version.documents = "\n".join(c.documents)
        version.links = "\n".join(c.links)
        version.author = author
        version.search_text = sheet_search_text(c)

    @staticmethod
    def _theme_labels(s: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        themes = {t.id: t for t in s.scalars(select(Theme).where(Theme.id.in_(list(ids))))}
        parents = {t.id: t for t in s.scalars(select(Theme).where(Theme.id.in_([t.parent_id for t in themes.values()
                                                                                   if t.parent_id])))}  # fmt: skip
        labels = {}
        for theme_id, theme in themes.items():
            parent = parents.get(theme.parent_id) if theme.parent_id else None
            labels[theme_id] = f"{parent.label} › {theme.label}" if parent else theme.label
        return labels

    def _views(self, s: Session, pairs) -> tuple[SheetView, ...]:  # noqa: ANN001 - [(AnswerSheet, AnswerSheetVersion)]
        labels = self._theme_labels(s, {sheet.theme_id for sheet, _ in pairs})
        targets = entries_by_id(
            s, {v.service_id for _, v in pairs if v.service_id}, {v.body_id for _, v in pairs if v.body_id}
        )
        return tuple(
            SheetView(
                sheet_id=sheet.id,
                version_id=v.id,
                number=v.number,
                status=v.status,
                commune_id=sheet.commune_id,
                theme_id=sheet.theme_id,
                theme_label=labels.get(sheet.theme_id, ""),
                content=_content(v),
                owner=sheet.owner,
                review_on=sheet.review_on,
                published_at=v.published_at,
                published_by=v.published_by,
                author=v.author,
                edited_at=v.updated_at,
                orientation=targets.get(v.service_id or v.body_id) if (v.service_id or v.body_id) else None,
            )  # fmt: skip
            for sheet, v in pairs
        )

    def _summary(self, s: Session, sheet: AnswerSheet, uses: int, *, include_draft: bool) -> SheetSummary:
        published = s.get(AnswerSheetVersion, sheet.current_version_id) if sheet.current_version_id else None
        draft = self._draft(s, sheet.id)
        label = self._theme_labels(s, {sheet.theme_id}).get(sheet.theme_id, "")
        return self._summary_of(
            sheet, published.title if published else None, published.number if published else None,
            draft.title if draft else None, label, uses, _today(), include_draft=include_draft,
        )  # fmt: skip

    @staticmethod
    def _summary_of(
        sheet: AnswerSheet, published_title: str | None, number: int | None, draft_title: str | None,
        theme_label: str, uses: int, today: date, *, include_draft: bool,
    ) -> SheetSummary:  # fmt: skip
        """The list's line of a sheet: an editor sees the draft's title, an agent the published one."""
        if not include_draft and published_title is not None:
            draft_title = None
        title = (draft_title if include_draft else None) or published_title or draft_title or "(sans titre)"
        return SheetSummary(
            sheet_id=sheet.id, title=title, theme_id=sheet.theme_id, theme_label=theme_label,
            commune_id=sheet.commune_id, number=number or 0, has_draft=draft_title is not None,
            archived=sheet.archived_at is not None, owner=sheet.owner, review_on=sheet.review_on,
            to_review=sheet.review_on is not None and sheet.review_on < today, uses=uses,
        )  # fmt: skip

    def _detail(self, s: Session, sheet: AnswerSheet, agent_id: uuid.UUID) -> SheetDetail:
        agent, commune_id = self._agent(s, agent_id)
        why = self._why_not(s, sheet, agent, commune_id)
        published = s.get(AnswerSheetVersion, sheet.current_version_id) if sheet.current_version_id else None
        draft = self._draft(s, sheet.id) if not why or agent.role in EDITORS else None
        views = self._views(s, [(sheet, v) for v in (published, draft) if v is not None])
        history = s.scalars(
            select(AnswerSheetVersion)
            .where(
                AnswerSheetVersion.sheet_id == sheet.id,
                AnswerSheetVersion.status == SheetStatus.PUBLISHED,
                AnswerSheetVersion.deleted_at.is_(None),
            )
            .order_by(AnswerSheetVersion.number.desc(), AnswerSheetVersion.published_at.desc())
        ).all()
        return SheetDetail(
            summary=self._summary(s, sheet, 0, include_draft=True),
            published=views[0] if published is not None else None,
            draft=views[-1] if draft is not None else None,
            history=tuple(
                VersionInfo(
                    v.id,
                    v.number,
                    v.status,
                    v.title,
                    v.author,
                    v.updated_at,
                    v.published_at,
                    v.published_by,
                    v.id == sheet.current_version_id,
                )  # fmt: skip
                for v in history
            ),
            can_edit=not why,
            why_not=why,
        )

    @staticmethod
    def _counts(
        s: Session, commune_id: uuid.UUID, start: datetime, end: datetime, site_id: uuid.UUID | None = None
    ) -> dict[uuid.UUID, int]:
        stmt = (
            select(Contact.sheet_id, func.count())
            .join(Site, Site.id == Contact.site_id)
            .where(
                Contact.sheet_id.is_not(None),
                Contact.deleted_at.is_(None),
                Contact.started_at >= start,
                Contact.started_at < end,
                Site.commune_id == commune_id,
            )
            .group_by(Contact.sheet_id)
        )
        if site_id is not None:
            stmt = stmt.where(Contact.site_id == site_id)
        return {sheet_id: n for sheet_id, n in s.execute(stmt)}

    def _uses(self, s: Session, commune_id: uuid.UUID, days: int) -> dict[uuid.UUID, int]:
        end = clock.now()
        return self._counts(s, commune_id, end - timedelta(days=days), end)
