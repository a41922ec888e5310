"""PySide6 screens. Widgets see services and their dataclasses only, never a Session or an ORM object."""
