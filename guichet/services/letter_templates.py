"""Model answers with placeholders, filled in before a letter is written. Plain Python, no database.

Syntax of a model answer
------------------------
- ``{reference}`` is replaced by the value of the placeholder ``reference``; every name must be one of
  ``PLACEHOLDERS`` (a typo such as ``{date_limit}`` is refused, with the closest name suggested).
- ``{{`` and ``}}`` write a literal ``{`` and ``}``.
- Any other brace (``{`` never closed, ``}`` never opened, ``{date limite}`` with a space) is refused.
- Paragraphs are separated by a blank line; a single line break stays a line break inside its paragraph.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date

from guichet.services.errors import ValidationError

# name -> what it becomes, in French (shown to the supervisor who edits the model answers)
PLACEHOLDERS: dict[str, str] = {
    "civilite_nom": "Civilité et nom de famille du citoyen (« Madame Benali »)",
    "citoyen": "Prénom et nom du citoyen (« Aïcha Benali »)",
    "reference": "Référence de la demande (« VEN-HDV-2026-000123 »)",
    "date_demande": "Date à laquelle le citoyen a fait sa demande (« 22 novembre 2026 »)",
    "date_reception": "Date à laquelle la mairie a reçu la demande ou le courrier",
    "date_limite": "Date à laquelle une réponse est attendue au plus tard",
    "service": "Service municipal en charge de la demande (« Service État civil »)",
    "telephone_service": "Téléphone du service en charge (« 04 72 21 44 10 »)",
    "courriel_service": "Adresse électronique du service en charge, ou à défaut celle de la mairie",
    "objet": "Objet de la demande, tel qu'il a été enregistré",
    "agent": "Prénom et nom de l'agent qui rédige la réponse",
    "commune": "Nom de la commune (« Vénissieux »)",
    "date_du_jour": "Date du courrier (« 22 novembre 2026 »)",
}

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

_NAME = re.compile(r"[^\W\d]\w*")  # a letter or "_", then letters, digits, "_" (accents let us suggest a fix)
_BRACE = re.compile(r"[{}]")


def french_date(day: date) -> str:
    """The long French date: « 22 novembre 2026 », « 1er mars 2027 » (no locale needed)."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def _context(text: str, at: int) -> str:
    start, end = max(0, at - 20), min(len(text), at + 20)
    excerpt = " ".join(text[start:end].split())
    return f"{'…' if start else ''}{excerpt}{'…' if end < len(text) else ''}"


def _parse(text: str) -> list[str | tuple[str, int]]:
    """Literal chunks (str) and placeholders ((name, position)); raises ValidationError on a malformed brace."""
    parts: list[str | tuple[str, int]] = []
    i = 0
    while True:
        match = _BRACE.search(text, i)
        if match is None:
            parts.append(text[i:])
            return parts
        at = match.start()
        parts.append(text[i:at])
        brace = text[at]
        if text.startswith(brace * 2, at):  # "{{" or "}}": a literal brace
            parts.append(brace)
            i = at + 2
            continue
        if brace == "}":
            raise ValidationError(
                {"text": f"Accolade « }} » sans accolade ouvrante, près de « {_context(text, at)} ». "
                         "Pour écrire une accolade, doublez-la : « }} »."}
            )  # fmt: skip
        end = text.find("}", at + 1)
        reopened = text.find("{", at + 1)
        if end == -1 or -1 < reopened < end:
            raise ValidationError(
                {"text": f"Accolade « {{ » non fermée, près de « {_context(text, at)} ». "
                         "Un champ s'écrit entre accolades, par exemple {reference} ; "
                         "pour écrire une accolade, doublez-la : « {{ »."}
            )  # fmt: skip
        name = text[at + 1 : end]
        if not _NAME.fullmatch(name):
            raise ValidationError(
                {"text": f"« {{{name}}} » n'est pas un nom de champ valide (près de « {_context(text, at)} ») : "
                         "un champ s'écrit en un seul mot, sans espace, par exemple {date_limite}."}
            )  # fmt: skip
        parts.append((name, at))
        i = end + 1


def placeholders_used(text: str) -> list[str]:
    """The placeholder names a text uses, in order of first use, each once (raises on a malformed brace)."""
    seen: dict[str, None] = {}
    for part in _parse(text):
        if isinstance(part, tuple):
            seen.setdefault(part[0], None)
    return list(seen)


def _unknown_message(names: list[str]) -> str:
    listed = ", ".join("{" + n + "}" for n in names)
    message = f"Le champ {listed} n'existe pas." if len(names) == 1 else f"Les champs {listed} n'existent pas."
    close = {n: difflib.get_close_matches(n.lower(), PLACEHOLDERS, n=1, cutoff=0.6) for n in names}
    hints = [(n, c[0]) for n, c in close.items() if c]
    if len(names) == 1 and hints:
        message += f" Vouliez-vous dire {{{hints[0][1]}}} ?"
    elif hints:
        message += " Vouliez-vous dire " + ", ".join(f"{{{c}}} pour {{{n}}}" for n, c in hints) + " ?"
    return f"{message} Champs possibles : {', '.join('{' + n + '}' for n in PLACEHOLDERS)}."


def missing_values(text: str, values: Mapping[str, str]) -> list[str]:
    """Placeholders the text uses that have no value (absent or blank), in order of first use."""
    return [name for name in placeholders_used(text) if not str(values.get(name) or "").strip()]


def fill_template(text: str, values: Mapping[str, str], *, keep_missing: bool = False) -> str:
    """Replace each {placeholder} by its value; ``{{``/``}}`` become literal braces.

    Raises ValidationError (key "text", French message) for an unknown placeholder, a malformed brace, or
    a placeholder without a value (absent or blank) unless ``keep_missing``: then it stays written as
    ``{name}`` for the agent to complete by hand.
    """
    parts = _parse(text)
    names = list(dict.fromkeys(p[0] for p in parts if isinstance(p, tuple)))
    unknown = [n for n in names if n not in PLACEHOLDERS]
    if unknown:
        raise ValidationError({"text": _unknown_message(unknown)})
    missing = [n for n in names if not str(values.get(n) or "").strip()]
    if missing and not keep_missing:
        listed = ", ".join("{" + n + "}" for n in missing)
        which = "le champ" if len(missing) == 1 else "les champs"
        raise ValidationError(
            {"text": f"Valeur manquante pour {which} {listed} : complétez-la avant d'écrire le courrier."}
        )
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part[0] in missing:
            out.append("{" + part[0] + "}")
        else:
            out.append(str(values[part[0]]).strip())
    return "".join(out)


def paragraphs(text: str) -> tuple[str, ...]:
    """A text split into paragraphs on blank lines; the line breaks inside a paragraph are kept."""
    blocks = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return tuple(b.strip() for b in blocks if b.strip())


# How the citizen follows up a request: the box of the acknowledgement and of the phone confirmation.
ACKNOWLEDGEMENT_FOLLOW_UP = (
    "Pour suivre votre demande, rappelez sa référence {reference} :\n"
    "– à l'accueil de la mairie, aux heures d'ouverture ;\n"
    "– par téléphone, auprès de : {service}, au {telephone_service} ;\n"
    "– par courriel, à l'adresse {courriel_service}."
)

# theme code (parent theme of guichet.services.taxonomy.THEMES, "" for a theme without one) -> (title, body)
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "": (
        "Réponse à une demande",
        "Par votre demande du {date_demande}, reçue le {date_reception} et enregistrée sous la référence "
        "{reference}, vous nous avez sollicités au sujet de : {objet}.\n\n"
        "Après examen par le service en charge ({service}), j'ai le plaisir de vous informer qu'une suite "
        "favorable lui a été réservée ; ce service prendra contact avec vous pour en convenir des modalités.\n\n"
        "Pour toute précision, ce service se tient à votre disposition au {telephone_service} ou à l'adresse "
        "{courriel_service} ; il vous suffit de rappeler la référence {reference}.",
    ),
    "etat_civil": (
        "État civil – délivrance d'un acte",
        "Par votre demande du {date_demande}, enregistrée sous la référence {reference}, vous avez sollicité "
        "la délivrance d'un document d'état civil ({objet}).\n\n"
        "Vous trouverez ci-joint le document demandé. Je vous rappelle que la copie intégrale et l'extrait avec "
        "filiation d'un acte ne peuvent être délivrés qu'à la personne concernée, à ses ascendants ou "
        "descendants, à son conjoint ou partenaire de PACS, ou à son représentant légal.\n\n"
        "Si ce document comporte une erreur, je vous invite à le signaler sans délai au service en charge "
        "({service}, {telephone_service}), en rappelant la référence {reference}, afin qu'il soit rectifié.",
    ),
    "elections": (
        "Élections – suite donnée à votre demande",
        "Vous avez saisi le {date_demande} la mairie de {commune} d'une demande relative aux listes "
        "électorales ({objet}), enregistrée sous la référence {reference}.\n\n"
        "Votre demande a été instruite par le service en charge ({service}). Je vous informe que vous pouvez "
        "vérifier à tout moment votre situation électorale et votre bureau de vote sur le site service-public.fr, "
        "rubrique « Vérifier son inscription électorale ».\n\n"
        "Une nouvelle carte électorale vous sera adressée à votre domicile avant le prochain scrutin. "
        "Pour toute question, le service est joignable au {telephone_service}.",
    ),
    "scolaire": (
        "Éducation – suite donnée à votre demande",
        "Par votre demande du {date_demande}, enregistrée sous la référence {reference}, vous avez sollicité "
        "la Ville au sujet de la scolarité de votre enfant ({objet}).\n\n"
        "Votre dossier a été étudié par le service en charge ({service}). J'ai le plaisir de vous informer "
        "qu'il a reçu un avis favorable ; les informations pratiques (école, horaires, restauration et accueil "
        "périscolaire) vous seront adressées par courrier séparé.\n\n"
        "Les éventuelles pièces manquantes sont à déposer avant le {date_limite} à l'accueil de la mairie ou "
        "à adresser à {courriel_service}. Passé ce délai, votre demande ne pourrait être prise en compte "
        "pour la période demandée.",
    ),
    "petite_enfance": (
        "Petite enfance – suite donnée à votre demande",
        "Vous avez adressé le {date_demande} une demande relative à l'accueil de votre enfant ({objet}), "
        "enregistrée sous la référence {reference}.\n\n"
        "Votre demande a bien été prise en compte par : {service}. Les places en établissement d'accueil du "
        "jeune enfant sont attribuées par la commission d'attribution, selon des critères publics disponibles "
        "sur demande ; vous serez informé(e) par écrit de la décision qui vous concerne.\n\n"
        "Tout changement de situation (adresse, date d'entrée souhaitée, situation professionnelle) doit nous "
        "être signalé au {telephone_service} ou à l'adresse {courriel_service}, en rappelant la référence "
        "{reference}.",
    ),
    "ccas": (
        "CCAS – suite donnée à votre demande",
        "Vous avez sollicité le {date_demande} le Centre communal d'action sociale de {commune} ({objet}). "
        "Votre demande est enregistrée sous la référence {reference}.\n\n"
        "Afin d'étudier votre situation, un travailleur social vous recevra en entretien, en toute "
        "confidentialité. Je vous invite à prendre rendez-vous au {telephone_service} avant le {date_limite}, "
        "muni(e) de votre pièce d'identité, de vos justificatifs de ressources des trois derniers mois et de "
        "votre justificatif de domicile.\n\n"
        "Les informations que vous nous communiquez sont couvertes par le secret professionnel et ne "
        "servent qu'à l'instruction de votre demande.",
    ),
    "culture": (
        "Culture – suite donnée à votre demande",
        "Par votre message du {date_demande}, enregistré sous la référence {reference}, vous nous avez "
        "interrogés au sujet de : {objet}.\n\n"
        "Votre demande a été transmise au service en charge ({service}), qui vous apportera une réponse "
        "détaillée au plus tard le {date_limite}.\n\n"
        "Le programme des équipements culturels de la Ville est disponible à l'accueil de la mairie et sur le "
        "site internet de la commune. Le service reste joignable au {telephone_service}.",
    ),
    "sport_assos": (
        "Sports et vie associative – suite donnée à votre demande",
        "Vous avez saisi la Ville le {date_demande} d'une demande enregistrée sous la référence {reference} "
        "({objet}).\n\n"
        "Après examen par le service en charge ({service}), j'ai le plaisir de vous informer qu'une suite "
        "favorable a été donnée à votre demande, dans la limite des disponibilités et du règlement en vigueur.\n\n"
        "Les conventions de mise à disposition et les formulaires utiles peuvent être retirés à l'accueil de la "
        "mairie ou demandés à l'adresse {courriel_service}. Je vous remercie de bien vouloir nous retourner les "
        "documents signés avant le {date_limite}.",
    ),
    "technique": (
        "Services techniques – suite donnée à votre signalement",
        "Vous avez signalé le {date_demande} un problème sur l'espace public ({objet}). Votre signalement a "
        "été enregistré sous la référence {reference} et transmis à : {service}.\n\n"
        "Une intervention a été programmée ; elle devrait avoir lieu au plus tard le {date_limite}, sous "
        "réserve des conditions météorologiques. Si le problème relève de la Métropole de Lyon (voirie "
        "métropolitaine, collecte des déchets, eau), votre signalement lui a été transmis.\n\n"
        "Je vous remercie de votre vigilance, qui contribue à la qualité de notre cadre de vie.",
    ),
    "urbanisme": (
        "Urbanisme – suite donnée à votre demande",
        "Par votre demande du {date_demande}, reçue le {date_reception} et enregistrée sous la référence "
        "{reference}, vous avez sollicité : {objet}.\n\n"
        "Votre dossier est instruit par : {service}. Je vous rappelle que le délai d'instruction ne court qu'à "
        "compter de la réception d'un dossier complet ; si des pièces manquent, elles vous seront demandées "
        "par courrier et devront nous parvenir dans un délai de trois mois.\n\n"
        "Le service reçoit sur rendez-vous, au {telephone_service}. L'ensemble des formulaires Cerfa est "
        "disponible sur le site service-public.fr.",
    ),
    "police": (
        "Police municipale – suite donnée à votre demande",
        "Vous avez sollicité le {date_demande} la Police municipale de {commune} ({objet}). Votre demande est "
        "enregistrée sous la référence {reference}.\n\n"
        "Votre demande a été prise en compte par les agents de la Police municipale, qui effectueront les "
        "vérifications et les passages nécessaires. S'il s'agit d'une inscription à l'Opération Tranquillité "
        "Vacances, je vous remercie de signaler tout retour anticipé au {telephone_service}.\n\n"
        "En cas d'urgence, composez le 17 ou le 112.",
    ),
    "economie": (
        "Développement économique – suite donnée à votre demande",
        "Par votre courrier du {date_demande}, enregistré sous la référence {reference}, vous nous avez fait "
        "part de votre projet ({objet}).\n\n"
        "Votre demande a été confiée à : {service}, qui vous proposera un rendez-vous afin d'étudier avec vous "
        "les dispositifs d'accompagnement existants et les locaux disponibles sur la commune.\n\n"
        "Je vous invite à préparer pour cet entretien une présentation de votre activité et, le cas échéant, "
        "votre extrait Kbis. Le service est joignable au {telephone_service}.",
    ),
    "hygiene": (
        "Hygiène et santé – suite donnée à votre signalement",
        "Vous avez saisi le {date_demande} le service communal d'hygiène et de santé ({objet}). Votre demande "
        "est enregistrée sous la référence {reference}.\n\n"
        "Un inspecteur de salubrité prendra contact avec vous afin de convenir d'une visite du logement. "
        "Je vous remercie de tenir à sa disposition votre bail et, si vous en disposez, les échanges avec votre "
        "propriétaire ou votre bailleur.\n\n"
        "À l'issue de la visite, un rapport sera établi et, si nécessaire, transmis aux autorités compétentes. "
        "Pour toute question : {service}, {telephone_service}.",
    ),
    "emploi": (
        "Emploi – suite donnée à votre candidature",
        "Vous avez adressé le {date_demande} votre candidature à la Ville de {commune} ({objet}). "
        "Elle est enregistrée sous la référence {reference}.\n\n"
        "Votre candidature a retenu toute notre attention et a été transmise à : {service}. Si votre profil "
        "correspond à un besoin de nos services, vous serez contacté(e) pour un entretien ; à défaut, elle "
        "sera conservée pendant un an.\n\n"
        "Les offres d'emploi et de stage de la Ville sont publiées sur le site internet de la commune.",
    ),
    "suggestions": (
        "Réponse à votre réclamation ou suggestion",
        "Par votre courrier du {date_demande}, reçu le {date_reception} et enregistré sous la référence "
        "{reference}, vous avez porté à ma connaissance : {objet}.\n\n"
        "Je vous remercie d'avoir pris le temps de nous écrire. Votre message a été examiné avec attention et "
        "les vérifications nécessaires ont été menées auprès du service concerné.\n\n"
        "Je vous prie d'accepter nos excuses pour la gêne occasionnée. Les mesures utiles ont été prises afin "
        "qu'une telle situation ne se reproduise pas. Vos suggestions sont par ailleurs étudiées chaque "
        "trimestre par la Direction générale des services pour améliorer l'accueil des usagers.",
    ),
    "autres": (
        "Réponse à votre demande",
        "Par votre demande du {date_demande}, enregistrée sous la référence {reference}, vous avez sollicité "
        "la mairie de {commune} au sujet de : {objet}.\n\n"
        "Après examen, il apparaît que votre demande relève en partie de la compétence d'autres organismes. "
        "L'accueil de la mairie ({service}) vous communiquera leurs coordonnées et vous aidera dans vos "
        "démarches si vous le souhaitez.\n\n"
        "L'accueil de la mairie se tient à votre disposition pour tout renseignement complémentaire ; "
        "il vous suffit de rappeler la référence {reference}.",
    ),
}
