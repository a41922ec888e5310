"""Typed settings, read from guichet.toml in the platform's config directory."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "guichet"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class UiSettings:
    font_size: int = 11  # points; raised for the kiosk and the call screen
    journal_refresh_s: int = 30


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=lambda: data_dir() / "guichet.sqlite3")
    # The site and counter this PC stands for (the kiosk and the call screen need them).
    site_code: str = ""
    counter_number: int | None = None
    ui: UiSettings = field(default_factory=UiSettings)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Settings from the TOML file, defaults for whatever it does not say (or if it does not exist)."""
        path = path or config_dir() / "guichet.toml"
        if not path.exists():
            return cls()
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        ui = raw.get("ui", {})
        base = cls()
        return cls(
            db_path=Path(raw["db_path"]).expanduser() if "db_path" in raw else base.db_path,
            site_code=str(raw.get("site_code", "")),
            counter_number=int(raw["counter_number"]) if "counter_number" in raw else None,
            ui=UiSettings(
                font_size=int(ui.get("font_size", base.ui.font_size)),
                journal_refresh_s=int(ui.get("journal_refresh_s", base.ui.journal_refresh_s)),
            ),
        )
