"""`guichet hub pair | devices | revoke` as an administrator types them on the hub's PC."""

from __future__ import annotations

import re

from guichet.__main__ import main
from guichet.db import Database
from guichet.services.hub_devices import DeviceService


def test_pair_list_and_revoke_from_the_command_line(demo_db: Database, capsys):
    path = demo_db.path
    demo_db.close()
    assert main(["--db", path, "hub", "pair", "Guichet 3", "--site", "HDV"]) == 0
    out = capsys.readouterr().out
    code = re.search(r"code d'appairage ([A-Z0-9]{4}-[A-Z0-9]{4})", out).group(1)
    assert "guichet hub join" in out and "15 minutes" in out

    db = Database.open(path)
    try:
        token = DeviceService(db).claim(code=code).token
        assert DeviceService(db).authenticate(token=token).name == "Guichet 3"
    finally:
        db.close()

    assert main(["--db", path, "hub", "devices"]) == 0
    listing = capsys.readouterr().out
    assert "Guichet 3" in listing and "appairé" in listing

    assert main(["--db", path, "hub", "revoke", "Guichet 3"]) == 0
    assert "révoqué" in capsys.readouterr().out
    assert main(["--db", path, "hub", "revoke", "Guichet 9"]) == 2
    assert "Aucun poste" in capsys.readouterr().err
    assert main(["--db", path, "hub", "pair", "Borne", "--role", "borne"]) == 2  # two sites: which one?
    assert "HDV, MAV" in capsys.readouterr().err
