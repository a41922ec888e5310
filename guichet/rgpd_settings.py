"""How long personal data is kept, per kind: the ``[rgpd]`` table of guichet.toml (no imports: config reads it).

The defaults and their reasons are written in the README (« Données personnelles (RGPD) »). Durations are in
months, counted back from the day the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

_MAX_MONTHS = 600


@dataclass(frozen=True)
class RgpdSettings:
    # Contacts: the free text (subject, notes) goes first; the link to the person later, so that a recent
    # contact still counts as activity of the person (see citizen_idle_months).
    contact_text_months: int = 12
    contact_person_months: int = 36
    # Requests: personal text and person cleared this long after closure (or after the answer, when never closed).
    request_months: int = 60
    # Letters: scans deleted and register line without correspondent, this long after registration (and after
    # the closure of the request they belong to).
    mail_months: int = 60
    # Answers sent: the address and the text that went, this long after the sending.
    dispatch_months: int = 12
    # Citizen records with no activity for this long are anonymised (0: never on this site, see the README).
    citizen_idle_months: int = 36
    # The audit log: entries older than this are emptied (tombstones without agent, login, subject nor detail).
    audit_months: int = 12
    batch_size: int = 500  # rows per transaction: the desks keep working while the job runs

    @classmethod
    def from_toml(cls, raw: dict) -> RgpdSettings:
        base = cls()
        values = {}
        for f in fields(cls):
            value = raw.get(f.name, getattr(base, f.name))
            try:
                values[f.name] = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"[rgpd] {f.name} : donnez un nombre entier (reçu « {value} »).") from None
        settings = cls(**values)
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse incoherent durations, with a French message naming the setting."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "batch_size":
                if not 10 <= value <= 10_000:
                    raise ValueError("[rgpd] batch_size : donnez un nombre de lignes entre 10 et 10 000.")
            elif f.name == "citizen_idle_months" and value == 0:
                continue
            elif not 1 <= value <= _MAX_MONTHS:
                raise ValueError(f"[rgpd] {f.name} : donnez une durée en mois entre 1 et {_MAX_MONTHS}.")
        if self.contact_person_months < self.contact_text_months:
            raise ValueError(
                "[rgpd] contact_person_months doit être au moins égal à contact_text_months : "
                "le texte d'un contact s'efface avant (ou en même temps que) le lien avec la personne."
            )
        if self.contact_person_months < self.citizen_idle_months:
            raise ValueError(
                "[rgpd] contact_person_months doit être au moins égal à citizen_idle_months : sinon un contact "
                "encore récent serait détaché de la personne et sa fiche paraîtrait inactive."
            )
