"""``guichet sync`` (a site PC) and ``guichet central`` (SITIV's administration) command lines."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guichet.config import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``sync`` and ``central`` subcommands (light: nothing heavy is imported before they run)."""
    sync = sub.add_parser("sync", help="synchronise ce site avec le serveur central du SITIV")
    sync.add_argument("--once", action="store_true", help="un seul tour (envoi puis réception), puis s'arrête")
    sync.add_argument(
        "--store-password", action="store_true", help="enregistre le mot de passe du rôle dans le trousseau du système"
    )
    sync.add_argument("--requeue", action="store_true", help="renvoie les modifications mises de côté (quarantaine)")
    central = sub.add_parser("central", help="serveur central du SITIV (administration)")
    central_sub = central.add_subparsers(dest="central_command", required=True)
    url_help = "postgresql://PROPRIÉTAIRE@SERVEUR:PORT/BASE (mot de passe : trousseau, PGPASSWORD ou ~/.pgpass)"
    init = central_sub.add_parser("init", help="crée ou met à jour le schéma du serveur central")
    init.add_argument("--url", required=True, help=url_help)
    add = central_sub.add_parser("add-site", help="crée (ou renouvelle) le rôle PostgreSQL d'un site")
    add.add_argument("--url", required=True, help=url_help)
    add.add_argument("--site", required=True, help="code complet du site, ex. VEN-HDV")
    add.add_argument("--role", default="", help="nom du rôle (par défaut : site_ven_hdv)")
    load = central_sub.add_parser("import", help="charge les données de référence d'une base de site préparée")
    load.add_argument("--url", required=True, help=url_help)
    load.add_argument("--from-db", type=Path, required=True, help="fichier SQLite préparé par le SITIV")
    load.add_argument("--citizens-of", default="", help="code de la commune dont importer aussi les citoyens")
    stats = central_sub.add_parser("stats-prepare", help="prépare les statistiques des mois clos (tâche de nuit)")
    stats.add_argument("--url", required=True, help=url_help)
    stats.add_argument("--years", type=int, default=10, help="années préparées, jusqu'à aujourd'hui (par défaut 10)")


def cli(settings: Settings, args: argparse.Namespace) -> int:
    from guichet.sync.errors import SyncError

    try:
        if args.command == "central":
            return _central(args)
        return _sync(settings, args)
    except SyncError as e:
        print(e, file=sys.stderr)
        return 2


def _central(args: argparse.Namespace) -> int:
    from guichet.sync import admin

    if args.central_command == "init":
        revision = admin.init_central(args.url)
        print(f"Schéma du serveur central à jour (révision {revision}).")
    elif args.central_command == "add-site":
        role = args.role or "site_" + args.site.lower().replace("-", "_")
        password = admin.create_site_role(args.url, site_code=args.site, role=role)
        print(f"Rôle « {role} » prêt pour le site {args.site.upper()}. Mot de passe (affiché une seule fois) :")
        print(password)
        print("Sur le poste du site : guichet sync --store-password")
    elif args.central_command == "stats-prepare":
        from guichet.services.stats_prepare import prepare_central

        for done in prepare_central(args.url, years=args.years):
            print(f"{done.commune} : {len(done.periods)} périodes préparées en {done.seconds:.1f} s.")
    else:
        counts = admin.import_site_database(args.url, args.from_db, citizens_of=args.citizens_of)
        print("Importé : " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    return 0


def _sync(settings: Settings, args: argparse.Namespace) -> int:
    from guichet.db import Database
    from guichet.db.migrate import upgrade
    from guichet.sync.central import role_of, store_password
    from guichet.sync.service import SyncService, SyncStatus

    if args.store_password:
        role = role_of(settings.sync.central_url)
        store_password(role, getpass.getpass(f"Mot de passe du rôle « {role} » : "))
        print("Mot de passe enregistré dans le trousseau du système.")
        return 0
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(settings.db_path)
    upgrade(db.engine)
    service = SyncService(db, settings.sync, on_progress=lambda p: print(p.label, flush=True))
    try:
        if args.requeue:
            print(f"{service.requeue_quarantine()} modification(s) renvoyée(s).")
        if args.once:
            status = service.run_round()
            _show(status)
            return 0 if status.online and not status.errors else 1
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())

        def show(status: SyncStatus) -> None:
            if status.pushed or status.pulled or status.errors or status.rejected:
                _show(status)

        with contextlib.suppress(KeyboardInterrupt):
            service.run_forever(stop, on_status=show)
        return 0
    finally:
        service.close()
        db.close()


def _show(status: object) -> None:
    from guichet.sync.service import SyncStatus

    assert isinstance(status, SyncStatus)
    print(f"{status.summary} (envoyé : {status.pushed}, reçu : {status.pulled})", flush=True)
    for error in status.errors:
        print(f"  {error}", flush=True)
    for batch in status.rejected:
        where = "mis de côté" if batch.quarantined else f"refusé {batch.attempts} fois"
        print(f"  lot {batch.batch_no} ({batch.rows} lignes) {where} : {batch.reason}", flush=True)
