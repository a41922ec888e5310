"""Guichet : l'application de l'accueil unique des mairies."""

__version__ = "0.1.0"
