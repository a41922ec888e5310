"""Typed settings, read from guichet.toml in the platform's config directory."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import platformdirs

from guichet.hub.settings import HubSettings
from guichet.notify.settings import SmsSettings, SmtpSettings
from guichet.rgpd_settings import RgpdSettings

APP_NAME = "guichet"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class UiSettings:
    font_size: int = 11  # points; raised for the kiosk and the call screen
    journal_refresh_s: int = 30
    lock_after_min: int = 5  # the desk locks itself after this many minutes without a key or a click; 0: never


@dataclass(frozen=True)
class PrinterSettings:
    """The thermal printer of this PC (kiosk or desk), from the ``[printer]`` table of guichet.toml.

    ``backend``: "none", "network" (``host``, ``port``), "usb" (``usb_vendor_id``, ``usb_product_id``),
    "serial" (``serial_device``, ``serial_baudrate``), "windows" or "cups" (``printer_name``), "file"
    (``file_path``: a file to append to, a device such as /dev/usb/lp0, or a folder for one file per job).
    ``key`` names this printer in the print jobs: the kiosk's tickets are queued for it.
    """

    backend: str = "none"
    key: str = "kiosque"
    host: str = ""
    port: int = 9100
    usb_vendor_id: int | None = None
    usb_product_id: int | None = None
    serial_device: str = ""
    serial_baudrate: int = 19200
    printer_name: str = ""
    file_path: str = ""
    paper_mm: int = 80  # 58 or 80
    code_page: str = "CP858"
    timeout_s: float = 3.0  # every wait on the printer: connect, send, status reply
    status_check: bool = True  # the printer answers DLE EOT (see guichet.printing.backends)
    native_qr: bool = False  # QR codes drawn by the printer (GS ( k) instead of sent as an image
    logo: str = ""  # a 1-bit PNG; "" = resources/logo/commune.png; "none" = no logo
    footer: str = ""

    @classmethod
    def from_toml(cls, raw: dict) -> PrinterSettings:
        base = cls()

        def optional_int(name: str) -> int | None:
            return int(raw[name]) if raw.get(name) not in (None, "") else None

        settings = cls(
            backend=str(raw.get("backend", base.backend)).strip().lower(),
            key=str(raw.get("key", base.key)).strip() or base.key,
            host=str(raw.get("host", "")).strip(),
            port=int(raw.get("port", base.port)),
            usb_vendor_id=optional_int("usb_vendor_id"),
            usb_product_id=optional_int("usb_product_id"),
            serial_device=str(raw.get("serial_device", "")),
            serial_baudrate=int(raw.get("serial_baudrate", base.serial_baudrate)),
            printer_name=str(raw.get("printer_name", "")),
            file_path=str(raw.get("file_path", "")),
            paper_mm=int(raw.get("paper_mm", base.paper_mm)),
            code_page=str(raw.get("code_page", base.code_page)).strip().upper(),
            timeout_s=float(raw.get("timeout_s", base.timeout_s)),
            status_check=bool(raw.get("status_check", base.status_check)),
            native_qr=bool(raw.get("native_qr", base.native_qr)),
            logo=str(raw.get("logo", "")),
            footer=str(raw.get("footer", "")),
        )
        if settings.paper_mm not in (58, 80):
            raise ValueError(f"[printer] paper_mm : {settings.paper_mm} mm n'est pas une largeur connue (58 ou 80).")
        if not 0 < settings.timeout_s <= 60:
            raise ValueError("[printer] timeout_s : donnez un délai en secondes, entre 0 et 60.")
        return settings


@dataclass(frozen=True)
class SyncSettings:
    """Replication with SITIV's central database, from the ``[sync]`` table of guichet.toml.

    ``central_url``: ``postgresql://ROLE@HOST:PORT/DATABASE``, never with a password: the password of ROLE lives
    in the OS keyring (service "guichet-sync", user ROLE). ``site_code`` ("VEN-HDV") is checked against the site
    the role stands for. ``tls``: "auto" (certificate checked, ``verify-full``, except on loopback), "verify-full",
    "verify-ca", "require" or "disable"; ``ca_file``: the SITIV certificate authority for the checks.
    """

    central_url: str = ""
    site_code: str = ""
    interval_s: float = 5.0  # between rounds while online; offline, the wait grows up to max_backoff_s
    max_backoff_s: float = 300.0
    tls: str = "auto"
    ca_file: str = ""
    batch_size: int = 500  # outbox rows per batch
    timeout_s: float = 30.0  # longest wait on the network for one step (a batch, a page)

    @classmethod
    def from_toml(cls, raw: dict) -> SyncSettings:
        base = cls()
        settings = cls(
            central_url=str(raw.get("central_url", "")).strip(),
            site_code=str(raw.get("site_code", "")).strip().upper(),
            interval_s=float(raw.get("interval_s", base.interval_s)),
            max_backoff_s=float(raw.get("max_backoff_s", base.max_backoff_s)),
            tls=str(raw.get("tls", base.tls)).strip().lower(),
            ca_file=str(raw.get("ca_file", "")).strip(),
            batch_size=int(raw.get("batch_size", base.batch_size)),
            timeout_s=float(raw.get("timeout_s", base.timeout_s)),
        )
        if settings.tls not in ("auto", "verify-full", "verify-ca", "require", "disable"):
            raise ValueError(
                f"[sync] tls : « {settings.tls} » n'est pas reconnu (auto, verify-full, verify-ca, require, disable)."
            )
        if settings.central_url and not settings.central_url.startswith(("postgresql://", "postgres://")):
            raise ValueError("[sync] central_url : donnez une adresse de la forme postgresql://ROLE@SERVEUR/BASE.")
        if _has_password(settings.central_url):
            raise ValueError(
                "[sync] central_url : le mot de passe ne doit pas figurer dans les réglages ; "
                "enregistrez-le dans le trousseau du système avec « guichet sync --store-password »."
            )
        if not 1 <= settings.batch_size <= 10_000 or settings.interval_s <= 0 or settings.timeout_s <= 0:
            raise ValueError("[sync] batch_size, interval_s et timeout_s doivent être positifs (batch_size ≤ 10 000).")
        return settings


def _lock_after(value: object) -> int:
    minutes = int(value)  # type: ignore[call-overload]
    if not 0 <= minutes <= 240:
        raise ValueError(
            "[ui] lock_after_min : donnez un nombre de minutes entre 1 et 240, ou 0 pour ne jamais verrouiller."
        )
    return minutes


def _has_password(url: str) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.password is not None or "password" in parse_qs(parts.query)


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=lambda: data_dir() / "guichet.sqlite3")
    # The site and counter this PC stands for (the kiosk and the call screen need them).
    site_code: str = ""
    counter_number: int | None = None
    ui: UiSettings = field(default_factory=UiSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)  # answers to citizens by e-mail
    sms: SmsSettings = field(default_factory=SmsSettings)  # answers to citizens by SMS
    rgpd: RgpdSettings = field(default_factory=RgpdSettings)  # how long personal data is kept
    hub: HubSettings = field(default_factory=HubSettings)  # the site's hub: used by this PC, or served by it
    # The file these settings were read from (or would be: it may not exist); None when built in code.
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Settings from the TOML file, defaults for whatever it does not say (or if it does not exist)."""
        path = path or config_dir() / "guichet.toml"
        if not path.exists():
            return cls(path=path)
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
                lock_after_min=_lock_after(ui.get("lock_after_min", base.ui.lock_after_min)),
            ),
            printer=PrinterSettings.from_toml(raw.get("printer", {})),
            sync=SyncSettings.from_toml(raw.get("sync", {})),
            smtp=SmtpSettings.from_toml(raw.get("smtp", {})),
            sms=SmsSettings.from_toml(raw.get("sms", {})),
            rgpd=RgpdSettings.from_toml(raw.get("rgpd", {})),
            hub=HubSettings.from_toml(raw.get("hub", {})),
            path=path,
        )
