"""The ``[hub]`` table of guichet.toml: this PC works through the site's hub, or is the hub."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PORT = 8765
KEYRING_SERVICE = "guichet-hub"  # the PC's token, under the hub's address


@dataclass(frozen=True)
class HubSettings:
    """``url``: the hub this PC uses (``10.0.0.5`` or ``http://10.0.0.5:8765``); empty on a one-PC site and on the
    hub itself. ``listen``: where ``guichet hub serve`` listens (the hub's PC). ``printers``: the site's other
    printers the hub prints on (tables ``[hub.printers.<key>]`` with the same entries as ``[printer]``), beside
    its own ``[printer]``. ``outbox``: where a desk keeps contacts typed while the hub is out of reach
    (default: a folder beside the settings' database path)."""

    url: str = ""
    listen: str = f"0.0.0.0:{DEFAULT_PORT}"
    printers: tuple = ()  # PrinterSettings
    outbox: str = ""

    @classmethod
    def from_toml(cls, raw: dict) -> HubSettings:
        from guichet.config import PrinterSettings

        printers = []
        for key, table in dict(raw.get("printers", {})).items():
            printers.append(PrinterSettings.from_toml({**table, "key": table.get("key", key)}))
        listen = str(raw.get("listen", cls.listen)).strip() or cls.listen
        host, _, port = listen.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(
                f"[hub] listen : « {listen} » : donnez une adresse et un port, ex. 0.0.0.0:{DEFAULT_PORT}."
            )
        return cls(
            url=str(raw.get("url", "")).strip(), listen=listen, printers=tuple(printers),
            outbox=str(raw.get("outbox", "")).strip(),
        )  # fmt: skip

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)
