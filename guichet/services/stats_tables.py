"""Every figure of a statistics report as a table: the same tables on screen, in the PDF, the XLSX and the CSV.

Values stay raw (counts, shares between 0 and 1, durations in seconds) so that a spreadsheet gets numbers;
``text`` formats them the French way for people.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from guichet.domain import MailDirection
from guichet.services.stats_types import (
    WEEKDAYS,
    AppointmentGroup,
    Count,
    Days,
    Durations,
    MailGroup,
    RequestGroup,
    StaffingAdvice,
    StatsReport,
    TicketGroup,
)

TEXT, INT, SHARE, MINUTES, DECIMAL, DAYS = "text", "int", "share", "minutes", "decimal", "days"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = TEXT  # TEXT, INT, SHARE (0–1), MINUTES (value in seconds), DECIMAL


@dataclass(frozen=True)
class StatTable:
    key: str  # short name for a sheet or a file: "contacts_canal"
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    note: str = ""


def number(value: float, decimals: int = 1) -> str:
    """French decimal comma, thin spaces between thousands."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def text(value: object, kind: str) -> str:
    """A cell as a person reads it."""
    if value is None:
        return "—"
    if kind == INT:
        return number(float(value), 0)
    if kind == SHARE:
        return f"{number(100 * float(value), 1)} %"
    if kind == MINUTES:
        return f"{number(float(value) / 60, 1)} min"
    if kind == DECIMAL:
        return number(float(value), 1)
    if kind == DAYS:
        return f"{number(float(value), 0)} j"
    return str(value)


def days_text(d: Days) -> str:
    """« 9 j / 21 j / 40 j » (median, p90, max), « — » without any."""
    if not d.count:
        return "—"
    return " / ".join(text(x, DAYS) for x in (d.median, d.p90, d.max))


def minutes_text(seconds: float | None) -> str:
    return text(seconds, MINUTES)


def share_text(share: float | None) -> str:
    return text(share, SHARE)


def _counts(key: str, title: str, what: str, counts: tuple[Count, ...], note: str = "") -> StatTable:
    return StatTable(
        key, title, (Column(what), Column("Nombre", INT), Column("Part", SHARE)),
        tuple((c.label, c.count, c.share) for c in counts), note,
    )  # fmt: skip


def _durations(d: Durations) -> tuple:
    return d.median_s, d.p90_s, d.max_s


def summary(report: StatsReport) -> StatTable:
    c, t = report.contacts, report.tickets
    rows = [
        ("Contacts (tous canaux)", text(c.total, INT)),
        ("Réponse immédiate (au premier contact)", share_text(c.answered_first_share)),
        ("Tickets émis", text(t.issued, INT)),
        ("Tickets servis", text(t.served, INT)),
        ("Absents à l'appel", f"{text(t.no_show, INT)} ({share_text(t.no_show_rate)} des appelés)"),
        ("Annulés / non servis", f"{text(t.cancelled, INT)} / {text(t.unserved, INT)}"),
        ("Attente médiane / p90 / max", " / ".join(minutes_text(x) for x in _durations(t.wait))),
        ("Appelés dans l'objectif d'attente de leur file", share_text(t.within_target)),
        ("Durée de service médiane / p90 / max", " / ".join(minutes_text(x) for x in _durations(t.service))),
    ]
    if report.requests is not None:
        r = report.requests.total
        rows += [
            ("Demandes ouvertes", text(r.opened, INT)),
            ("Demandes répondues dans le délai", f"{share_text(r.answered_in_time_share)} des "
             f"{text(r.answered, INT)} répondues"),
            ("Délai de réponse médian / p90 / max", days_text(r.delay)),
            ("Demandes en retard (répondues après l'échéance, ou échéance passée sans réponse)",
             f"{text(r.answered_late + r.open_overdue, INT)} ({share_text(r.overdue_share)})"),
        ]  # fmt: skip
    if report.mail is not None:
        m = report.mail
        rows += [
            ("Courriers arrivés / départs", f"{text(m.incoming.count, INT)} / {text(m.outgoing.count, INT)}"),
            ("Courriers arrivés enregistrés le jour même", share_text(m.incoming.same_day_share)),
        ]
    if report.appointments is not None:
        a = report.appointments.total
        rows.append(("Rendez-vous honorés / non venus", f"{text(a.checked_in, INT)} / {text(a.missed, INT)} "
                                                        f"({share_text(a.missed_rate)} de non venus)"))  # fmt: skip
    return StatTable(
        "synthese", "Synthèse", (Column("Indicateur"), Column("Valeur")), tuple(rows),
        f"{report.scope_label}, {report.period.label}.",
    )  # fmt: skip


def queue_table(groups: tuple[TicketGroup, ...]) -> StatTable:
    columns = (
        Column("File"), Column("Objectif", MINUTES), Column("Tickets", INT), Column("Servis", INT),
        Column("Absents", INT), Column("Taux d'absence", SHARE), Column("Attente médiane", MINUTES),
        Column("Attente p90", MINUTES), Column("Attente max", MINUTES), Column("Dans l'objectif", SHARE),
        Column("Service médian", MINUTES), Column("Service p90", MINUTES),
    )  # fmt: skip
    rows = tuple(
        (g.label, None if g.target_wait_min is None else g.target_wait_min * 60, g.issued, g.served, g.no_show,
         g.no_show_rate, g.wait.median_s, g.wait.p90_s, g.wait.max_s, g.within_target, g.service.median_s,
         g.service.p90_s)
        for g in groups
    )  # fmt: skip
    return StatTable("files", "Files d'attente", columns, rows, "Attente : de l'émission du ticket au premier appel.")


def people_table(key: str, title: str, what: str, groups: tuple[TicketGroup, ...]) -> StatTable:
    columns = (
        Column(what), Column("Appelés", INT), Column("Servis", INT), Column("Absents", INT),
        Column("Service médian", MINUTES), Column("Service p90", MINUTES), Column("Heures d'ouverture", DECIMAL),
        Column("Servis par heure", DECIMAL),
    )  # fmt: skip
    rows = tuple(
        (g.label, g.issued, g.served, g.no_show, g.service.median_s, g.service.p90_s, g.presence_h,
         g.served_per_hour)
        for g in groups
    )  # fmt: skip
    return StatTable(key, title, columns, rows, "Service : de l'appel à la fin de la visite, tickets servis.")


def heat_hours(report: StatsReport) -> list[int]:
    """The local hours with arrivals, first to last (8 h–17 h when there are none)."""
    used = [h for h in range(24) if any(report.tickets.arrivals[d][h] for d in range(7))]
    return list(range(min(used), max(used) + 1)) if used else list(range(8, 18))


_HEAT_STOPS = ((0.0, (255, 255, 204)), (0.25, (254, 217, 118)), (0.5, (253, 141, 60)), (0.75, (227, 26, 28)),
               (1.0, (128, 0, 38)))  # fmt: skip


def heat_rgb(value: float, top: float) -> tuple[int, int, int] | None:
    """Colour of a heat-map cell, light yellow to dark red (a sequential scale: the peaks stand out); None for 0."""
    if top <= 0 or value <= 0:
        return None
    x = min(1.0, value / top)
    for (x0, c0), (x1, c1) in zip(_HEAT_STOPS, _HEAT_STOPS[1:], strict=False):
        if x <= x1:
            k = (x - x0) / (x1 - x0)
            return tuple(round(a + (b - a) * k) for a, b in zip(c0, c1, strict=True))  # type: ignore[return-value]
    return _HEAT_STOPS[-1][1]


def heat_days(report: StatsReport) -> list[int]:
    return [d for d in range(7) if report.tickets.open_days[d]] or [0, 1, 2, 3, 4]


def arrivals_table(report: StatsReport) -> StatTable:
    t = report.tickets
    hours = heat_hours(report)
    columns = (Column("Jour"), Column("Jours ouverts", INT), *(Column(f"{h} h", DECIMAL) for h in hours))
    rows = tuple((WEEKDAYS[d], t.open_days[d], *(t.arrivals_per_day(d, h) for h in hours)) for d in heat_days(report))
    return StatTable(
        "arrivees_jour_heure", "Arrivées par jour et par heure (moyenne par jour ouvert)", columns, rows,
        "Tickets émis dans l'heure, en moyenne sur les jours de la période où le site a émis des tickets.",
    )  # fmt: skip


def hourly_table(report: StatsReport) -> StatTable:
    hourly = report.tickets.hourly_arrivals
    days = sum(report.tickets.open_days) or 1
    rows = tuple((f"{h} h – {h + 1} h", hourly[h], hourly[h] / days) for h in heat_hours(report))
    return StatTable(
        "arrivees_heure", "Arrivées par heure", (Column("Heure"), Column("Tickets", INT),
                                                 Column("Moyenne par jour", DECIMAL)), rows,
    )  # fmt: skip


def wait_table(report: StatsReport) -> StatTable:
    bins = report.tickets.wait_histogram
    total = sum(b.count for b in bins)
    rows = tuple((b.label, b.count, b.count / total if total else None) for b in bins)
    return StatTable(
        "attentes", "Répartition des attentes", (Column("Attente"), Column("Tickets", INT), Column("Part", SHARE)),
        rows,
    )  # fmt: skip


def sites_table(report: StatsReport) -> StatTable:
    columns = (
        Column("Site"), Column("Contacts", INT), Column("Réponse immédiate", SHARE), Column("Tickets", INT),
        Column("Servis", INT), Column("Attente médiane", MINUTES), Column("Attente p90", MINUTES),
        Column("Dans l'objectif", SHARE), Column("Service médian", MINUTES), Column("Taux d'absence", SHARE),
    )  # fmt: skip
    rows = tuple(
        (f"{x.code} — {x.name}", x.contacts, x.answered_first_share, x.issued, x.served, x.wait.median_s,
         x.wait.p90_s, x.within_target, x.service.median_s, x.no_show_rate)
        for x in report.sites
    )  # fmt: skip
    return StatTable(
        "sites", "Égalité de traitement : les sites côte à côte", columns, rows,
        "Mêmes indicateurs, même période, pour chaque site de la commune.",
    )  # fmt: skip


_REQUEST_COLUMNS = (
    Column("Ouvertes", INT), Column("Répondues", INT), Column("Dans le délai", SHARE), Column("Délai médian", DAYS),
    Column("Délai p90", DAYS), Column("Délai max", DAYS), Column("Échues sans réponse", INT),
    Column("En cours", INT), Column("Sans suite", INT), Column("Part en retard", SHARE),
)  # fmt: skip


def _request_row(g: RequestGroup) -> tuple:
    return (g.label, g.opened, g.answered, g.answered_in_time_share, g.delay.median, g.delay.p90, g.delay.max,
            g.open_overdue, g.open_in_time, g.dropped, g.overdue_share)  # fmt: skip


_REQUEST_NOTE = (
    "Demandes ouvertes dans la période, telles qu'elles sont aujourd'hui. Délai : du jour de réception au jour de "
    "la réponse, en jours calendaires. Dans le délai : répondues au plus tard à l'échéance (jours ouvrés). Échues : "
    "échéance passée sans réponse ; en cours : échéance à venir. Part en retard : répondues après l'échéance ou échues, "
    "parmi les demandes hors « sans suite »."
)


def request_site_series(report: StatsReport) -> tuple[list[str], dict[str, list[int]]]:
    """What the requests' charts show site by site (screen and PDF): the sites' codes, and per series its values:
    "in_time", "late" (answered late or overdue), "open" (still in time), "median" and "p90" (days)."""
    codes = {str(x.site_id): x.code for x in report.sites}
    groups = report.requests.by_site if report.requests is not None else ()
    return [codes.get(g.key, g.label) for g in groups], {
        "in_time": [g.answered - g.answered_late for g in groups],
        "late": [g.answered_late + g.open_overdue for g in groups],
        "open": [g.open_in_time for g in groups],
        "median": [g.delay.median or 0 for g in groups],
        "p90": [g.delay.p90 or 0 for g in groups],
    }


def request_tables(report: StatsReport) -> list[StatTable]:
    if report.requests is None:
        return []
    r = report.requests
    return [
        StatTable("demandes_services", "Demandes par service chargé de répondre", (Column("Service"),
                  *_REQUEST_COLUMNS), tuple(_request_row(g) for g in (*r.by_service, r.total)), _REQUEST_NOTE),
        StatTable("demandes_sites", "Égalité de traitement : les demandes de chaque site", (Column("Site"),
                  *_REQUEST_COLUMNS), tuple(_request_row(g) for g in r.by_site),
                  "Par site qui a ouvert la demande, tous les sites de la commune. " + _REQUEST_NOTE),
        StatTable("demandes_canal", "Demandes par canal d'arrivée", (Column("Canal"), *_REQUEST_COLUMNS),
                  tuple(_request_row(g) for g in r.by_channel),
                  "Un canal lent à répondre se voit ici : une lettre attend-elle plus qu'un courriel ?"),
    ]  # fmt: skip


def _mail_row(g: MailGroup) -> tuple:
    incoming = g.direction == MailDirection.INCOMING.value
    return (g.label, "Arrivée" if incoming else "Départ", g.count, g.registered, g.same_day_share,
            g.registration.median, g.registration.p90, g.opened_requests if incoming else None)  # fmt: skip


def mail_tables(report: StatsReport) -> list[StatTable]:
    if report.mail is None:
        return []
    m = report.mail
    columns = (
        Column("Site"), Column("Sens"), Column("Courriers", INT), Column("Recomm.", INT),
        Column("Enregistrés le jour même", SHARE), Column("Enreg. médian", DAYS), Column("Enreg. p90", DAYS),
        Column("Demandes ouvertes", INT),
    )  # fmt: skip
    rows = tuple(_mail_row(g) for g in m.by_site)
    if report.site_id is None:  # the commune: its totals after the sites (a site's report is its own rows)
        rows += tuple(("Tous les sites", *_mail_row(g)[1:]) for g in (m.incoming, m.outgoing))
    return [
        StatTable("courrier_sites", "Courrier : volumes et délais par site", columns, rows,
                  "Par date du courrier (reçu le, ou envoyé le). Recomm. : recommandés. Enreg. : de cette date à "
                  "l'enregistrement au registre (jours calendaires). Le délai de réponse aux courriers est celui des "
                  "demandes arrivées par courrier (tableau par canal)."),
        StatTable("courrier_types", "Courrier par type", (Column("Type"), Column("Arrivées", INT),
                  Column("Départs", INT)), tuple(m.by_type)),
    ]  # fmt: skip


def _appointment_row(g: AppointmentGroup) -> tuple:
    return (g.label, g.booked, g.checked_in, g.late, g.missed, g.missed_rate, g.cancelled, g.waiting)


def appointment_tables(report: StatsReport) -> list[StatTable]:
    if report.appointments is None:
        return []
    a = report.appointments
    columns = (
        Column("Réservés", INT), Column("Honorés", INT), Column("Dont en retard", INT), Column("Non venus", INT),
        Column("Taux de non venus", SHARE), Column("Annulés", INT), Column("À venir", INT),
    )  # fmt: skip
    note = (
        "Rendez-vous dont l'heure tombe dans la période, tels qu'ils sont aujourd'hui. Réservés : hors annulés. "
        "En retard : arrivés après le délai de grâce, servis comme sans rendez-vous. Taux de non venus : parmi "
        "les rendez-vous passés (honorés ou non venus)."
    )
    return [
        StatTable("rendez_vous_sites", "Rendez-vous par site", (Column("Site"), *columns),
                  tuple(_appointment_row(g) for g in a.by_site), note),
        StatTable("rendez_vous_types", "Rendez-vous par type", (Column("Type de rendez-vous"), *columns),
                  tuple(_appointment_row(g) for g in (*a.by_kind, a.total)), note),
    ]  # fmt: skip


def staffing_table(advice: StaffingAdvice) -> StatTable:
    columns = (
        Column("Jour"), Column("Heure"), Column("Arrivées par heure", DECIMAL), Column("Temps au guichet", MINUTES),
        Column("Charge (Erlangs)", DECIMAL), Column("Guichets conseillés", INT), Column("Guichets ouverts", DECIMAL),
        Column("Dans l'objectif (observé)", SHARE), Column("Prévu avec les guichets ouverts", SHARE),
    )  # fmt: skip
    rows = tuple(
        (WEEKDAYS[s.weekday], f"{s.hour} h", s.arrivals_per_hour, s.service_s, s.load_erlangs, s.needed, s.open_mean,
         s.within_target, s.level_with_open)
        for s in advice.slots
    )  # fmt: skip
    note = (
        f"Objectif : {number(100 * advice.target_share, 0)} % des personnes appelées en moins de "
        f"{number(advice.target_wait_min, 0)} min (objectifs des files, pondérés par leurs arrivées). "
        f"Modèle Erlang C. {advice.open_source}"
    )
    code = advice.site_name
    return StatTable(f"effectifs_{_slug(code)}", f"Effectifs conseillés — {code}", columns, rows, note)


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "_" for ch in plain).strip("_")[:20]


def report_tables(report: StatsReport) -> tuple[StatTable, ...]:
    """Every table of the report, in reading order."""
    c, t = report.contacts, report.tickets
    tables = [
        summary(report),
        _counts("contacts_canal", "Contacts par canal", "Canal", c.by_channel),
        _counts("contacts_theme", "Contacts par thème", "Thème", c.by_theme),
        _counts("contacts_suite", "Suite donnée aux contacts", "Suite donnée", c.by_outcome),
        _counts("orientations_services", "Orientations vers les services municipaux", "Service",
                c.oriented_services, "Les dix services les plus cités ; part parmi les orientations vers un service."),
        _counts("orientations_organismes", "Orientations vers les organismes extérieurs", "Organisme",
                c.oriented_bodies, "Les dix organismes les plus cités ; part parmi les orientations extérieures."),
        queue_table(t.by_queue),
        arrivals_table(report),
        hourly_table(report),
        wait_table(report),
        people_table("guichets", "Par guichet", "Guichet", t.by_counter),
        people_table("agents", "Par agent", "Agent", t.by_agent),
        sites_table(report),
        *request_tables(report),
        *mail_tables(report),
        *appointment_tables(report),
        *(staffing_table(a) for a in report.staffing),
    ]  # fmt: skip
    return tuple(tables)
