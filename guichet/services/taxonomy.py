"""The towns' taxonomy of requests (CONTEXT.md), the municipal services in charge, external bodies.

Used to seed a new database and the demo; later edited by supervisors and synced from SITIV.
"""

from __future__ import annotations

# (code, label, default service, sub-themes as (code, label))
THEMES: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("etat_civil", "État civil", "Service État civil", [
        ("etat_civil.naissance", "Acte de naissance"),
        ("etat_civil.mariage", "Acte de mariage / PACS"),
        ("etat_civil.deces", "Acte de décès"),
        ("etat_civil.livret", "Livret de famille"),
        ("etat_civil.titres", "Rendez-vous passeport / carte d'identité"),
    ]),
    ("elections", "Élections", "Service Élections", [
        ("elections.inscription", "Inscription sur les listes électorales"),
        ("elections.procuration", "Procuration"),
    ]),
    ("scolaire", "Scolaire / périscolaire", "Direction de l'Éducation", [
        ("scolaire.inscription", "Inscription scolaire"),
        ("scolaire.cantine", "Restauration scolaire"),
        ("scolaire.annulation_repas", "Annulation d'un repas"),
        ("scolaire.periscolaire", "Accueil périscolaire"),
    ]),
    ("petite_enfance", "Petite enfance", "Service Petite enfance", [
        ("petite_enfance.preinscription", "Pré-inscription en crèche"),
        ("petite_enfance.paiement", "Paiement de la crèche"),
        ("petite_enfance.rdv", "Rendez-vous petite enfance"),
    ]),
    ("ccas", "CCAS", "CCAS", [
        ("ccas.aide", "Demande d'aide sociale"),
        ("ccas.domiciliation", "Domiciliation"),
    ]),
    ("culture", "Culture", "Direction de la Culture", [
        ("culture.mediatheque", "Médiathèque"),
        ("culture.spectacles", "Spectacles et billetterie"),
    ]),
    ("sport_assos", "Sport & associations", "Service Vie associative et Sports", [
        ("sport_assos.clubs", "Clubs et activités sportives"),
        ("sport_assos.subvention", "Subvention aux associations"),
        ("sport_assos.materiel", "Prêt de matériel"),
        ("sport_assos.salles", "Réservation de salle"),
    ]),
    ("technique", "Services techniques", "Services techniques", [
        ("technique.travaux", "Travaux sur la voie publique"),
        ("technique.espaces_verts", "Entretien des espaces verts"),
        ("technique.graffitis", "Enlèvement de graffitis"),
        ("technique.proprete", "Propreté urbaine"),
    ]),
    ("urbanisme", "Urbanisme", "Service Urbanisme", [
        ("urbanisme.permis", "Permis de construire"),
        ("urbanisme.declaration", "Déclaration préalable de travaux"),
        ("urbanisme.certificat", "Certificat d'urbanisme"),
    ]),
    ("police", "Police municipale", "Police municipale", [
        ("police.otv", "Opération Tranquillité Vacances"),
        ("police.stationnement", "Stationnement"),
    ]),
    ("economie", "Économie / entreprises", "Service Développement économique", [
        ("economie.marches", "Règlement des marchés"),
        ("economie.implantation", "Aide à l'implantation d'entreprise"),
    ]),
    ("hygiene", "Hygiène & santé", "Service Hygiène et Santé", [
        ("hygiene.insalubrite", "Diagnostic d'insalubrité"),
        ("hygiene.conseils", "Conseils d'hygiène"),
    ]),
    ("emploi", "Emploi / stages", "Service Emploi", [
        ("emploi.stage", "Candidature de stage"),
        ("emploi.candidature", "Candidature spontanée"),
    ]),
    ("suggestions", "Suggestions & réclamations", "Direction générale des services", [
        ("suggestions.suggestion", "Suggestion d'amélioration"),
        ("suggestions.reclamation", "Réclamation"),
    ]),
    ("autres", "Autres demandes", "Accueil – Guichet unique", []),
]  # fmt: skip

# name, phone, location
SERVICES: list[tuple[str, str, str]] = [
    ("Accueil – Guichet unique", "04 72 21 44 44", "Hôtel de ville, rez-de-chaussée"),
    ("Service État civil", "04 72 21 44 10", "Hôtel de ville, rez-de-chaussée"),
    ("Service Élections", "04 72 21 44 12", "Hôtel de ville, 1er étage"),
    ("Direction de l'Éducation", "04 72 21 44 30", "Hôtel de ville, 2e étage"),
    ("Service Petite enfance", "04 72 21 44 35", "Maison de la petite enfance"),
    ("CCAS", "04 72 21 44 50", "Centre communal d'action sociale, 10 rue Jules-Ferry"),
    ("Direction de la Culture", "04 72 21 44 60", "Maison de la culture"),
    ("Service Vie associative et Sports", "04 72 21 44 70", "Maison des associations"),
    ("Services techniques", "04 72 21 44 80", "Centre technique municipal"),
    ("Service Urbanisme", "04 72 21 44 90", "Hôtel de ville, 3e étage"),
    ("Police municipale", "04 72 21 45 00", "Poste de police municipale"),
    ("Service Développement économique", "04 72 21 45 10", "Hôtel de ville, 3e étage"),
    ("Service Hygiène et Santé", "04 72 21 45 20", "Hôtel de ville, 2e étage"),
    ("Service Emploi", "04 72 21 45 30", "Maison de l'emploi"),
    ("Direction générale des services", "04 72 21 45 40", "Hôtel de ville, 4e étage"),
]

# name, what they handle, phone, address, hours, website
EXTERNAL_BODIES: list[tuple[str, str, str, str, str, str]] = [
    ("CAF du Rhône", "Allocations familiales, aides au logement, RSA, prime d'activité", "32 30",
     "67 boulevard Vivier-Merle, 69003 Lyon", "Lun.–ven. 8 h 30–16 h 30", "caf.fr"),
    ("CPAM du Rhône", "Assurance maladie, carte Vitale, complémentaire santé solidaire", "36 46",
     "276 cours Émile-Zola, 69100 Villeurbanne", "Lun.–ven. 8 h–17 h", "ameli.fr"),
    ("France Travail", "Inscription comme demandeur d'emploi, indemnisation, offres d'emploi", "39 49",
     "Agence de Vénissieux, 69200 Vénissieux", "Lun.–ven. 8 h 30–16 h 30", "francetravail.fr"),
    ("Préfecture du Rhône / ANTS", "Titres de séjour, permis de conduire, certificats d'immatriculation", "34 00",
     "106 rue Pierre-Corneille, 69003 Lyon", "Sur rendez-vous", "ants.gouv.fr"),
    ("Centre des finances publiques", "Impôts des particuliers, taxe foncière, paiement des amendes", "0 809 401 401",
     "Service des impôts des particuliers, 69200 Vénissieux", "Lun.–ven. 8 h 30–12 h", "impots.gouv.fr"),
    ("Tribunal judiciaire de Lyon", "Justice civile, conciliateur, nationalité française", "04 72 60 70 12",
     "67 rue Servient, 69003 Lyon", "Lun.–ven. 9 h–16 h", "justice.fr"),
    ("Métropole de Lyon", "Collecte des déchets, voirie métropolitaine, eau, RSA, aide à domicile", "04 78 63 40 40",
     "20 rue du Lac, 69003 Lyon", "Lun.–ven. 8 h 30–17 h", "grandlyon.com"),
    ("Maison de la Métropole (MDM)", "Action sociale de proximité, PMI, aides aux personnes âgées", "04 72 89 17 00",
     "Maison de la Métropole, 69200 Vénissieux", "Lun.–ven. 8 h 30–12 h, 13 h 30–17 h", "grandlyon.com"),
    ("Bailleur social (Lyon Métropole Habitat)", "Demandes de logement social, réclamations locatives", "04 72 74 68 00",
     "194 rue Duguesclin, 69003 Lyon", "Lun.–ven. 9 h–17 h", "lmhabitat.fr"),
    ("URSSAF", "Cotisations des indépendants, création d'entreprise", "36 98",
     "6 rue du 19-Mars-1962, 69200 Vénissieux", "Lun.–ven. 9 h–16 h", "urssaf.fr"),
]  # fmt: skip
