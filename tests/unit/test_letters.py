"""The letters of a request written as PDF and read back; the model answers and their placeholders."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from guichet.reports.letter_types import Letter, Letterhead, Recipient
from guichet.reports.letters import (
    acknowledgement_letter,
    answer_letter,
    closing_formula,
    phone_confirmation_letter,
    render_letter,
    salutation_for,
)
from guichet.services.errors import ValidationError
from guichet.services.letter_templates import (
    ACKNOWLEDGEMENT_FOLLOW_UP,
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    fill_template,
    french_date,
    missing_values,
    paragraphs,
    placeholders_used,
)
from guichet.services.taxonomy import THEMES

MM = 72 / 25.4
REFERENCE = "VEN-HDV-2026-000123"
HEAD = Letterhead(
    commune_name="Vénissieux",
    service_line="Direction de la relation aux usagers",
    address_lines=("Hôtel de ville", "5 avenue Marcel-Houël", "69631 Vénissieux Cedex"),
    phone="04 72 21 44 44",
    email="accueil@ville-venissieux.fr",
    website="www.ville-venissieux.fr",
    signatory_name="Nadia Rahmani",
    signatory_title="Pour le Maire, l'adjointe déléguée",
    footer="Toute correspondance doit être adressée à Monsieur le Maire",
)
BENALI = Recipient("Madame Aïcha Benali", ("14 rue Jules-Ferry", "69200 Vénissieux"))
VALUES = {
    "civilite_nom": "Madame Benali",
    "citoyen": "Aïcha Benali",
    "reference": REFERENCE,
    "date_demande": "18 novembre 2026",
    "date_reception": "20 novembre 2026",
    "date_limite": "4 décembre 2026",
    "service": "Service État civil",
    "telephone_service": "04 72 21 44 10",
    "courriel_service": "etat-civil@ville-venissieux.fr",
    "objet": "copie intégrale d'acte de naissance",
    "agent": "Sophie Perrin",
    "commune": "Vénissieux",
    "date_du_jour": "22 novembre 2026",
}


def _read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF")
    return PdfReader(io.BytesIO(pdf))


def _text(reader: PdfReader) -> str:
    # No-break spaces (French typography) read as plain spaces; lines joined, so wrapping does not matter here.
    return " ".join(p.extract_text().replace("\u00a0", " ") for p in reader.pages).replace("\n", " ")


def _acknowledgement(**changes) -> Letter:  # noqa: ANN003
    args = {
        "letterhead": HEAD, "recipient": BENALI, "civility": "Madame", "reference": REFERENCE,
        "subject": "Demande de copie intégrale d'acte de naissance", "received_on": date(2026, 11, 20),
        "requested_on": date(2026, 11, 18), "service_name": "Service État civil", "service_phone": "04 72 21 44 10",
        "service_email": "etat-civil@ville-venissieux.fr", "expected_answer_on": date(2026, 12, 4),
        "letter_date": date(2026, 11, 22),
    }  # fmt: skip
    return acknowledgement_letter(**{**args, **changes})


def _answer(body: str, **changes) -> Letter:  # noqa: ANN003
    args = {
        "letterhead": HEAD, "recipient": BENALI, "civility": "Madame", "reference": REFERENCE,
        "subject": "Votre demande d'acte de naissance", "body": body, "letter_date": date(2026, 11, 22),
    }  # fmt: skip
    return answer_letter(**{**args, **changes})


# --- Dates ------------------------------------------------------------------------------------------------


def test_french_long_dates_without_locale():
    assert french_date(date(2026, 11, 22)) == "22 novembre 2026"
    assert french_date(date(2027, 3, 1)) == "1er mars 2027"
    assert french_date(date(2026, 8, 15)) == "15 août 2026"
    assert french_date(date(2026, 2, 9)) == "9 février 2026"
    assert french_date(date(2026, 12, 31)) == "31 décembre 2026"


# --- The three letters, read back -----------------------------------------------------------------------


def test_acknowledgement_reads_back_in_french_on_one_page():
    reader = _read(render_letter(_acknowledgement()))
    text = _text(reader)
    assert len(reader.pages) == 1
    for words in ("Accusé de réception", REFERENCE, "Madame Aïcha Benali", "14 rue Jules-Ferry",
                  "Vénissieux, le 22 novembre 2026", "Nos références : VEN-HDV-2026-000123",
                  "Objet : Demande de copie intégrale d'acte de naissance", "Madame,",
                  "Votre demande du 18 novembre 2026, reçue le 20 novembre 2026",
                  "Service État civil (04 72 21 44 10, etat-civil@ville-venissieux.fr)",
                  "au plus tard le 4 décembre 2026", "rappelez sa référence VEN-HDV-2026-000123",
                  "à l'accueil de la mairie", "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées.",
                  "Pour le Maire, l'adjointe déléguée", "Nadia Rahmani", "Direction de la relation aux usagers",
                  "Toute correspondance doit être adressée à Monsieur le Maire"):  # fmt: skip
        assert words in text, words
    assert "Page 1/1" not in text and "Page " not in text  # a page number only when there are several
    assert reader.metadata.title == f"Accusé de réception — {REFERENCE}"
    assert reader.metadata.author == "Vénissieux"
    assert reader.metadata.subject == "Demande de copie intégrale d'acte de naissance"
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4
    assert reader.pages[0].mediabox.height == pytest.approx(841.89, abs=0.1)


def test_acknowledgement_without_answer_date_nor_own_letter_date():
    letter = _acknowledgement(requested_on=None, expected_answer_on=None, service_phone="", service_email="")
    text = _text(_read(render_letter(letter)))
    assert "Votre demande, reçue le 20 novembre 2026, a bien été enregistrée" in text
    assert "dans les meilleurs délais" in text
    assert "au 04 72 21 44 44" in text and "accueil@ville-venissieux.fr" in text  # the letterhead's contact


def test_phone_confirmation_says_what_was_asked():
    letter = phone_confirmation_letter(
        letterhead=HEAD, recipient=Recipient("Monsieur Jean-Pierre N'Diaye", ("3 place Léon-Sublet", "69200 Vénissieux")),
        civility="Monsieur", reference="VEN-HDV-2026-000124", called_on=date(2026, 11, 1),
        request_summary="Enlèvement de graffitis, 12 avenue Jean-Jaurès", service_name="Services techniques",
        service_phone="04 72 21 44 80", letter_date=date(2026, 11, 3), expected_answer_on=date(2026, 11, 17),
    )  # fmt: skip
    assert letter.subject == "Confirmation écrite de votre demande téléphonique du 1er novembre 2026"
    text = _text(_read(render_letter(letter)))
    for words in ("Confirmation écrite de votre demande téléphonique du 1er novembre 2026", "VEN-HDV-2026-000124",
                  "« Enlèvement de graffitis, 12 avenue Jean-Jaurès »", "Services techniques (04 72 21 44 80)",
                  "au plus tard le 17 novembre 2026", "Monsieur Jean-Pierre N'Diaye", "Monsieur,",
                  "Vénissieux, le 3 novembre 2026"):  # fmt: skip
        assert words in text, words


def test_answer_letter_splits_paragraphs_on_blank_lines():
    body = fill_template("Première phrase ({reference}).\n\n  \nDeuxième ligne 1\nligne 2\n\nFin.", VALUES)
    letter = _answer(body, civility="", enclosure="Copie intégrale", handled_by="Sophie Perrin")
    assert letter.paragraphs == (f"Première phrase ({REFERENCE}).", "Deuxième ligne 1\nligne 2", "Fin.")
    assert letter.salutation == "Madame, Monsieur," == salutation_for("")
    assert letter.closing == closing_formula("") and "Madame, Monsieur," in letter.closing
    text = _text(_read(render_letter(letter)))
    assert "P. J. : Copie intégrale" in text and "Affaire suivie par : Sophie Perrin" in text


def test_answer_letter_refuses_what_is_left_to_fill():
    body = fill_template("Réponse attendue avant le {date_limite}.", {}, keep_missing=True)
    with pytest.raises(ValidationError) as error:
        _answer(body)
    assert "{date_limite}" in error.value.errors["body"]
    with pytest.raises(ValidationError, match="vide"):
        _answer(" \n\n ")


def test_accents_euro_and_user_text_are_escaped():
    body = ("Les frais s'élèvent à 25 € : « à côté », garçon, hôte, cœur, Noël, père.\n\n"
            "Mention <b>non interprétée</b> & <script> ; 3 < 4 && 5 > 2.")  # fmt: skip
    letter = _answer(
        body,
        recipient=Recipient("Madame Ève Lœb & <Fils>", ("Résidence « Les Érables »",)),
        subject="Objet : Réclamation <urgente> & relance",
    )
    reader = _read(render_letter(letter))
    text = _text(reader)
    for words in ("25 € : « à côté », garçon, hôte, cœur, Noël, père.",
                  "Mention <b>non interprétée</b> & <script> ; 3 < 4 && 5 > 2.",
                  "Madame Ève Lœb & <Fils>", "Résidence « Les Érables »",
                  "Objet : Réclamation <urgente> & relance"):  # fmt: skip
        assert words in text, words
    assert "Objet : Objet" not in text
    for char in "éèàçôœ«»€":
        assert char in text


def test_long_letter_flows_onto_a_second_page_with_page_numbers():
    blocks = [
        f"Paragraphe numéro {i:02d}. " + "Ce texte administratif remplit la page peu à peu. " * 6 for i in range(10)
    ]
    reader = _read(render_letter(_answer("\n\n".join(blocks))))
    assert len(reader.pages) == 2
    pages = [p.extract_text().replace("\u00a0", " ") for p in reader.pages]
    assert "Page 1/2" in pages[0] and "Page 2/2" in pages[1]
    text = _text(reader)
    for i in range(10):
        assert text.count(f"Paragraphe numéro {i:02d}.") == 1  # nothing lost nor printed twice
    assert "Nadia Rahmani" in pages[1]  # the closing formula and the signature stay together at the end
    assert f"Nos références : {REFERENCE}" in pages[1]  # reminded at the top of the next pages


def test_very_long_letter_and_long_box():
    blocks = ["Un paragraphe. " * 80] * 12
    letter = replace(_answer("\n\n".join(blocks)), follow_up="\n".join(f"Ligne {i} du cadre" for i in range(90)))
    reader = _read(render_letter(letter))
    n = len(reader.pages)
    assert n >= 4
    for i, page in enumerate(reader.pages, start=1):
        assert f"Page {i}/{n}" in page.extract_text()
    assert "Ligne 89 du cadre" in _text(reader)


def test_bundled_dejavu_embedded_never_helvetica():
    pdf = render_letter(_acknowledgement())  # it has every kind of text: bold, box, footer
    assert b"Helvetica" not in pdf  # not even an unused font object (reportlab writes font dictionaries in clear)
    fonts = set()
    for page in _read(pdf).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType"
            assert "/FontFile2" in font["/FontDescriptor"].get_object()  # the TrueType program is embedded
            fonts.add(str(font["/BaseFont"]).split("+")[-1])  # subset fonts are named "ABCDEF+DejaVuSans"
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}


def test_recipient_sits_in_the_window_of_a_dl_envelope():
    reader = _read(render_letter(_acknowledgement()))
    found = {}

    def visit(text, cm, tm, font, size):  # noqa: ANN001
        if text.strip():  # where the text starts on the page: text matrix, then transformation matrix
            x, y = tm[4], tm[5]
            found.setdefault(text.strip(), (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]))

    reader.pages[0].extract_text(visitor_text=visit)
    x, y = found["Madame Aïcha Benali"]
    top_mm = (float(reader.pages[0].mediabox.height) - y) / MM
    assert 105 <= x / MM <= 115
    assert 45 <= top_mm <= 60
    last_x, last_y = found["69200 Vénissieux"]
    assert (float(reader.pages[0].mediabox.height) - last_y) / MM < 92  # still inside the window


def test_without_recipient_nor_logo_file():
    head = replace(HEAD, logo_path="/nonexistent/logo.png", commune_name="Saint-Fons")
    letter = replace(_acknowledgement(letterhead=head), recipient=None)
    text = _text(_read(render_letter(letter)))
    assert "Saint-Fons" in text  # the name stands in for the missing logo
    assert "Madame Aïcha Benali" not in text


def test_overlong_letterhead_and_address_are_shrunk_not_spilled():
    head = replace(HEAD, address_lines=tuple(f"Ligne d'adresse {i}" for i in range(25)))
    recipient = Recipient("Madame Aïcha Benali", tuple(f"Ligne {i}" for i in range(15)))
    reader = _read(render_letter(_acknowledgement(letterhead=head, recipient=recipient)))
    assert len(reader.pages) == 1
    assert "Ligne d'adresse 24" in _text(reader)


# --- Placeholders and model answers -------------------------------------------------------------------------


def test_placeholders_listed_with_french_descriptions():
    required = {"civilite_nom", "citoyen", "reference", "date_demande", "date_reception", "date_limite", "service",
                "objet", "agent", "commune", "date_du_jour"}  # fmt: skip
    assert required <= set(PLACEHOLDERS)
    assert all(description.strip() for description in PLACEHOLDERS.values())
    assert set(VALUES) == set(PLACEHOLDERS)


def test_fill_template_replaces_and_keeps_double_braces_literal():
    text = "{civilite_nom}, votre dossier {reference} ({{reference}}) : {{ }} {service}."
    assert fill_template(text, VALUES) == (
        f"Madame Benali, votre dossier {REFERENCE} ({{reference}}) : {{ }} Service État civil."
    )
    assert placeholders_used(text) == ["civilite_nom", "reference", "service"]
    assert fill_template("Sans champ.", {}) == "Sans champ."


def test_unknown_placeholder_is_named_in_french_with_a_suggestion():
    with pytest.raises(ValidationError) as error:
        fill_template("Avant le {date_limit}, {citoyen}.", VALUES)
    message = error.value.errors["text"]
    assert "Le champ {date_limit} n'existe pas" in message
    assert "Vouliez-vous dire {date_limite} ?" in message
    assert str(error.value) == message
    with pytest.raises(ValidationError) as error:
        fill_template("{nom} {référence} {reference}", VALUES)
    message = error.value.errors["text"]
    assert message.startswith("Les champs {nom}, {référence} n'existent pas. Vouliez-vous dire {reference} pour ")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Référence {reference", "Accolade « { » non fermée"),
        ("Référence {reference {date_limite}", "Accolade « { » non fermée"),
        ("Référence reference}", "Accolade « } » sans accolade ouvrante"),
        ("Avant le {date limite}", "« {date limite} » n'est pas un nom de champ valide"),
        ("Vide {}", "« {} » n'est pas un nom de champ valide"),
    ],
)
def test_malformed_braces_are_refused_in_french(text, words):
    with pytest.raises(ValidationError) as error:
        fill_template(text, VALUES)
    assert words in error.value.errors["text"]
    with pytest.raises(ValidationError):
        missing_values(text, VALUES)


def test_missing_values_listed_refused_or_kept():
    text = "{citoyen} : réponse avant le {date_limite}, référence {reference}, {date_limite}."
    values = {"citoyen": "Aïcha Benali", "reference": "  "}
    assert missing_values(text, values) == ["date_limite", "reference"]  # blank counts as missing
    with pytest.raises(ValidationError) as error:
        fill_template(text, values)
    assert error.value.errors["text"].startswith("Valeur manquante pour les champs {date_limite}, {reference}")
    kept = fill_template(text, values, keep_missing=True)
    assert kept == "Aïcha Benali : réponse avant le {date_limite}, référence {reference}, {date_limite}."


def test_every_parent_theme_has_a_default_template_that_fills():
    assert {code for code, *_ in THEMES} | {""} == set(DEFAULT_TEMPLATES)
    for code, (title, body) in DEFAULT_TEMPLATES.items():
        assert title.strip(), code
        assert placeholders_used(body), code
        assert missing_values(body, VALUES) == []
        filled = fill_template(body, VALUES)
        assert "{" not in filled and "}" not in filled, code
        assert REFERENCE in filled, code
        assert len(paragraphs(filled)) >= 2, code
        letter = _answer(filled, subject=title)
        assert len(_read(render_letter(letter)).pages) == 1, code


def test_acknowledgement_follow_up_fills():
    filled = fill_template(ACKNOWLEDGEMENT_FOLLOW_UP, VALUES)
    assert REFERENCE in filled and "04 72 21 44 10" in filled and "etat-civil@ville-venissieux.fr" in filled
    with pytest.raises(ValidationError, match="telephone_service"):
        _acknowledgement(letterhead=replace(HEAD, phone=""), service_phone="")
    assert _acknowledgement(follow_up="").follow_up == ""
