"""Checks and normalisation of what agents type: French phone numbers, e-mail addresses."""

from __future__ import annotations

import re

from guichet.text import digits

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
_PHONE_CHARS = re.compile(r"^[+0-9 .\-/()]+$")
PHONE_MESSAGE = (
    "Numéro de téléphone non reconnu. Saisissez 10 chiffres commençant par 0 (ex. 06 12 34 56 78) "
    "ou un numéro international commençant par + (ex. +33 6 12 34 56 78)."
)
EMAIL_MESSAGE = "Adresse électronique non valable (ex. prenom.nom@exemple.fr)."


def normalize_phone(raw: str) -> str | None:
    """E.164 form of a French or international number typed in any common way, or None if it is not one.

    Accepted: "06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78",
    "0033 6 12 34 56 78", "+262 262 12 34 56" (overseas and foreign numbers keep their own prefix).
    """
    text = raw.strip()
    if not text or not _PHONE_CHARS.match(text):
        return None
    text = text.replace("(0)", "")
    nums = digits(text)
    if text.startswith("+"):
        international = nums
    elif nums.startswith("00"):
        international = nums[2:]
    elif len(nums) == 10 and nums[0] == "0" and nums[1] != "0":
        international = "33" + nums[1:]
    else:
        return None
    if international.startswith("33"):
        national = international[2:]
        if national.startswith("0"):  # "+33 06..." typed by habit
            national = national[1:]
        if len(national) != 9 or national[0] == "0":
            return None
        return "+33" + national
    # Country codes never start with 0: "+06 12..." is a national number with a stray "+", not a foreign one.
    if international.startswith("0") or not 8 <= len(international) <= 15:
        return None
    return "+" + international


def format_phone(e164: str) -> str:
    """How a number is shown: French numbers by pairs ("06 12 34 56 78"), others as stored."""
    if e164.startswith("+33") and len(e164) == 12:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return e164


def national_digits(e164: str) -> str:
    """Digits an agent would type for a French number ("0612345678"); foreign numbers without '+'."""
    if e164.startswith("+33"):
        return "0" + e164[3:]
    return e164.lstrip("+")


def normalize_email(raw: str) -> str | None:
    text = raw.strip()
    if not _EMAIL.match(text) or len(text) > 200 or ".." in text:
        return None
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"
