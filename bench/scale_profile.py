"""What the scale data looks like: the town hall's traffic, as tables.

Kept apart from generate.py so that the shape of the data can be read (and argued about) on
its own. Every table is a relative weight unless said otherwise.
"""

from __future__ import annotations

from datetime import date

from guichet.domain import Channel, Outcome
from guichet.services.demo import HOUR_WEIGHTS, SITUATIONS

C = Channel

# The remaining sub-themes of the taxonomy, in the shape of demo.SITUATIONS, so every theme gets contacts.
EXTRA_SITUATIONS: list[tuple[str, dict[Channel, int], Outcome, str, str | None]] = [
    ("etat_civil.mariage", {C.IN_PERSON: 6, C.PHONE: 3, C.MAIL: 1}, Outcome.REQUEST_OPENED,
     "Dossier de mariage : liste des pièces et date de cérémonie", None),
    ("etat_civil.deces", {C.IN_PERSON: 5, C.MAIL: 3, C.PHONE: 2}, Outcome.ANSWERED, "Copie d'acte de décès", None),
    ("etat_civil.livret", {C.IN_PERSON: 6, C.MAIL: 2}, Outcome.REQUEST_OPENED, "Duplicata du livret de famille", None),
    ("elections.procuration", {C.IN_PERSON: 7, C.PHONE: 3}, Outcome.ONLINE_HELP,
     "Établir une procuration (maprocuration)", None),
    ("scolaire.cantine", {C.IN_PERSON: 4, C.PHONE: 4, C.EMAIL: 2}, Outcome.ANSWERED,
     "Tarif de la restauration scolaire (quotient familial)", None),
    ("scolaire.periscolaire", {C.IN_PERSON: 5, C.PHONE: 3, C.WEB: 2}, Outcome.ANSWERED,
     "Inscription à l'accueil du mercredi", None),
    ("petite_enfance.preinscription", {C.IN_PERSON: 6, C.PHONE: 2, C.WEB: 2}, Outcome.REQUEST_OPENED,
     "Pré-inscription en crèche pour septembre", None),
    ("petite_enfance.rdv", {C.PHONE: 7, C.IN_PERSON: 3}, Outcome.ORIENTED_SERVICE,
     "Rendez-vous avec le relais petite enfance", None),
    ("ccas.domiciliation", {C.IN_PERSON: 9, C.PHONE: 1}, Outcome.ORIENTED_SERVICE,
     "Demande de domiciliation administrative", None),
    ("culture.spectacles", {C.PHONE: 5, C.IN_PERSON: 3, C.WEB: 2}, Outcome.ANSWERED,
     "Billets pour le spectacle du Théâtre de Vénissieux", None),
    ("sport_assos.salles", {C.EMAIL: 5, C.PHONE: 3, C.MAIL: 2}, Outcome.REQUEST_OPENED,
     "Réservation d'une salle pour une assemblée générale", None),
    ("technique.travaux", {C.PHONE: 6, C.EMAIL: 2, C.WEB: 2}, Outcome.ORIENTED_SERVICE,
     "Travaux bruyants dans la rue : jusqu'à quand ?", None),
    ("technique.proprete", {C.PHONE: 5, C.WEB: 3, C.SMS: 1, C.EMAIL: 1}, Outcome.REQUEST_OPENED,
     "Dépôt sauvage d'encombrants sur le trottoir", None),
    ("urbanisme.declaration", {C.IN_PERSON: 6, C.MAIL: 3, C.EMAIL: 1}, Outcome.REQUEST_OPENED,
     "Déclaration préalable pour une clôture", None),
    ("urbanisme.certificat", {C.MAIL: 5, C.EMAIL: 3, C.IN_PERSON: 2}, Outcome.REQUEST_OPENED,
     "Certificat d'urbanisme pour une vente", None),
    ("police.stationnement", {C.PHONE: 7, C.IN_PERSON: 3}, Outcome.ORIENTED_SERVICE,
     "Véhicule ventouse devant le garage", None),
    ("emploi.candidature", {C.EMAIL: 5, C.MAIL: 4, C.IN_PERSON: 1}, Outcome.ORIENTED_SERVICE,
     "Candidature spontanée d'agent d'entretien", None),
    ("suggestions.reclamation", {C.MAIL: 4, C.EMAIL: 3, C.WEB: 2, C.IN_PERSON: 1}, Outcome.REQUEST_OPENED,
     "Réclamation : facture de cantine erronée", None),
    ("autres", {C.PHONE: 5, C.IN_PERSON: 5}, Outcome.ORIENTED_EXTERNAL,
     "Inscription comme demandeur d'emploi", "France Travail"),
    ("autres", {C.PHONE: 5, C.IN_PERSON: 4}, Outcome.ORIENTED_EXTERNAL,
     "Question sur la taxe foncière", "Centre des finances publiques"),
    ("autres", {C.PHONE: 7, C.EMAIL: 2}, Outcome.ORIENTED_EXTERNAL,
     "Bac à ordures cassé, jour de collecte", "Métropole de Lyon"),
]  # fmt: skip
ALL_SITUATIONS = SITUATIONS + EXTRA_SITUATIONS

# Relative frequency of each situation at a town hall's single window (état civil dominates).
BASE_WEIGHT = {
    "etat_civil.titres": 14, "etat_civil.naissance": 10, "etat_civil.mariage": 3, "etat_civil.deces": 3,
    "etat_civil.livret": 2, "elections.inscription": 2, "elections.procuration": 1, "scolaire.inscription": 3,
    "scolaire.cantine": 4, "scolaire.annulation_repas": 4, "scolaire.periscolaire": 3, "petite_enfance.paiement": 4,
    "petite_enfance.preinscription": 2, "petite_enfance.rdv": 2, "ccas.aide": 4, "ccas.domiciliation": 1,
    "culture.mediatheque": 2, "culture.spectacles": 2, "sport_assos.clubs": 2, "sport_assos.subvention": 1,
    "sport_assos.materiel": 1, "sport_assos.salles": 2, "technique.travaux": 2, "technique.espaces_verts": 2,
    "technique.graffitis": 1, "technique.proprete": 3, "urbanisme.permis": 2, "urbanisme.declaration": 2,
    "urbanisme.certificat": 1, "police.otv": 2, "police.stationnement": 2, "economie.marches": 1,
    "economie.implantation": 1, "hygiene.insalubrite": 1, "hygiene.conseils": 1, "emploi.stage": 1,
    "emploi.candidature": 2, "suggestions.suggestion": 1, "suggestions.reclamation": 2, "autres": 2.5,
}  # fmt: skip

# Monthly multipliers (January..December) of the situations that have a season.
SEASON = {
    "scolaire.inscription": [0.6, 1.5, 3.0, 3.5, 3.0, 1.8, 0.8, 0.8, 1.6, 0.4, 0.3, 0.3],
    "scolaire.annulation_repas": [1, 1, 1, 1, 1, 1, 0.3, 0, 1, 1, 1, 0.8],
    "scolaire.cantine": [1, 0.8, 0.8, 0.8, 0.8, 1.2, 0.6, 1.5, 2.5, 1, 0.8, 0.6],
    "scolaire.periscolaire": [0.8, 0.8, 0.8, 0.8, 1, 1.5, 0.5, 1.5, 2.5, 1, 0.8, 0.6],
    "petite_enfance.paiement": [1, 1, 1, 1, 1, 1, 1, 0.2, 1, 1, 1, 1],
    "petite_enfance.preinscription": [1, 1.2, 1.5, 1.5, 1.2, 1, 0.5, 0.3, 1, 1, 1, 0.8],
    "etat_civil.titres": [1, 1.1, 1.5, 1.8, 1.8, 1.6, 1.0, 0.6, 0.8, 0.8, 0.8, 0.7],
    "etat_civil.mariage": [0.6, 0.8, 1.2, 1.4, 1.6, 1.6, 1.4, 1.0, 0.9, 0.6, 0.5, 0.5],
    "police.otv": [0.3, 0.5, 0.5, 0.8, 1.0, 2.5, 3.0, 1.0, 0.3, 0.6, 0.5, 1.5],
    "technique.espaces_verts": [0.4, 0.4, 0.8, 1.5, 2.0, 2.0, 1.8, 1.2, 1.2, 1.0, 0.6, 0.4],
    "technique.proprete": [0.8, 0.8, 1, 1.1, 1.2, 1.2, 1.2, 1.0, 1.1, 1, 0.9, 1.0],
    "urbanisme.permis": [0.8, 1.0, 1.4, 1.5, 1.4, 1.2, 0.8, 0.4, 1.0, 1.0, 0.8, 0.6],
    "urbanisme.declaration": [0.8, 1.0, 1.4, 1.5, 1.4, 1.2, 0.8, 0.4, 1.0, 1.0, 0.8, 0.6],
    "culture.mediatheque": [1, 1, 1, 1, 1, 1.8, 2.0, 1.2, 1, 1, 1, 1.2],
    "culture.spectacles": [1.2, 1, 1, 0.8, 0.8, 0.6, 0.2, 0.2, 1.8, 1.4, 1.2, 1.4],
    "sport_assos.subvention": [2.0, 2.0, 1.2, 0.8, 0.6, 0.5, 0.3, 0.2, 0.8, 1.2, 1.6, 1.4],
    "sport_assos.clubs": [1.0, 0.6, 0.6, 0.6, 0.6, 1.2, 0.8, 1.6, 3.0, 1.4, 0.8, 0.6],
    "sport_assos.materiel": [0.5, 0.5, 0.8, 1.2, 1.8, 2.0, 1.2, 0.5, 1.2, 0.8, 0.6, 1.2],
    "emploi.stage": [1.5, 1.0, 0.8, 0.8, 0.6, 0.6, 0.3, 0.3, 1.8, 2.0, 2.0, 1.4],
    "ccas.aide": [1.6, 1.4, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6, 1.0, 1.1, 1.3, 1.5],
}
# First-round months of the national and local elections (registration peaks in the 2 months before).
ELECTIONS = [(2017, 4), (2017, 6), (2019, 5), (2020, 3), (2021, 6), (2022, 4), (2022, 6), (2024, 6), (2026, 3),
             (2027, 4), (2027, 6), (2028, 3), (2029, 6), (2032, 4)]  # fmt: skip

# Channel mix at the start and at the end of the period (linear drift in between).
MIX_START = {C.IN_PERSON: 44, C.PHONE: 33, C.MAIL: 10, C.EMAIL: 8, C.SMS: 1, C.WEB: 4}
MIX_END = {C.IN_PERSON: 36, C.PHONE: 27, C.MAIL: 7, C.EMAIL: 16, C.SMS: 3, C.WEB: 11}
MIX_SATURDAY = {C.IN_PERSON: 78, C.PHONE: 17, C.EMAIL: 3, C.WEB: 2}
# The first 2020 lockdown: the counter nearly closed, phone and e-mail took over.
LOCKDOWN = (date(2020, 3, 17), date(2020, 5, 10))
LOCKDOWN_CHANNEL = {C.IN_PERSON: 0.05, C.PHONE: 1.3, C.MAIL: 0.6, C.EMAIL: 1.8, C.SMS: 1.5, C.WEB: 1.8}

# Arrivals by local hour, per channel. Counter and phone follow the demo; letters are opened in the morning.
HOURS_WEEKDAY = {
    C.IN_PERSON: HOUR_WEIGHTS,
    C.PHONE: HOUR_WEIGHTS,
    C.MAIL: {8: 3, 9: 6, 10: 5, 11: 3, 13: 1, 14: 2, 15: 1},
    C.EMAIL: {8: 2, 9: 4, 10: 4, 11: 4, 12: 2, 13: 3, 14: 4, 15: 3, 16: 3},
    C.SMS: {8: 2, 9: 4, 10: 4, 11: 4, 12: 2, 13: 3, 14: 4, 15: 3, 16: 3},
    C.WEB: {8: 2, 9: 4, 10: 4, 11: 4, 12: 2, 13: 3, 14: 4, 15: 3, 16: 3},
}
HOURS_SATURDAY = {9: 5, 10: 5, 11: 3}
# Volume by weekday (Monday..Saturday) and by month.
WEEKDAY_FACTOR = [1.18, 1.05, 0.92, 1.0, 0.9, 0.28]
MONTH_FACTOR = [1.1, 1.0, 1.05, 1.05, 0.95, 1.0, 0.8, 0.55, 1.2, 1.05, 1.0, 0.85]
YEARLY_GROWTH = 0.015  # the town grows, and so does the traffic
# Probability that a contact of these channels is tied to a citizen (mail, e-mail and SMS always are).
CITIZEN_SHARE = {C.IN_PERSON: 0.5, C.PHONE: 0.38, C.WEB: 0.75, C.MAIL: 1.0, C.EMAIL: 1.0, C.SMS: 1.0}
NEIGHBOUR_TOWNS = [("69008", "Lyon"), ("69190", "Saint-Fons"), ("69320", "Feyzin"), ("69800", "Saint-Priest")]
NOTES = [
    "Pièces justificatives remises en main propre.",
    "Rappeler la personne avant vendredi.",
    "Dossier incomplet : il manque un justificatif de domicile de moins de 3 mois.",
    "Personne orientée avec un plan d'accès.",
    "Appel transféré puis revenu à l'accueil : le service ne répondait pas.",
    "Demande de confirmation écrite : courriel envoyé.",
    "Usager accompagné sur la borne numérique pour la démarche en ligne.",
    "Personne malentendante : échange par écrit.",
    "Déjà venu la semaine dernière pour la même démarche.",
    "Interprète présent (arabe).",
    "Le formulaire a été rempli avec l'agent.",
    "Courrier numérisé et transmis au service.",
]
