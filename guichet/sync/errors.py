"""What can go wrong with the central database, each with a French message fit for the status bar."""

from __future__ import annotations

import re

import psycopg

from guichet.sync.tables import TABLE_LABELS


class SyncError(Exception):
    """Base of the sync errors; ``str(error)`` is French text for a person."""


class ConfigError(SyncError):
    """The settings or the keyring do not allow to connect (nothing will change until someone fixes them)."""


class OfflineError(SyncError):
    """The central database cannot be reached, or the connection broke: try again later, nothing is lost."""


class TransientError(SyncError):
    """The central database asked to try again (lock, deadlock, restart): not the batch's fault."""


class SchemaRefusedError(SyncError):
    """The central database does not accept this site's schema revision: the software must be updated."""


class RejectedError(SyncError):
    """The central database refused the data of a batch."""


_TRANSIENT_CLASSES = ("40", "53", "55", "57", "58", "08", "XX")
_TABLE_IN_MESSAGE = re.compile(r'(?:table|relation) "([a-z_]+)"')


def _table_label(error: psycopg.Error) -> str:
    diag = error.diag
    name = diag.table_name or ""
    if not name:
        found = _TABLE_IN_MESSAGE.search(diag.message_primary or str(error))
        name = found.group(1) if found else ""
    return TABLE_LABELS.get(name, f"la table {name}" if name else "cette donnée")


def translate(error: psycopg.Error) -> SyncError:
    """The psycopg error as one of ours, with a French reason."""
    if isinstance(error, psycopg.OperationalError) and error.sqlstate is None:
        text = str(error)
        if "password authentication failed" in text or "no password supplied" in text:
            return ConfigError(
                "Le serveur central refuse l'identifiant ou le mot de passe de ce site : vérifiez le rôle des "
                "réglages [sync] et le mot de passe enregistré dans le trousseau du système."
            )
        if "SSL" in text and ("required" in text or "certificate" in text or "verify" in text):
            return ConfigError(
                "La connexion chiffrée (TLS) avec le serveur central n'a pas pu être établie ou son certificat n'a "
                f"pas pu être vérifié : la synchronisation refuse de continuer sans chiffrement ({text.strip()})."
            )
        if "does not exist" in text:
            return ConfigError(f"Le serveur central ne connaît pas ce rôle ou cette base ({text.strip()}).")
        return OfflineError(
            "Connexion au serveur central perdue ou impossible ; nouvel essai plus tard, rien n'est perdu."
        )
    state = error.sqlstate or ""
    message = error.diag.message_primary or str(error).strip()
    if state == "GSV01":
        return SchemaRefusedError(message)
    if state in ("28P01", "28000"):
        return ConfigError(
            "Le serveur central refuse l'identifiant ou le mot de passe de ce site : vérifiez le rôle des "
            "réglages [sync] et le mot de passe enregistré dans le trousseau du système."
        )
    if state.startswith(_TRANSIENT_CLASSES):
        return TransientError(f"Le serveur central demande de réessayer plus tard ({message}).")
    label = _table_label(error)
    if state == "42501":
        return RejectedError(
            f"Le serveur central refuse l'écriture : les droits de ce site ne permettent pas de modifier {label}."
        )
    if state == "23503":
        return RejectedError(f"Le serveur central ne connaît pas une donnée à laquelle renvoie {label}.")
    if state == "23505":
        return RejectedError(
            f"Le serveur central a déjà une donnée avec les mêmes valeurs uniques que {label} ({message})."
        )
    if state.startswith(("22", "23")):
        return RejectedError(f"Le serveur central refuse {label} : donnée invalide ({message}).")
    return RejectedError(f"Le serveur central refuse ce lot ({message}).")
