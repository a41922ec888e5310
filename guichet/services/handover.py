"""What happens to a counter when another agent takes a locked desk.

A counter session belongs to the agent who opened it: the calls, the service times and the statistics are in
their name. When another agent switches in, in the transaction of the switch:

- a ticket the previous agent has in hand (called or in service) is set aside (« mis de côté »), in their
  name: the visit is not lost, and the new agent resumes it from the panel (Entrée);
- the previous agent's counter session is closed;
- the counter opens in the new agent's name if it is on their site and they have no ticket in hand at another
  counter (they leave any other counter they held, as when opening one).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.domain import TicketEventKind, TicketStatus
from guichet.models import Agent, CounterSession
from guichet.services.queue_guards import EventLog, agent_name, current_ticket, get_counter


def _open_sessions(s: Session, agent_id: uuid.UUID) -> list[CounterSession]:
    return list(
        s.scalars(select(CounterSession).where(CounterSession.agent_id == agent_id, CounterSession.closed_at.is_(None)))
    )


def hand_over_counter(s: Session, *, from_agent_id: uuid.UUID, to_agent_id: uuid.UUID, now: datetime) -> str:
    """Pass the previous agent's counter to the agent taking the desk; returns what happened, in French."""
    notes: list[str] = []
    previous = agent_name(s, from_agent_id)
    taker = s.get(Agent, to_agent_id)
    for session in _open_sessions(s, from_agent_id):
        counter = get_counter(s, session.counter_id)
        busy = current_ticket(s, counter.id)
        if busy is not None:
            busy.status = TicketStatus.PARKED
            EventLog(s, busy.site_id, now).add(
                busy, TicketEventKind.PARKED, agent_id=from_agent_id, counter_id=counter.id,
                reason="changement d'agent au poste",
            )  # fmt: skip
        session.closed_at = now
        s.flush()
        parked = f" ; le ticket {busy.number} est mis de côté (Entrée pour le reprendre)" if busy else ""
        elsewhere = [x for x in _open_sessions(s, to_agent_id) if x.counter_id != counter.id]
        in_hand = next((t for t in (current_ticket(s, x.counter_id) for x in elsewhere) if t is not None), None)
        if taker is None or taker.site_id != counter.site_id or in_hand is not None:
            why = f" (vous avez le ticket {in_hand.number} en cours ailleurs)" if in_hand is not None else ""
            notes.append(f"« {counter.name} », ouvert par {previous}, est fermé{why}{parked}.")
            continue
        for other in elsewhere:
            other.closed_at = now
        s.add(CounterSession(counter_id=counter.id, agent_id=to_agent_id, opened_at=now))
        s.flush()
        notes.append(f"« {counter.name} » passe à votre nom{parked}.")
    return " ".join(notes)
