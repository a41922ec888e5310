"""How many counters an hour slot needs: the Erlang C model, pure functions (no database, no Qt).

### Staffing advice — how the number of counters is computed

For every hour slot of the week (say Monday 9 h–10 h), over the chosen period:

- **Arrivals** λ: the tickets issued in that slot, divided by the number of days of that weekday on which
  the site issued tickets in the period (so closed days do not lower the average), per hour.
- **Time at the counter** S: the mean time from the call to the end of the visit (no-shows included:
  their counter waits for them), of the tickets issued in that slot; a slot with fewer than 10 visits
  uses the site's mean over the period instead.
- **Load** A = λ × S, in Erlangs: the number of counters kept busy on average. Fewer open counters than
  A and the queue grows without end.
- **Target**: the share of citizens to call within the target wait t of their queue (80 % by default);
  t is the target of the site's queues, weighted by their arrivals.

With n counters open, the Erlang C formula gives the probability that a citizen has to wait at all,

    C(n, A) = (Aⁿ/n! · n/(n−A)) / (Σₖ₌₀ⁿ⁻¹ Aᵏ/k! + Aⁿ/n! · n/(n−A))      (n > A),

and the share called within t is

    SL(n) = 1 − C(n, A) · e^(−(n−A)·t/S).

The advice is the smallest n with SL(n) ≥ the target share, shown next to the counters that were
really open in that slot (the mean over the same days of the counter sessions, in counters × hours per
hour) and the share really called within the target. C(n, A) is computed with the Erlang B recursion
B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), C = n·B / (n − A·(1 − B)), which stays exact for any n.

What the model assumes, and how the desk differs: arrivals at random (Poisson) and at a steady rate
within the hour (true enough for a town hall, less at opening time, where a crowd waits at the door:
the first slot of the day is underestimated); one shared queue served by identical counters (here
queues are served by several counters with weights: when counters are specialised, more are
needed); nobody leaves the queue (those who give up appear as no-shows or closed tickets). It is a
floor: below it, the target cannot be met on average; at it, it is met on an average day.
"""

from __future__ import annotations

import math

# The same method, for the people who read the staffing advice (screen and PDF report).
METHOD_FR = (
    "Pour chaque créneau d'une heure de la semaine (par exemple le lundi de 9 h à 10 h), sur la période choisie :",
    "• Arrivées λ : les tickets émis dans le créneau, divisés par le nombre de jours de ce jour de la semaine où le "
    "site a émis des tickets (les jours de fermeture ne font pas baisser la moyenne).",
    "• Temps au guichet S : durée moyenne de l'appel à la fin de la visite des tickets du créneau, absents compris "
    "(le guichet les attend) ; un créneau de moins de 10 visites prend la moyenne du site.",
    "• Charge A = λ × S, en Erlangs : le nombre de guichets occupés en moyenne. Avec moins de A guichets ouverts, "
    "la file s'allonge sans fin.",
    "• Objectif : la part des personnes à appeler dans l'attente cible t de leur file (80 % par défaut) ; t est "
    "l'objectif des files du site, pondéré par leurs arrivées.",
    "Avec n guichets, la formule d'Erlang C donne la probabilité C(n, A) qu'une personne doive attendre, et la part "
    "appelée en moins de t : SL(n) = 1 − C(n, A) × e^(−(n − A) × t / S). Le conseil est le plus petit n pour lequel "
    "SL(n) atteint l'objectif. Il est présenté à côté des guichets réellement ouverts dans le créneau (moyenne des "
    "sessions de guichet sur les mêmes jours) et de la part réellement appelée dans l'objectif.",
    "Limites du modèle : arrivées au hasard et régulières dans l'heure (le premier créneau de la journée, quand on "
    "attend devant la porte, est sous-estimé) ; une seule file servie par des guichets identiques (des guichets "
    "spécialisés demandent davantage de monde) ; personne ne quitte la file. C'est un plancher : en dessous, "
    "l'objectif ne peut pas être tenu en moyenne ; à ce niveau, il l'est un jour ordinaire.",
)

MAX_COUNTERS = 200  # above this, the slot is not a town-hall desk: the search stops


def erlang_b(n: int, a: float) -> float:
    """Probability that a call is lost with ``n`` servers and ``a`` Erlangs offered (Erlang B)."""
    if n < 0 or a < 0:
        raise ValueError("n and a must be non-negative")
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n: int, a: float) -> float:
    """Probability of waiting at all with ``n`` counters and a load of ``a`` Erlangs (1 when n ≤ a)."""
    if a <= 0:
        return 0.0
    if n <= a:
        return 1.0
    b = erlang_b(n, a)
    return n * b / (n - a * (1 - b))


def wait_exceeds(n: int, a: float, *, target_s: float, service_s: float) -> float:
    """Probability that a citizen waits longer than ``target_s`` (M/M/n, first come first served)."""
    if a <= 0:
        return 0.0
    if n <= a:
        return 1.0
    return erlang_c(n, a) * math.exp(-(n - a) * target_s / service_s)


def service_level(n: int, a: float, *, target_s: float, service_s: float) -> float:
    """Share of citizens called within ``target_s`` with ``n`` counters."""
    return 1.0 - wait_exceeds(n, a, target_s=target_s, service_s=service_s)


def mean_wait_s(n: int, a: float, *, service_s: float) -> float:
    """Mean wait of all citizens (average speed of answer), in seconds; infinite when n ≤ a."""
    if a <= 0:
        return 0.0
    if n <= a:
        return math.inf
    return erlang_c(n, a) * service_s / (n - a)


def counters_needed(arrivals_per_hour: float, service_s: float, *, target_s: float, target_share: float = 0.8) -> int:
    """Smallest number of counters with P(wait ≤ target) ≥ ``target_share`` (0 when nobody comes)."""
    if not 0 < target_share < 1:
        raise ValueError("target_share must be between 0 and 1")
    if arrivals_per_hour <= 0 or service_s <= 0:
        return 0
    a = arrivals_per_hour * service_s / 3600
    n = max(1, math.floor(a) + 1)
    while n < MAX_COUNTERS and service_level(n, a, target_s=target_s, service_s=service_s) < target_share:
        n += 1
    return n
