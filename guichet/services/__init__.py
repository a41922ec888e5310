"""Use cases, plain Python: no Qt. Each call is one unit of work and returns frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from guichet.db import Database
from guichet.services.accounts import AccountService
from guichet.services.answers import AnswerService
from guichet.services.appointments import AppointmentService
from guichet.services.attachments import AttachmentStore, attachment_dir_for
from guichet.services.audit import AuditService
from guichet.services.auth import AuthService
from guichet.services.citizen_merge import MergeService
from guichet.services.citizens import CitizenService
from guichet.services.contacts import ContactService
from guichet.services.households import HouseholdService
from guichet.services.knowledge import KnowledgeService
from guichet.services.letterheads import LetterheadService
from guichet.services.mail import MailService
from guichet.services.printing import PrintJobService
from guichet.services.queue import QueueService
from guichet.services.reference import ReferenceService
from guichet.services.requests import RequestService
from guichet.services.rgpd import RgpdService
from guichet.services.sites import SiteService
from guichet.services.stats import StatsService


@dataclass(frozen=True)
class Services:
    """Every service of a desk, wired on one database (built by the composition root)."""

    auth: AuthService
    reference: ReferenceService
    citizens: CitizenService
    contacts: ContactService
    queue: QueueService
    sites: SiteService
    printing: PrintJobService
    stats: StatsService
    accounts: AccountService
    requests: RequestService
    mail: MailService
    answers: AnswerService
    letterheads: LetterheadService
    audit: AuditService  # reading the audit log (supervisors)
    rgpd: RgpdService  # retention, right of access, erasure
    households: HouseholdService
    merges: MergeService  # merging two records of one person, and a record's history across channels
    knowledge: KnowledgeService  # the catalogue of answers (answer sheets) and the orientation directory
    appointments: AppointmentService  # agendas, bookings, check-ins

    @classmethod
    def on(cls, db: Database, *, attachments_dir: Path | None = None) -> Services:
        """``attachments_dir``: where scans and letters are kept; by default a folder beside the database."""
        store = AttachmentStore(attachments_dir or attachment_dir_for(Path(db.path)))
        requests = RequestService(db)
        mail = MailService(db, store, requests)
        return cls(
            auth=AuthService(db), reference=ReferenceService(db), citizens=CitizenService(db),
            contacts=ContactService(db, requests), queue=QueueService(db), sites=SiteService(db),
            printing=PrintJobService(db), stats=StatsService(db), accounts=AccountService(db), requests=requests,
            mail=mail, answers=AnswerService(db, requests, mail), letterheads=LetterheadService(db),
            audit=AuditService(db), rgpd=RgpdService(db, store),
            households=HouseholdService(db), merges=MergeService(db),
            knowledge=KnowledgeService(db), appointments=AppointmentService(db),
        )  # fmt: skip
