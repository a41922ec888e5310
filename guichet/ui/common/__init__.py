"""Pieces shared by the screens: style, messages, search fields."""
