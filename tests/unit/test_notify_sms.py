"""SMS answers: GSM 03.38 segments, GSM-friendly French, the folder sender, the HTTP sender against a real local
web server, and the [sms] settings."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from guichet.notify import (
    FolderSmsSender,
    HttpSmsSender,
    OutgoingSms,
    SendError,
    SmsSettings,
    is_gsm7,
    make_sms_sender,
    sms_segments,
    to_gsm_friendly,
)
from guichet.notify.settings import store_sms_token
from tests.integration.keyring_file import TestKeyring

SMS = OutgoingSms(to_phone="+33612345678", text="Votre carte d'identité est prête.", reference="VEN-HDV-2026-000123")

# --- segments ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
        ("€" * 80, 1),  # extension characters count two septets
        ("€" * 81, 2),
        ("a" * 158 + "{", 1),
        ("a" * 159 + "{", 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but "€" is not cut: 152 | 2 + 151 | 1
        ("ê" * 70, 1),  # UCS-2
        ("ê" * 71, 2),
        ("ê" * 134, 2),
        ("ê" * 135, 3),
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 36, 2),
        ("a" * 66 + "😀" + "a" * 66, 3),  # 134 units, but the emoji is not cut: 66 | 2 + 65 | 1
        ("éèàùìòÉÇ" * 20, 1),  # French letters of the basic table
    ],
)
def test_sms_segments(text: str, segments: int):
    assert sms_segments(text) == segments


def test_which_french_characters_are_gsm7():
    assert is_gsm7("é è à ù ì ò É Ç Ä Ö Ñ Ü ä ö ñ ü ß Æ æ Ø ø Å å @ £ $ ¥ § ¿ ¡ _ \n\r")
    assert is_gsm7("€ [ ] { } ~ ^ | \\")
    for ch in "êâîôûëïÿçœŒÀÂÈÊËÎÏÔÙÛ«»’“”–—…°\u00a0\u202f\t":
        assert not is_gsm7(ch), ch


def test_gsm_friendly_french():
    text = "« Bonjour », votre dossier n° 12 est prêt : rendez-vous à l’accueil du 1er étage — coût 5 €. Où ? Noël, cœur, ça."
    friendly = to_gsm_friendly(text)
    assert friendly == (
        '"Bonjour", votre dossier no 12 est pret : rendez-vous à l\'accueil du 1er étage - cout 5 €. '
        "Où ? Noel, coeur, ca."
    )
    assert is_gsm7(friendly)
    assert to_gsm_friendly("ÎLE-DE-FRANCE, ŒUVRE, FORÊT, ÇA\u00a0!") == "ILE-DE-FRANCE, OEUVRE, FORET, ÇA !"
    assert to_gsm_friendly("Merci 😀") == "Merci 😀"  # no close GSM character: kept, the SMS goes in UCS-2


def test_gsm_friendly_saves_segments():
    answer = (
        "Mairie de Vénissieux : votre demande VEN-HDV-2026-000123 est traitée. Votre titre d'identité est "
        "prêt ; présentez-vous à l'accueil de l'Hôtel de Ville."
    )
    assert sms_segments(answer) == 3
    assert sms_segments(to_gsm_friendly(answer)) == 1


# --- folder sender -----------------------------------------------------------------------------------------------


def test_folder_sender_writes_one_json_file_per_sms(tmp_path: Path):
    sender = FolderSmsSender(tmp_path)
    ids = [sender.send(SMS) for _ in range(20)]
    assert len(set(ids)) == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(ids)  # nothing else: no temporary file left
    data = json.loads((tmp_path / ids[0]).read_text(encoding="utf-8"))
    assert data["id"] == ids[0]
    assert (data["to"], data["text"], data["reference"], data["segments"]) == (
        "+33612345678", "Votre carte d'identité est prête.", "VEN-HDV-2026-000123", 1,
    )  # fmt: skip
    assert ids == sorted(ids), "file names follow the order of sending"


def test_folder_sender_never_shows_a_partial_file(tmp_path: Path):
    # A gateway polls the folder while SMS are written: every *.json it sees must be complete.
    sender = FolderSmsSender(tmp_path)
    stop = threading.Event()
    seen: dict[str, dict] = {}
    problems: list[str] = []

    def gateway() -> None:
        while not stop.is_set():
            for path in tmp_path.glob("*.json"):
                try:
                    seen[path.name] = json.loads(path.read_bytes())
                except (ValueError, FileNotFoundError) as e:
                    problems.append(f"{path.name}: {e}")

    watcher = threading.Thread(target=gateway)
    watcher.start()
    long_sms = OutgoingSms("+33612345678", "x" * 20_000, "VEN-HDV-2026-000124")
    try:
        ids = [sender.send(long_sms) for _ in range(30)]
    finally:
        stop.set()
        watcher.join()
    assert not problems
    assert all(data["text"] == long_sms.text for data in seen.values())
    assert set(seen) <= set(ids)


def test_folder_sender_failing_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def disk_error(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_error)
    with pytest.raises(SendError) as caught:
        FolderSmsSender(tmp_path).send(SMS)
    assert caught.value.retryable
    assert list(tmp_path.iterdir()) == []


def test_folder_sender_with_a_missing_folder(tmp_path: Path):
    with pytest.raises(SendError) as caught:
        FolderSmsSender(tmp_path / "partage-deconnecte").send(SMS)
    assert caught.value.retryable
    assert "introuvable" in caught.value.message


@pytest.mark.parametrize("phone", ["0612345678", "+33 6 12 34 56 78", "+0612345678", "", "+3361234567890123"])
def test_a_bad_phone_number_is_refused_before_sending(tmp_path: Path, phone: str):
    with pytest.raises(SendError) as caught:
        FolderSmsSender(tmp_path).send(OutgoingSms(phone, "Bonjour"))
    assert not caught.value.retryable
    assert "format international" in caught.value.message
    assert list(tmp_path.iterdir()) == []


def test_an_empty_sms_is_refused(tmp_path: Path):
    with pytest.raises(SendError) as caught:
        FolderSmsSender(tmp_path).send(OutgoingSms("+33612345678", "  \n"))
    assert not caught.value.retryable


# --- HTTP sender -------------------------------------------------------------------------------------------------


@dataclass
class Gateway:
    url: str
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def settings(self, path: str, **changes) -> SmsSettings:
        values = {"backend": "http", "http_url": self.url + path, "http_sender": "MAIRIE", "timeout_s": 2.0}
        return SmsSettings(**(values | changes))


class GatewayHandler(BaseHTTPRequestHandler):
    gateway: Gateway

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.gateway.requests.append({"method": "GET", "path": self.path})
        self.reply(405, b"")

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.gateway.requests.append(
            {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": json.loads(body)}
        )
        if self.path == "/ok":
            self.reply(201, json.dumps({"id": "gw-42", "status": "queued"}).encode())
        elif self.path == "/location":
            self.reply(202, b"", {"Location": "https://sms.example.fr/v1/messages/abc-7/"})
        elif self.path == "/noid":
            self.reply(200, b"OK")
        elif self.path == "/bad":
            self.reply(400, json.dumps({"error": "Numéro de destinataire invalide"}).encode())
        elif self.path == "/auth":
            self.reply(401, b'{"error": "invalid token"}')
        elif self.path == "/busy":
            self.reply(503, b"<html>Service Unavailable</html>")
        elif self.path == "/redirect":
            self.reply(302, b"", {"Location": "/ok"})
        elif self.path == "/slow":
            self.gateway.release.wait(5)
            self.reply(200, b'{"id": "late"}')
        else:
            self.reply(404, b"")

    def reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), GatewayHandler)
    state = Gateway(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = type("Handler", (GatewayHandler,), {"gateway": state})
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def test_http_sender_posts_json_with_the_token(gateway: Gateway):
    sender = HttpSmsSender(gateway.settings("/ok"), token="jeton-secret")
    assert sender.send(SMS) == "gw-42"
    [request] = gateway.requests
    assert request["body"] == {
        "to": "+33612345678",
        "text": "Votre carte d'identité est prête.",
        "sender": "MAIRIE",
        "reference": "VEN-HDV-2026-000123",
    }
    assert request["headers"]["Authorization"] == "Bearer jeton-secret"
    assert request["headers"]["Content-Type"].startswith("application/json")


def test_http_sender_id_from_the_location_header_or_our_key(gateway: Gateway):
    assert HttpSmsSender(gateway.settings("/location"), token="t").send(SMS) == "abc-7"
    request_id = HttpSmsSender(gateway.settings("/noid"), token="t").send(SMS)
    assert request_id == gateway.requests[-1]["headers"]["Idempotency-Key"]


def test_http_sender_token_from_the_keyring(gateway: Gateway):
    previous = keyring.get_keyring()
    backend = TestKeyring()
    backend.path = None
    keyring.set_keyring(backend)
    try:
        settings = gateway.settings("/ok")
        store_sms_token(settings, "jeton-du-trousseau")
        assert backend.get_password("guichet-sms", "127.0.0.1") == "jeton-du-trousseau"
        make_sms_sender(settings).send(SMS)
    finally:
        keyring.set_keyring(previous)
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer jeton-du-trousseau"


def test_http_sender_without_a_token_in_the_keyring(gateway: Gateway):
    with pytest.raises(SendError) as caught:
        HttpSmsSender(gateway.settings("/ok")).send(SMS)  # the null keyring of tests/conftest.py
    assert not caught.value.retryable
    assert "keyring set guichet-sms 127.0.0.1" in caught.value.message
    assert not gateway.requests


def test_http_sender_without_any_keyring(gateway: Gateway):
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        with pytest.raises(SendError) as caught:
            HttpSmsSender(gateway.settings("/ok")).send(SMS)
    finally:
        keyring.set_keyring(previous)
    assert not caught.value.retryable
    assert "Aucun trousseau" in caught.value.message


@pytest.mark.parametrize(
    ("path", "retryable", "words"),
    [
        ("/bad", False, "Numéro de destinataire invalide"),
        ("/auth", False, "refuse le jeton"),
        ("/nowhere", False, "http_url"),
        ("/redirect", False, "http_url"),
        ("/busy", True, "HTTP 503"),
    ],
)
def test_http_sender_errors(gateway: Gateway, path: str, retryable: bool, words: str):
    with pytest.raises(SendError) as caught:
        HttpSmsSender(gateway.settings(path), token="t").send(SMS)
    assert caught.value.retryable is retryable
    assert words in caught.value.message
    assert [r["method"] for r in gateway.requests] == ["POST"], "a redirect must not turn the POST into a GET"


def test_http_sender_times_out(gateway: Gateway):
    started = time.monotonic()
    with pytest.raises(SendError) as caught:
        HttpSmsSender(gateway.settings("/slow", timeout_s=0.3), token="t").send(SMS)
    assert time.monotonic() - started < 2
    assert caught.value.retryable
    assert "n'est pas confirmé" in caught.value.message


def test_http_sender_with_the_gateway_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = SmsSettings(backend="http", http_url=f"http://127.0.0.1:{port}/sms", timeout_s=2)
    started = time.monotonic()
    with pytest.raises(SendError) as caught:
        HttpSmsSender(settings, token="t").send(SMS)
    assert time.monotonic() - started < 2
    assert caught.value.retryable
    assert "refuse la connexion" in caught.value.message


# --- [sms] settings ----------------------------------------------------------------------------------------------


def test_sms_settings_from_toml(tmp_path: Path):
    assert SmsSettings.from_toml({}) == SmsSettings()
    assert make_sms_sender(SmsSettings()) is None
    folder = SmsSettings.from_toml({"backend": "Folder", "folder": str(tmp_path)})
    assert isinstance(make_sms_sender(folder), FolderSmsSender)
    http = SmsSettings.from_toml(
        {"backend": "http", "http_url": "https://sms.sitiv.fr/v1/messages", "http_sender": "MAIRIE VEN", "timeout_s": 5}
    )
    assert (http.backend, http.http_sender, http.timeout_s, http.enabled) == ("http", "MAIRIE VEN", 5.0, True)
    assert isinstance(make_sms_sender(http), HttpSmsSender)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"backend": "pigeon"}, "[sms] backend : « pigeon » n'est pas reconnu"),
        ({"backend": "folder"}, "[sms] folder"),
        ({"backend": "http"}, "[sms] http_url"),
        ({"backend": "http", "http_url": "sms.sitiv.fr"}, "[sms] http_url : « sms.sitiv.fr »"),
        ({"backend": "http", "http_url": "http://sms.sitiv.fr/v1"}, "https://"),
        ({"backend": "http", "http_url": "https://site:jeton@sms.sitiv.fr/v1"}, "trousseau"),
        ({"http_sender": "Mairie de Vénissieux"}, "[sms] http_sender"),
        ({"timeout_s": "vite"}, "[sms] timeout_s : « vite » n'est pas un nombre"),
        ({"timeout_s": -1}, "[sms] timeout_s"),
        ({"token": "secret"}, "[sms] token : réglage inconnu"),
    ],
)
def test_sms_settings_errors_name_the_key(raw: dict, expected: str):
    with pytest.raises(ValueError) as caught:
        SmsSettings.from_toml(raw)
    assert expected in str(caught.value)
