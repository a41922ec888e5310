"""``guichet hub`` command lines: serve, pair, devices, revoke (on the hub's PC) and join (on a PC of the site).

Light on purpose: the parsers are built at every start of ``guichet``; what a command needs is imported when
it runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guichet.config import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:
    hub = sub.add_parser("hub", help="serveur du site : sert la file et les services aux autres postes du site")
    hub_sub = hub.add_subparsers(dest="hub_command", required=True)
    serve_p = hub_sub.add_parser("serve", help="démarre le serveur du site (sur le PC qui le tient)")
    serve_p.add_argument("--listen", default="", help="adresse:port d'écoute (par défaut : [hub] listen)")
    pair = hub_sub.add_parser("pair", help="appairer un poste : donne un code à usage unique (15 min)")
    pair.add_argument("name", help="nom du poste, ex. « Guichet 3 »")
    pair.add_argument(
        "--role", choices=("borne", "ecran", "poste"), default="poste", help="poste (défaut), borne ou ecran"
    )
    pair.add_argument("--site", default="", help="code du site (par défaut : le seul site de la base)")
    hub_sub.add_parser("devices", help="les postes appairés")
    revoke = hub_sub.add_parser("revoke", help="retire l'accès d'un poste (immédiat)")
    revoke.add_argument("name")
    join = hub_sub.add_parser("join", help="sur un poste : l'appairer avec le serveur du site")
    join.add_argument("address", help="adresse du serveur du site, ex. 192.168.1.10 ou http://192.168.1.10:8765")
    join.add_argument("code", help="le code donné par « guichet hub pair »")


def cli(settings: Settings, args: argparse.Namespace) -> int:
    from guichet.db import Database
    from guichet.db.migrate import upgrade
    from guichet.services.errors import ServiceError
    from guichet.services.hub_devices import ROLES, DeviceService

    command = args.hub_command
    try:
        if command == "serve":
            from guichet.hub.runner import serve

            return serve(settings, listen=args.listen)
        if command == "join":
            return _join(settings, args.address, args.code)
        db = Database.open(settings.db_path)
        try:
            upgrade(db.engine)
            devices = DeviceService(db)
            if command == "pair":
                pairing = devices.pair(name=args.name, role=args.role, site_code=args.site or settings.site_code)
                print(
                    f"Poste « {pairing.device.name} » ({ROLES[pairing.device.role]}) : code d'appairage {pairing.code}"
                )
                print(
                    "Sur ce poste, dans l'assistant de configuration (guichet setup) : « serveur du site », "
                    "l'adresse de ce serveur et ce code ; ou : guichet hub join <adresse du serveur> "
                    + pairing.code
                    + " (valable 15 minutes)."
                )
            elif command == "devices":
                rows = devices.devices()
                if not rows:
                    print("Aucun poste appairé.")
                for d in rows:
                    seen = d.last_seen_at.astimezone().strftime("%d/%m/%Y %H:%M") if d.last_seen_at else "jamais"
                    print(f"{d.name:<24} {ROLES[d.role]:<16} {d.state:<24} vu : {seen}")
            elif command == "revoke":
                device = devices.revoke(name=args.name)
                print(f"Accès du poste « {device.name} » révoqué.")
        finally:
            db.close()
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    return 0


def _join(settings: Settings, address: str, code: str) -> int:
    import keyring

    from guichet.hub.client import hub_url, pair_with
    from guichet.hub.settings import KEYRING_SERVICE
    from guichet.services.hub_devices import ROLES

    paired = pair_with(address, code)
    url = hub_url(address)
    keyring.set_password(KEYRING_SERVICE, url, paired["token"])
    print(f"Poste appairé sous le nom « {paired['name']} » ({ROLES.get(paired['role'], paired['role'])}).")
    print(f'Ajoutez à guichet.toml :\n[hub]\nurl = "{url}"')
    return 0
