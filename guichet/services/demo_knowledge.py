"""Demo answer sheets: the typical requests of CONTEXT.md, in the words of a French town hall (rules as of 2026).

SITIV's sheets (every town) state the national rules; the commune's sheets add where, when and the local fees.
A few carry a history (two versions), a draft in progress, a review date already passed, or are archived, so
the « Fiches » page shows each state; a share of the demo contacts of each theme used one of its sheets.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from guichet.db import Database
from guichet.domain import SheetStatus
from guichet.models import AnswerSheet, AnswerSheetVersion, Commune, Contact, ExternalBody, MunicipalService, Theme
from guichet.services import clock
from guichet.services.knowledge import sheet_search_text
from guichet.services.knowledge_types import SheetContent

SITIV = "SITIV — cellule Relation aux usagers"
ANTS = "Préfecture du Rhône / ANTS"


@dataclass(frozen=True)
class DemoSheet:
    theme: str  # theme code
    sitiv: bool  # every town of SITIV, else the demo commune's
    owner: str
    content: SheetContent
    service: str = ""  # orientation: a municipal service by name...
    body: str = ""  # ...or an external body by name
    versions: int = 1  # published versions (the earlier ones a little shorter)
    draft: str = ""  # a draft in progress: what it changes in the answer
    review_in_days: int = 300  # negative: already « à revoir »
    archived: bool = False


def _c(title: str, **kw) -> SheetContent:  # noqa: ANN003
    return SheetContent(title=title, **kw)


SHEETS: tuple[DemoSheet, ...] = (
    DemoSheet(
        "etat_civil.titres",
        True,
        SITIV,
        _c(
            "Carte d'identité et passeport",
            question="Comment faire ou refaire sa carte nationale d'identité ou son passeport ?",
            answer="La demande se fait sur rendez-vous, dans n'importe quelle mairie équipée d'une station de recueil "
            "(pas forcément celle du domicile). Faites d'abord la pré-demande en ligne sur le site de l'ANTS et "
            "notez son numéro. La présence du demandeur est obligatoire au dépôt (empreintes dès 12 ans) et au "
            "retrait, dans les 3 mois suivant l'avis de mise à disposition.\n\n"
            "La carte d'identité est valable 10 ans ; le passeport 10 ans pour un majeur, 5 ans pour un mineur.",
            documents=(
                "Numéro de pré-demande ANTS (ou formulaire papier rempli à l'accueil)",
                "Photo d'identité de moins de 6 mois, conforme aux normes (ou code e-photo)",
                "Justificatif de domicile de moins d'un an (facture, avis d'imposition, quittance de loyer)",
                "Ancienne carte d'identité ou ancien passeport",
                "Timbre fiscal pour un passeport, ou pour une carte perdue ou volée",
                "En cas de vol : déclaration faite au commissariat ou à la gendarmerie",
                "Pour un mineur : pièce d'identité du parent présent, jugement fixant l'autorité parentale s'il y a lieu",
            ),
            in_charge="Service État civil — formalités administratives",
            where_when="Sur rendez-vous dans une mairie équipée : hôtel de ville de Vénissieux, mairie de Givors, "
            "de Rive-de-Gier… Rendez-vous par téléphone, à l'accueil ou sur le site national de rendez-vous.",
            fees="Carte d'identité : gratuite ; 25 € en timbre fiscal si l'ancienne carte n'est pas présentée (perte, "
            "vol). Passeport : 86 € (majeur), 42 € (mineur de 15 ans et plus), 17 € (moins de 15 ans).",
            links=(
                "Pré-demande en ligne | https://ants.gouv.fr",
                "Rendez-vous dans une mairie proche | https://rendezvouspasseport.ants.gouv.fr",
                "Timbre fiscal électronique | https://timbres.impots.gouv.fr",
            ),
            keywords="cni carte identité passeport papiers titre ants pré-demande perte vol renouvellement",
        ),
        versions=2,
    ),
    DemoSheet(
        "etat_civil.naissance",
        True,
        SITIV,
        _c(
            "Copie ou extrait d'acte de naissance",
            question="Où et comment obtenir une copie intégrale ou un extrait d'acte de naissance ?",
            answer="L'acte est délivré gratuitement par la mairie du lieu de naissance : au guichet, par courrier ou en "
            "ligne. La copie intégrale et l'extrait avec filiation ne sont remis qu'à la personne elle-même, à "
            "ses parents, grands-parents, enfants, à son époux ou épouse, ou à son représentant légal ; "
            "l'extrait sans filiation, à toute personne.\n\n"
            "Personnes nées à l'étranger : s'adresser au Service central d'état civil (Nantes). Pour une carte "
            "d'identité ou un passeport, l'acte n'est en général plus demandé (échanges dématérialisés).",
            documents=(
                "Pièce d'identité du demandeur",
                "Nom, prénoms et date de naissance de la personne concernée, noms et prénoms de ses parents",
                "Livret de famille, si la demande concerne un parent ou un enfant",
            ),
            in_charge="Mairie du lieu de naissance (service État civil)",
            where_when="Au guichet État civil de la mairie de naissance ; par courrier ; ou en ligne (réponse par "
            "courrier sous quelques jours).",
            fees="Gratuit. Méfiez-vous des sites privés qui font payer cette démarche.",
            links=("Demande en ligne | https://www.service-public.fr",),
            keywords="acte naissance copie intégrale extrait filiation état civil",
        ),
        service="",
        versions=1,
    ),
    DemoSheet(
        "elections.inscription",
        True,
        SITIV,
        _c(
            "Inscription sur les listes électorales",
            question="Comment s'inscrire sur les listes électorales, ou changer d'adresse de vote ?",
            answer="L'inscription est possible toute l'année, et jusqu'au 6e vendredi qui précède un scrutin pour y "
            "voter : en ligne, à la mairie ou par courrier. Les jeunes recensés à 16 ans sont inscrits d'office "
            "à 18 ans. Après un déménagement, il faut s'inscrire dans la nouvelle commune (l'ancienne "
            "inscription est alors radiée).",
            documents=(
                "Pièce d'identité valide, ou périmée depuis moins de 5 ans",
                "Justificatif de domicile de moins de 3 mois",
                "Formulaire Cerfa n° 12669 (citoyens français), rempli sur place si besoin",
                "Hébergé : attestation et justificatif de domicile de l'hébergeant, et sa pièce d'identité",
            ),
            in_charge="Service Élections",
            where_when="En ligne à tout moment ; à l'accueil de la mairie aux heures d'ouverture.",
            fees="Gratuit.",
            links=(
                "S'inscrire en ligne | https://www.service-public.fr",
                "Vérifier sa situation électorale | https://www.service-public.fr/particuliers/vosdroits/demarches-et-outils/ISE",
            ),
            keywords="élections électorale liste vote voter inscription déménagement carte électeur",
        ),
        review_in_days=-20,
    ),
    DemoSheet(
        "elections.procuration",
        True,
        SITIV,
        _c(
            "Donner procuration pour voter",
            question="Je ne pourrai pas voter : comment donner procuration ?",
            answer="La procuration ne se fait pas en mairie. Faites la demande en ligne sur maprocuration.gouv.fr, puis "
            "validez-la en personne au commissariat, à la gendarmerie ou au consulat (ou entièrement en ligne "
            "avec une identité numérique certifiée). L'électeur qui vote pour vous peut être inscrit dans une "
            "autre commune, mais il vote dans votre bureau.",
            documents=(
                "Pièce d'identité",
                "Votre numéro national d'électeur et celui de la personne qui votera pour vous (sur la carte "
                "électorale ou le service « Interroger sa situation électorale »)",
            ),
            in_charge="Commissariat, gendarmerie ou consulat",
            where_when="Le plus tôt possible avant le scrutin : la mairie doit l'avoir reçue avant le jour du vote.",
            fees="Gratuit.",
            links=("Procuration en ligne | https://www.maprocuration.gouv.fr",),
            keywords="procuration vote absent mandataire élection",
        ),
    ),
    DemoSheet(
        "etat_civil",
        True,
        SITIV,
        _c(
            "Attestation d'accueil d'un étranger",
            question="J'accueille chez moi un proche étranger en visite (moins de 3 mois) : quelle démarche ?",
            answer="L'hébergeant demande l'attestation d'accueil à la mairie de son domicile, en personne. Le maire "
            "vérifie que l'hébergeant peut accueillir la personne dans des conditions normales de logement ; "
            "une visite du logement peut être demandée. Le maire répond dans un délai d'un mois. L'attestation "
            "validée est envoyée par l'hébergeant à la personne accueillie, qui la présente pour son visa.",
            documents=(
                "Pièce d'identité de l'hébergeant (ou titre de séjour)",
                "Justificatif de domicile : titre de propriété ou bail, et facture récente",
                "Tout document sur le logement : surface et nombre de pièces",
                "Identité de la personne accueillie : nom, prénoms, date et lieu de naissance, nationalité, "
                "numéro de passeport",
                "Dates du séjour et lien de parenté éventuel",
                "Engagement de prendre en charge une assurance médicale si la personne n'en a pas",
                "Timbre fiscal de 40 €",
            ),
            in_charge="Service État civil — formalités administratives",
            where_when="À la mairie du domicile de l'hébergeant, aux heures d'ouverture, au moins un mois avant la "
            "demande de visa.",
            fees="40 € en timbre fiscal (électronique ou papier), dus même en cas de refus.",
            links=("Timbre fiscal électronique | https://timbres.impots.gouv.fr",),
            keywords="attestation accueil hébergement étranger visa visite famille",
        ),
    ),
    DemoSheet(
        "etat_civil",
        True,
        SITIV,
        _c(
            "Recensement citoyen à 16 ans",
            question="Mon enfant a 16 ans : comment le faire recenser ?",
            answer="Tout jeune Français se fait recenser entre le jour de ses 16 ans et la fin du 3e mois qui suit, à "
            "la mairie de son domicile (ou en ligne). La mairie remet une attestation de recensement : "
            "gardez-la, aucun duplicata n'est délivré. Le recensement permet l'inscription d'office sur les "
            "listes électorales à 18 ans et la convocation à la Journée défense et citoyenneté (JDC), dont le "
            "certificat est demandé pour les examens (baccalauréat, permis de conduire) avant 25 ans.",
            documents=(
                "Pièce d'identité du jeune (carte d'identité ou passeport)",
                "Livret de famille à jour",
            ),
            in_charge="Service État civil",
            where_when="Le jeune se présente lui-même (ou son représentant légal) à la mairie du domicile.",
            fees="Gratuit.",
            links=("Journée défense et citoyenneté | https://www.majdc.fr",),
            keywords="recensement militaire jdc 16 ans attestation journée défense",
        ),
    ),
    DemoSheet(
        "scolaire.inscription",
        False,
        "Direction de l'Éducation — Mme Roux",
        _c(
            "Inscription à l'école maternelle ou élémentaire",
            question="Comment inscrire mon enfant à l'école publique (première rentrée ou déménagement) ?",
            answer="L'inscription se fait d'abord en mairie, qui délivre un certificat d'inscription désignant l'école "
            "du secteur de votre domicile. Prenez ensuite rendez-vous avec la direction de l'école pour "
            "l'admission. Pour la rentrée de septembre, les inscriptions ont lieu de janvier à mars ; en cours "
            "d'année après un déménagement, dès que possible. L'instruction est obligatoire dès 3 ans.",
            documents=(
                "Livret de famille ou acte de naissance de l'enfant",
                "Justificatif de domicile de moins de 3 mois",
                "Carnet de santé (vaccinations obligatoires à jour)",
                "Certificat de radiation de l'ancienne école, en cas de changement",
                "Jugement fixant la résidence de l'enfant, en cas de séparation",
            ),
            in_charge="Direction de l'Éducation",
            where_when="Hôtel de ville, 2e étage — du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h.",
            fees="Gratuit.",
            keywords="école inscription maternelle élémentaire rentrée secteur certificat scolarité",
        ),
        service="Direction de l'Éducation",
    ),
    DemoSheet(
        "scolaire.cantine",
        False,
        "Direction de l'Éducation — Mme Roux",
        _c(
            "Restauration scolaire : inscription et tarifs",
            question="Comment inscrire mon enfant à la cantine, et combien coûte un repas ?",
            answer="L'inscription à la restauration scolaire se fait pour l'année, sur le portail Famille ou à la "
            "Direction de l'Éducation. Le prix du repas dépend du quotient familial : sans justificatif, le "
            "tarif le plus élevé s'applique. Les repas sont facturés au mois. Un enfant allergique est accueilli "
            "avec un projet d'accueil individualisé (PAI) signé par le médecin scolaire.",
            documents=(
                "Attestation de quotient familial de la CAF, ou dernier avis d'imposition",
                "Justificatif de domicile de moins de 3 mois",
                "Projet d'accueil individualisé (PAI), en cas d'allergie alimentaire",
            ),
            in_charge="Direction de l'Éducation",
            where_when="Portail Famille à tout moment ; Direction de l'Éducation, hôtel de ville, 2e étage, aux "
            "heures d'ouverture.",
            fees="De 0,80 € à 5,20 € le repas selon le quotient familial (tarifs 2025-2026).",
            keywords="cantine restauration scolaire repas quotient familial tarif portail famille",
        ),
        service="Direction de l'Éducation",
        draft="Tarifs 2026-2027 votés en conseil municipal : de 0,85 € à 5,35 €.",
    ),
    DemoSheet(
        "scolaire.annulation_repas",
        False,
        "Direction de l'Éducation — Mme Roux",
        _c(
            "Annuler un repas à la cantine",
            question="Mon enfant ne mangera pas à la cantine : comment annuler le repas ?",
            answer="Un repas s'annule sur le portail Famille au plus tard la veille avant 9 h (jour ouvré). Passé ce "
            "délai, il est facturé, sauf absence pour maladie justifiée par un certificat médical remis dans "
            "les 8 jours, ou grève et sortie scolaire (repas annulés d'office).",
            documents=("Certificat médical, pour une absence pour maladie",),
            in_charge="Direction de l'Éducation",
            where_when="Portail Famille, ou par téléphone à la Direction de l'Éducation avant 9 h la veille.",
            fees="Repas non annulé à temps : facturé au tarif habituel.",
            keywords="annuler repas cantine absence maladie portail famille",
        ),
        service="Direction de l'Éducation",
    ),
    DemoSheet(
        "urbanisme.permis",
        False,
        "Service Urbanisme — M. Garnier",
        _c(
            "Permis de construire",
            question="Je veux construire une maison ou agrandir de plus de 40 m² : que faut-il déposer ?",
            answer="Le permis de construire est obligatoire pour une construction nouvelle de plus de 20 m² et pour "
            "une extension de plus de 40 m² en zone urbaine. Le dossier se dépose en ligne ou en mairie. "
            "Le délai d'instruction est de 2 mois pour une maison individuelle, 3 mois dans les autres cas "
            "(un mois de plus près d'un monument historique). Un architecte est obligatoire au-delà de 150 m² "
            "de surface de plancher. Le permis accordé s'affiche sur le terrain pendant toute la durée des "
            "travaux. Un rendez-vous avec l'instructeur avant le dépôt évite bien des pièces manquantes.",
            documents=(
                "Formulaire Cerfa n° 13406 (maison individuelle) ou n° 13409 (autres constructions)",
                "Plan de situation du terrain",
                "Plan de masse des constructions",
                "Plan en coupe du terrain et de la construction",
                "Notice décrivant le terrain et le projet",
                "Plans des façades et des toitures",
                "Document graphique d'insertion du projet et photographies de l'environnement proche et lointain",
                "Dossier papier : en 4 exemplaires",
            ),
            in_charge="Service Urbanisme",
            where_when="Hôtel de ville, 3e étage — accueil du public le mardi et le jeudi, 9 h – 12 h, et sur "
            "rendez-vous. Dépôt en ligne à tout moment.",
            fees="Dépôt gratuit. La taxe d'aménagement est due après l'achèvement des travaux.",
            links=("Dépôt en ligne et formulaires | https://www.service-public.fr",),
            keywords="permis construire maison extension agrandissement urbanisme cerfa architecte",
        ),
        service="Service Urbanisme",
        versions=2,
    ),
    DemoSheet(
        "urbanisme.declaration",
        False,
        "Service Urbanisme — M. Garnier",
        _c(
            "Déclaration préalable de travaux",
            question="Clôture, fenêtres, abri de jardin, véranda : faut-il une autorisation ?",
            answer="Une déclaration préalable suffit pour les petits travaux : création de 5 à 20 m² (jusqu'à 40 m² "
            "en zone urbaine), modification de l'aspect extérieur (façade, fenêtres, toiture), clôture, piscine "
            "non couverte de 10 à 100 m², changement de destination sans gros travaux. Le délai d'instruction "
            "est d'un mois (deux près d'un monument historique). Sans réponse dans ce délai, les travaux sont "
            "autorisés.",
            documents=(
                "Formulaire Cerfa n° 13703 (maison individuelle) ou n° 13404 (autres cas)",
                "Plan de situation du terrain",
                "Plan de masse, si le projet crée une construction",
                "Représentation de l'aspect extérieur et photographies, si la façade change",
                "Dossier papier : en 2 exemplaires",
            ),
            in_charge="Service Urbanisme",
            where_when="Hôtel de ville, 3e étage — mardi et jeudi, 9 h – 12 h. Dépôt en ligne à tout moment.",
            fees="Gratuit (taxe d'aménagement si de la surface est créée).",
            links=("Dépôt en ligne et formulaires | https://www.service-public.fr",),
            keywords="déclaration préalable travaux clôture fenêtre abri jardin véranda piscine façade",
        ),
        service="Service Urbanisme",
    ),
    DemoSheet(
        "police.otv",
        False,
        "Police municipale — brigadier-chef Morel",
        _c(
            "Opération Tranquillité Vacances",
            question="Je pars en vacances : la police peut-elle surveiller mon logement ?",
            answer="Toute l'année, la police municipale passe régulièrement devant les logements signalés pendant "
            "l'absence de leurs occupants. Inscrivez-vous au moins 48 heures avant le départ ; prévenez en cas "
            "de retour anticipé.",
            documents=(
                "Formulaire « Opération Tranquillité Vacances » rempli (à l'accueil ou en ligne)",
                "Pièce d'identité",
                "Justificatif de domicile",
                "Dates d'absence et coordonnées d'une personne à prévenir",
            ),
            in_charge="Police municipale",
            where_when="Poste de police municipale, ou à l'accueil de l'hôtel de ville, au moins 48 h avant le départ.",
            fees="Gratuit.",
            keywords="vacances surveillance logement absence police tranquillité otv",
        ),
        service="Police municipale",
        review_in_days=-45,
    ),
    DemoSheet(
        "sport_assos.subvention",
        False,
        "Service Vie associative et Sports",
        _c(
            "Demande de subvention d'une association",
            question="Notre association voudrait une subvention de la ville : comment faire ?",
            answer="Les demandes de subvention de fonctionnement pour l'année suivante se déposent avant le 31 "
            "octobre ; une aide à un projet, au moins trois mois avant celui-ci. L'association doit avoir son "
            "siège ou son activité dans la commune. Les demandes sont examinées en commission puis votées en "
            "conseil municipal.",
            documents=(
                "Formulaire Cerfa n° 12156 (dossier de demande de subvention)",
                "Statuts et liste à jour des membres du bureau",
                "Numéros RNA et SIRET de l'association",
                "Budget prévisionnel de l'année ou du projet",
                "Derniers comptes approuvés et rapport d'activité",
                "Relevé d'identité bancaire au nom de l'association",
            ),
            in_charge="Service Vie associative et Sports",
            where_when="Maison des associations, du lundi au vendredi, 9 h – 12 h et 14 h – 17 h.",
            fees="Sans objet.",
            keywords="subvention association aide financière projet cerfa 12156",
        ),
        service="Service Vie associative et Sports",
    ),
    DemoSheet(
        "sport_assos.salles",
        False,
        "Service Vie associative et Sports",
        _c(
            "Réserver une salle municipale",
            question="Une association ou un habitant peut-il louer une salle de la ville ?",
            answer="Les salles municipales se réservent au moins deux mois à l'avance, par demande écrite au service "
            "Vie associative. Une convention d'occupation est signée ; la salle est remise et rendue avec un "
            "état des lieux.",
            documents=(
                "Demande écrite : date, horaires, nombre de personnes, nature de la manifestation",
                "Attestation d'assurance responsabilité civile pour la date",
                "Pour une association : statuts et récépissé de déclaration en préfecture",
                "Chèque de caution",
            ),
            in_charge="Service Vie associative et Sports",
            where_when="Maison des associations, du lundi au vendredi, 9 h – 12 h et 14 h – 17 h.",
            fees="Gratuit pour les associations de la commune (une fois par an) ; sinon selon le tarif voté ; "
            "caution de 500 €.",
            keywords="salle location réservation fête association convention caution",
        ),
        service="Service Vie associative et Sports",
    ),
    DemoSheet(
        "petite_enfance.preinscription",
        False,
        "Service Petite enfance",
        _c(
            "Pré-inscription en crèche",
            question="Comment demander une place en crèche pour mon bébé ?",
            answer="La pré-inscription est possible dès le 6e mois de grossesse, au guichet de la Maison de la petite "
            "enfance ou sur rendez-vous. Les places sont attribuées en commission deux fois par an (printemps "
            "et automne). Le tarif horaire suit le barème national de la CAF, selon les ressources et le "
            "nombre d'enfants.",
            documents=(
                "Justificatif de domicile de moins de 3 mois",
                "Livret de famille, ou attestation de grossesse",
                "Numéro d'allocataire CAF",
                "Dernier avis d'imposition",
                "Justificatifs de situation professionnelle ou de formation des parents",
            ),
            in_charge="Service Petite enfance",
            where_when="Maison de la petite enfance, du lundi au vendredi, 8 h 30 – 12 h ; l'après-midi sur rendez-vous.",
            fees="Selon le barème national de la CAF (taux d'effort appliqué aux ressources de la famille).",
            keywords="crèche bébé garde enfant petite enfance place multi-accueil",
        ),
        service="Service Petite enfance",
    ),
    DemoSheet(
        "ccas.aide",
        True,
        SITIV,
        _c(
            "Aide au logement (APL, ALS)",
            question="Je voudrais une aide pour payer mon loyer.",
            answer="Les aides au logement ne sont pas versées par la mairie mais par la CAF (ou la MSA pour les "
            "agriculteurs). Faites une simulation puis la demande en ligne sur caf.fr, dès l'entrée dans le "
            "logement. En cas de difficulté avec la démarche en ligne, l'accueil peut vous accompagner ; pour "
            "une aide d'urgence, orientez vers le CCAS.",
            documents=(
                "Numéro d'allocataire et mot de passe CAF (ou création du compte)",
                "Bail ou attestation de loyer signée par le propriétaire",
                "Relevé d'identité bancaire",
            ),
            in_charge="CAF du Rhône",
            fees="Gratuit.",
            links=("Simulation et demande | https://www.caf.fr",),
            keywords="apl als aide logement loyer caf allocation",
        ),
        body="CAF du Rhône",
    ),
    DemoSheet(
        "autres",
        True,
        SITIV,
        _c(
            "Carte grise et permis de conduire",
            question="Où faire sa carte grise ou son permis de conduire ?",
            answer="Ces démarches ne se font plus en mairie ni au guichet de la préfecture : uniquement en ligne, sur "
            "le site de l'ANTS. Les « points numériques » de la préfecture et les France services aident les "
            "personnes qui n'ont pas d'ordinateur. Attention aux sites privés payants qui imitent l'ANTS.",
            documents=("Pièce d'identité", "Justificatif de domicile de moins de 6 mois", "Adresse électronique"),
            in_charge="Préfecture du Rhône / ANTS (en ligne)",
            fees="Selon la démarche : taxe régionale pour la carte grise ; permis gratuit sauf perte ou vol (25 €).",
            links=("Site officiel de l'ANTS | https://ants.gouv.fr",),
            keywords="carte grise immatriculation permis conduire ants préfecture",
        ),
        body=ANTS,
    ),
    DemoSheet(
        "technique.graffitis",
        False,
        "Services techniques",
        _c(
            "Enlèvement de graffitis",
            question="Des tags ont été faits sur ma façade : la ville peut-elle les enlever ?",
            answer="La ville enlève gratuitement les graffitis visibles depuis la voie publique, y compris sur les "
            "façades privées, avec l'accord écrit du propriétaire (ou du syndic). L'intervention a lieu en "
            "général sous 10 jours ouvrés ; les inscriptions injurieuses sont traitées en priorité.",
            documents=(
                "Autorisation d'intervention signée par le propriétaire ou le syndic",
                "Adresse précise et photo des graffitis",
            ),
            in_charge="Services techniques",
            where_when="Signalement à l'accueil, par téléphone ou en ligne ; l'autorisation se remplit à l'accueil.",
            fees="Gratuit.",
            keywords="tag graffiti façade nettoyage propreté",
        ),
        service="Services techniques",
    ),
    DemoSheet(
        "technique.espaces_verts",
        False,
        "Services techniques",
        _c(
            "Entretien des espaces verts (ancienne fiche)",
            answer="Remplacée par le signalement en ligne de la Métropole.",
            keywords="espaces verts tonte",
        ),
        service="Services techniques",
        archived=True,
    ),
)


def seed_knowledge(db: Database, *, seed: int = 2026, used_share: float = 0.5) -> int:
    """Add the demo sheets (once) and mark a share of the demo contacts of their themes as having used one.
    Returns the number of sheets added."""
    rng = random.Random(seed)
    now = clock.now()
    today = clock.local_day(now)
    with db.write() as s:
        if s.scalar(select(AnswerSheet.id).limit(1)) is not None:
            return 0
        commune = s.scalars(select(Commune).where(Commune.code == "VEN")).first() or s.scalars(select(Commune)).first()
        if commune is None:
            return 0
        themes = {t.code: t.id for t in s.scalars(select(Theme))}
        services = {
            x.name: x.id for x in s.scalars(select(MunicipalService).where(MunicipalService.commune_id == commune.id))
        }
        bodies = {b.name: b.id for b in s.scalars(select(ExternalBody))}
        by_theme: dict[uuid.UUID, list[uuid.UUID]] = {}
        for demo in SHEETS:
            if demo.theme not in themes:
                continue
            commune_id = None if demo.sitiv else commune.id
            content = SheetContent(
                **{**demo.content.__dict__, "service_id": services.get(demo.service), "body_id": bodies.get(demo.body)}
            )
            sheet = AnswerSheet(
                commune_id=commune_id, theme_id=themes[demo.theme], owner=demo.owner,
                review_on=today + timedelta(days=demo.review_in_days),
                archived_at=now if demo.archived else None, created_at=now - timedelta(days=400),
            )  # fmt: skip
            s.add(sheet)
            s.flush()
            last = None
            for number in range(1, demo.versions + 1):
                published = now - timedelta(days=30 + 200 * (demo.versions - number))
                earlier = content if number == demo.versions else _older(content)
                last = _version(sheet, earlier, number, SheetStatus.PUBLISHED, published, commune_id)
                s.add(last)
            if demo.draft:
                answer = f"{content.answer}\n\n{demo.draft}" if content.answer else demo.draft
                draft = _version(sheet, SheetContent(**{**content.__dict__, "answer": answer}), 0, SheetStatus.DRAFT,
                                 None, commune_id)  # fmt: skip
                draft.author = "Sophie Perrin"
                s.add(draft)
            s.flush()
            sheet.current_version_id = last.id if last else None
            if not demo.archived:
                by_theme.setdefault(sheet.theme_id, []).append(sheet.id)
        for contact in s.scalars(
            select(Contact).where(Contact.theme_id.in_(list(by_theme)), Contact.deleted_at.is_(None))
        ):
            if rng.random() < used_share:
                contact.sheet_id = rng.choice(by_theme[contact.theme_id])
        return len(SHEETS)


def _older(content: SheetContent) -> SheetContent:
    """An earlier, shorter wording: the first paragraph of the answer and one document fewer."""
    return SheetContent(
        **{**content.__dict__, "answer": content.answer.split("\n\n")[0], "documents": content.documents[:-1]}
    )


def _version(sheet: AnswerSheet, content: SheetContent, number: int, status: SheetStatus, published,  # noqa: ANN001
             commune_id: uuid.UUID | None) -> AnswerSheetVersion:  # fmt: skip
    return AnswerSheetVersion(
        sheet_id=sheet.id, commune_id=commune_id, number=number, status=status, title=content.title,
        question=content.question, answer=content.answer, documents="\n".join(content.documents),
        in_charge=content.in_charge, where_when=content.where_when, fees=content.fees, links="\n".join(content.links),
        keywords=content.keywords, service_id=content.service_id, body_id=content.body_id,
        author="Sophie Perrin" if commune_id else SITIV, published_at=published,
        published_by=("Sophie Perrin" if commune_id else SITIV) if published else "",
        search_text=sheet_search_text(content),
        created_at=published or clock.now(), updated_at=published or clock.now(),
    )  # fmt: skip
