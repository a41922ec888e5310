"""The attachment store: scans and documents kept on the site's disk under their SHA-256.

A file is written once, under ``<root>/<first two hex digits>/<sha256>``, through a temporary file renamed
into place and flushed to disk first, so a crash leaves either the whole file or nothing. The database row
names the hash; the same scan registered twice is stored once.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from guichet.services.errors import NotFoundError, ValidationError

MAX_BYTES = 50 * 1024 * 1024
ACCEPTED = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str
    file_name: str


def sniff(data: bytes) -> str:
    """The file's type from its first bytes (the extension may lie)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    return ""


class AttachmentStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put_file(self, path: str | os.PathLike[str]) -> StoredFile:
        """Keep a scan (PDF or image) given by its path; refuses what is not one, with a French message."""
        source = Path(path)
        if not source.is_file():
            raise ValidationError({"attachment": f"Le fichier « {source} » est introuvable."})
        if source.stat().st_size > MAX_BYTES:
            raise ValidationError({"attachment": "Le fichier dépasse 50 Mo : numérisez-le en résolution plus basse."})
        return self.put(source.read_bytes(), file_name=source.name)

    def put(self, data: bytes, *, file_name: str) -> StoredFile:
        mime = sniff(data)
        if not data:
            raise ValidationError({"attachment": "Le fichier est vide."})
        if mime not in ACCEPTED:
            guessed = mimetypes.guess_type(file_name)[0] or "inconnu"
            raise ValidationError(
                {"attachment": f"« {file_name} » n'est pas un PDF ni une image (type {guessed}) : numérisez le courrier "
                 "en PDF, JPEG, PNG ou TIFF."}
            )  # fmt: skip
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if not (target.exists() and target.stat().st_size == len(data)):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(digest, len(data), mime, Path(file_name).name[:200])

    def read(self, sha256: str) -> bytes:
        """The bytes of a stored file, checked against their hash."""
        path = self.path_of(sha256)
        if not path.exists():
            raise NotFoundError(
                "Ce document n'est pas sur ce poste (il a pu être enregistré sur un autre site). "
                "Demandez-le au site qui l'a numérisé."
            )
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NotFoundError("Ce document est endommagé sur le disque (empreinte différente) : prévenez le SITIV.")
        return data


def attachment_dir_for(db_path: Path) -> Path:
    """The attachment store of a database file: "guichet.sqlite3" keeps its scans in "guichet-documents/"."""
    return db_path.with_name(f"{db_path.stem}-documents")
