"""Writer process of the kill test: logs contacts (and now and then a citizen) until it is killed.

Usage: python _kill_writer.py DB_PATH AGENT_ID SITE_ID THEME_ID CITIZEN_ID

Prints "ready" once the database is open, then "contact <id>" or "citizen <id>" for each record,
only after the service call returned, i.e. after the transaction was committed.
"""

from __future__ import annotations

import sys
import uuid
from itertools import count

from guichet.db import Database
from guichet.domain import Channel, Outcome
from guichet.services.citizens import CitizenService
from guichet.services.contacts import ContactInput, ContactService

CHANNELS = [Channel.IN_PERSON, Channel.PHONE, Channel.MAIL, Channel.EMAIL, Channel.SMS, Channel.WEB]


def main(db_path: str, agent: str, site: str, theme: str, citizen: str) -> None:
    db = Database.open(db_path)
    contacts, citizens = ContactService(db), CitizenService(db)
    agent_id, site_id, theme_id, citizen_id = (uuid.UUID(x) for x in (agent, site, theme, citizen))
    print("ready", flush=True)
    for n in count():
        if n % 7 == 3:
            # Each writer starts again at n = 0: the same person again, on purpose (the duplicate check would stop it).
            made = citizens.create(last_name=f"Tué{n}", first_names="Jean-Pierre", phone=f"06 00 00 {n % 100:02} 00",
                                   allow_duplicate=True)  # fmt: skip
            kind = "citizen"
        else:
            made = contacts.log(
                agent_id=agent_id,
                site_id=site_id,
                data=ContactInput(
                    channel=CHANNELS[n % len(CHANNELS)],
                    theme_id=theme_id,
                    outcome=Outcome.ANSWERED,
                    citizen_id=citizen_id,
                    subject=f"Contact n° {n}",
                    notes="Notes de l'agent. " * (n % 50),
                    duration_s=n % 600,
                ),
            )
            kind = "contact"
        sys.stdout.write(f"{kind} {made.id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(*sys.argv[1:])
