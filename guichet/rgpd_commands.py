"""``guichet rgpd retention [--dry-run]``: the retention job, for a scheduled task (cron, Windows scheduler)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guichet.config import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``rgpd`` subcommand (light: nothing heavy is imported before it runs)."""
    rgpd = sub.add_parser("rgpd", help="données personnelles : durées de conservation")
    rgpd_sub = rgpd.add_subparsers(dest="rgpd_command", required=True)
    retention = rgpd_sub.add_parser(
        "retention", help="anonymise ce qui a dépassé sa durée de conservation (section [rgpd] des réglages)"
    )
    retention.add_argument("--dry-run", action="store_true", help="compte seulement, ne modifie rien")
    retention.add_argument("--site", metavar="CODE", default="", help="site nommé au journal d'audit (ex. HDV)")


def cli(settings: Settings, args: argparse.Namespace) -> int:
    from guichet.db import Database
    from guichet.db.migrate import DatabaseTooNewError, upgrade
    from guichet.services.attachments import AttachmentStore, attachment_dir_for
    from guichet.services.errors import ServiceError
    from guichet.services.rgpd import RgpdService
    from guichet.services.sites import SiteService

    if not settings.db_path.exists():
        print(f"Base introuvable : {settings.db_path}", file=sys.stderr)
        return 2
    db = Database.open(settings.db_path)
    try:
        upgrade(db.engine)
        code = args.site or settings.site_code
        site_id = SiteService(db).find(code=code).id if code else None
        service = RgpdService(db, AttachmentStore(attachment_dir_for(settings.db_path)), settings=settings.rgpd)
        report = service.apply_retention(dry_run=args.dry_run, site_id=site_id)
        print(report.summary)
        return 0
    except (DatabaseTooNewError, ServiceError) as e:
        print(e, file=sys.stderr)
        return 2
    finally:
        db.close()
