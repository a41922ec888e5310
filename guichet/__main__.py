"""Command line: `guichet` (desk), `guichet kiosk`, `guichet display`, `guichet demo [kiosk|display]`, `guichet db upgrade`, ..."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402
import sys  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

from guichet import __version__  # noqa: E402
from guichet.config import Settings, data_dir  # noqa: E402
from guichet.logs import setup_logging  # noqa: E402


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guichet", description="Guichet — accueil unique des mairies")
    parser.add_argument("--version", action="version", version=f"Guichet {__version__}")
    parser.add_argument("--db", type=Path, help="fichier SQLite du site (par défaut : celui des réglages)")
    parser.add_argument("--config", type=Path, help="fichier de réglages guichet.toml")
    parser.add_argument("-v", "--verbose", action="store_true", help="journal détaillé")
    sub = parser.add_subparsers(dest="command")
    desk = sub.add_parser("desk", help="poste d'accueil (par défaut)")
    desk.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    site_help = "code du site, ex. HDV (par défaut : celui des réglages, ou le seul site de la base)"
    kiosk = sub.add_parser("kiosk", help="borne de tickets, en plein écran")
    display = sub.add_parser("display", help="écran d'appel, en plein écran")
    for public in (kiosk, display):
        public.add_argument("--site", metavar="CODE", default="", help=site_help)
        public.add_argument("--windowed", action="store_true", help="dans une fenêtre plutôt qu'en plein écran")
        public.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    display.add_argument("--message", help="texte du bandeau (par défaut : « Merci de patienter… »)")
    demo = sub.add_parser("demo", help="crée une base de démonstration et ouvre le poste, la borne ou l'écran d'appel")
    demo.add_argument(
        "window", nargs="?", choices=("desk", "kiosk", "display"), default="desk",
        help="ce qui s'ouvre : desk (poste d'accueil, par défaut), kiosk (borne) ou display (écran d'appel)",
    )  # fmt: skip
    demo.add_argument("--site", metavar="CODE", default="", help="site de la borne ou de l'écran (par défaut : HDV)")
    demo.add_argument("--windowed", action="store_true", help="borne ou écran dans une fenêtre")
    demo.add_argument("--no-gui", action="store_true", help="crée seulement la base")
    demo.add_argument("--reset", action="store_true", help="recrée la base de démonstration")
    db = sub.add_parser("db", help="base de données locale")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="crée ou met à jour le schéma")
    db_sub.add_parser("version", help="affiche la révision du schéma")
    printer = sub.add_parser("printer", help="imprimante de ce poste (section [printer] des réglages)")
    printer.add_argument("printer_command", choices=("test", "status"), help="test : page de test ; status : état")
    emulator = sub.add_parser("printer-emulator", help="imprimante réseau simulée (tests, démonstration)")
    emulator.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (par défaut : 127.0.0.1)")
    emulator.add_argument("--port", type=int, default=9100, help="port (par défaut : 9100)")
    emulator.add_argument(
        "--mode", default="normal", choices=("normal", "refuse", "hang", "drop", "paper-out", "paper-low")
    )
    emulator.add_argument("--out", type=Path, help="dossier où enregistrer chaque travail reçu (.bin et .txt)")
    setup = sub.add_parser("setup", help="assistant de configuration du poste : site, guichet, imprimante, serveur")
    setup.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    sub.add_parser("diagnostic", help="versions, réglages (sans mot de passe) et dernières erreurs, pour le SITIV")
    stats = sub.add_parser("stats", help="statistiques des superviseurs")
    stats_sub = stats.add_subparsers(dest="stats_command", required=True)
    stats_sub.add_parser("prepare", help="calcule à l'avance les périodes usuelles (tâche de nuit)")
    from guichet.sync.commands import add_parsers as add_sync_parsers

    add_sync_parsers(sub)
    from guichet.rgpd_commands import add_parsers as add_rgpd_parsers

    add_rgpd_parsers(sub)
    from guichet.hub.commands import add_parsers as add_hub_parsers

    add_hub_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    _console_streams()
    args = _parser().parse_args(argv)
    command = args.command or "desk"
    setup_logging(verbose=args.verbose, program=command)
    if command == "diagnostic":  # before the settings are read: it must work when they are broken
        return _diagnostic(args)
    settings = Settings.load(args.config)
    if command == "demo":
        settings = replace(settings, db_path=args.db or data_dir() / "demo.sqlite3")
        if args.window != "desk":
            settings = replace(settings, site_code=args.site or settings.site_code or "HDV")
        return _demo(settings, gui=not args.no_gui, reset=args.reset, window=args.window, windowed=args.windowed)
    if args.db:
        settings = replace(settings, db_path=args.db)
    if command == "db":
        return _db(settings, args.db_command)
    if command == "setup" or (command == "desk" and _first_start(settings, args)):
        from guichet.app import run_setup

        probe = getattr(args, "startup_probe", False)
        written = run_setup(settings, startup_probe=probe)
        if command == "setup":
            return 0 if written is not None or probe else 1
        settings = written or settings  # cancelled: the desk starts anyway, the assistant comes back next time
    if command in ("sync", "central"):
        from guichet.sync.commands import cli as sync_cli

        return sync_cli(settings, args)
    if command == "stats":
        return _stats_prepare(settings)
    if command == "hub":
        from guichet.hub.commands import cli as hub_cli

        return hub_cli(settings, args)
    if command == "rgpd":
        from guichet.rgpd_commands import cli as rgpd_cli

        return rgpd_cli(settings, args)
    if command in ("printer", "printer-emulator"):
        from guichet.printing.commands import cli

        return cli(settings, args)
    if command == "kiosk":
        from guichet.app import run_kiosk

        return run_kiosk(settings, args.site, windowed=args.windowed, startup_probe=args.startup_probe)
    if command == "display":
        from guichet.app import run_display

        return run_display(
            settings, args.site, message=args.message, windowed=args.windowed, startup_probe=args.startup_probe
        )
    from guichet.app import run_desk

    return run_desk(settings, startup_probe=getattr(args, "startup_probe", False), started=_STARTED)


def _console_streams() -> None:
    """The Windows program of the shortcuts (guichetw.exe) has no console: sys.stdout and sys.stderr are None
    there, and a print would raise. They go nowhere instead."""
    import os

    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - for the process's life


def _first_start(settings: Settings, args: argparse.Namespace) -> bool:
    """A new PC: no settings file yet. Not with --db (a technician or a benchmark chose the database) nor with
    --startup-probe (the benchmarks measure the desk itself)."""
    if args.db or getattr(args, "startup_probe", False):
        return False
    return settings.path is not None and not settings.path.exists()


def _diagnostic(args: argparse.Namespace) -> int:
    from guichet.diagnostic import build_diagnostic
    from guichet.ui.common.qt_info import qt_facts  # Qt's versions (no window is opened)

    print(build_diagnostic(settings_path=args.config, db_path=args.db, qt=qt_facts()), end="")
    return 0


def _db(settings: Settings, what: str) -> int:
    from guichet.db import Database
    from guichet.db.migrate import DatabaseTooNewError, current_revisions, head_revision, upgrade

    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(settings.db_path)
    try:
        if what == "version":
            print(
                f"{settings.db_path} : révision {', '.join(current_revisions(db.engine)) or 'aucune'} (cette version : {head_revision()})"
            )
            return 0
        changed = upgrade(db.engine)
        print(f"{settings.db_path} : schéma {'mis à jour' if changed else 'déjà à jour'} (révision {head_revision()}).")
        return 0
    except DatabaseTooNewError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        db.close()


def _stats_prepare(settings: Settings) -> int:
    from guichet.db import Database
    from guichet.db.migrate import upgrade
    from guichet.services.stats_prepare import prepare

    db = Database.open(settings.db_path)
    try:
        upgrade(db.engine)
        for done in prepare(db):
            print(f"{done.commune} : {len(done.periods)} périodes préparées en {done.seconds:.1f} s.")
    finally:
        db.close()
    return 0


def _demo(settings: Settings, *, gui: bool, reset: bool, window: str = "desk", windowed: bool = False) -> int:
    from guichet.db import Database
    from guichet.db.migrate import upgrade
    from guichet.services.demo import DEMO_AGENTS, DEMO_PASSWORD, seed_demo

    path = settings.db_path
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database.open(path)
    try:
        upgrade(db.engine)
        result = seed_demo(db)
    finally:
        db.close()
    if result.contacts:
        print(f"Base de démonstration créée : {path} ({result.citizens} citoyens, {result.contacts} contacts).")
    else:
        print(f"Base de démonstration existante : {path}")
    logins = ", ".join(login for login, *_ in DEMO_AGENTS)
    print(f"Comptes de démonstration : {logins} — mot de passe : {DEMO_PASSWORD}")
    if not gui:
        return 0
    if window == "kiosk":
        from guichet.app import run_kiosk

        return run_kiosk(settings, windowed=windowed)
    if window == "display":
        from guichet.app import run_display

        return run_display(settings, windowed=windowed)
    from guichet.app import run_desk

    return run_desk(
        settings, started=_STARTED, hint=f"Démonstration : identifiants {logins}, mot de passe {DEMO_PASSWORD}"
    )


if __name__ == "__main__":
    sys.exit(main())
