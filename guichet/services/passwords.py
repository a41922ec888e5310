"""The password policy of agents' accounts, and the rule for the short unlock codes (PIN) of a PC.

Stated once here; the README quotes it. A password (set or changed) must:

- have at least 12 characters;
- not be, nor contain, the login (nor the agent's first or last name, when given);
- not be a common password (a short list: the towns' names, "motdepasse", "azerty"... with digits and
  punctuation around them);
- mix at least 3 of the 4 kinds of characters (lower case, upper case, digits, others), unless it is a
  passphrase of at least 20 characters.

A PIN is 4 to 6 digits, neither one digit repeated ("0000") nor a run ("1234", "987654").
"""

from __future__ import annotations

import re

from guichet.text import fold

MIN_LENGTH = 12
PASSPHRASE_LENGTH = 20
PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")

# Checked on the letters alone, folded: "Azerty2026!" and "azerty" are the same guess.
COMMON_PASSWORDS = frozenset(
    {
        "password", "motdepasse", "azerty", "azertyuiop", "qwerty", "qwertyuiop", "soleil", "bonjour", "bonsoir",
        "admin", "administrateur", "administrator", "root", "changeme", "welcome", "bienvenue", "secret",
        "doudou", "chouchou", "loulou", "marseille", "paris", "lyon", "france", "iloveyou", "jetaime", "abc",
        "abcdef", "abcdefgh", "test", "user", "utilisateur", "guichet", "mairie", "accueil", "sitiv", "agent",
        "superviseur", "givors", "grigny", "pierrebenite", "rivedegier", "vaulxenvelin", "venissieux",
        "hoteldeville", "mairieannexe", "printemps", "ete", "automne", "hiver", "janvier", "fevrier", "mars",
        "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre",
    }
)  # fmt: skip
COMMON_DIGITS = frozenset({"123456789012", "000000000000", "111111111111", "123123123123", "012345678901"})

POLICY_TEXT = (
    "Au moins 12 caractères, différent de l'identifiant et des mots de passe courants, avec au moins 3 sortes "
    "de caractères parmi minuscules, majuscules, chiffres et autres signes — ou une phrase d'au moins 20 caractères."
)


def _classes(password: str) -> int:
    lower = any(c.isalpha() and c.islower() for c in password)
    upper = any(c.isalpha() and c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not c.isalnum() for c in password)
    return lower + upper + digit + other


def check_password_policy(password: str, login: str, *, names: tuple[str, ...] = ()) -> list[str]:
    """The French reasons why ``password`` breaks the policy (empty: it is accepted)."""
    reasons: list[str] = []
    if len(password) < MIN_LENGTH:
        reasons.append(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères ({len(password)} saisis).")
    if password != password.strip():
        reasons.append("Le mot de passe ne doit ni commencer ni finir par une espace.")
    folded = fold(password).replace(" ", "")
    letters = "".join(c for c in folded if c.isalpha())
    personal = [fold(x).replace(" ", "") for x in (login, *names)]
    if any(len(p) >= 3 and p in folded for p in personal):
        reasons.append("Le mot de passe ne doit contenir ni l'identifiant ni le nom de l'agent.")
    if letters in COMMON_PASSWORDS or folded in COMMON_PASSWORDS or password in COMMON_DIGITS:
        reasons.append("Ce mot de passe est trop courant : il figure parmi les premiers essayés.")
    if len(password) < PASSPHRASE_LENGTH and _classes(password) < 3:
        reasons.append(
            "Mélangez au moins 3 sortes de caractères (minuscules, majuscules, chiffres, autres signes), "
            f"ou choisissez une phrase d'au moins {PASSPHRASE_LENGTH} caractères."
        )
    return reasons


def check_pin(pin: str) -> list[str]:
    """The French reasons why ``pin`` is not a valid unlock code (empty: it is accepted)."""
    if not PIN_PATTERN.match(pin):
        return ["Le code PIN compte 4 à 6 chiffres, sans autre signe."]
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {-1}):
        return ["Ce code est trop facile à deviner (chiffre répété ou suite) : choisissez-en un autre."]
    return []
