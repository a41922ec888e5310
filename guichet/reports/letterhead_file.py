"""A commune's letterhead (from the services) as the PDF layouts take it: its own logo written once to a file."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path

from guichet.reports import letter_types as lt
from guichet.services.requests_types import Letterhead

DEFAULT_LOGO_CACHE = Path(tempfile.gettempdir()) / "guichet-logos"


def logo_file(png: bytes, cache: Path = DEFAULT_LOGO_CACHE) -> str:
    """The commune's logo (kept in the database) as a file the layouts read, named by its hash; "" = the bundled
    logo. Written to a temporary name then renamed, so two processes never read half a file."""
    if not png:
        return ""
    path = cache / f"{hashlib.sha256(png).hexdigest()}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(png)
        tmp.replace(path)
    return str(path)


def layout_letterhead(head: Letterhead, *, cache: Path = DEFAULT_LOGO_CACHE, signatory: bool = True) -> lt.Letterhead:
    """``signatory=False`` for documents nobody signs (a sheet handed out at the desk)."""
    return lt.Letterhead(
        commune_name=head.commune_name, service_line=head.service_line, address_lines=head.address_lines,
        phone=head.phone, email=head.email, website=head.website, logo_path=logo_file(head.logo_png, cache),
        signatory_name=head.signatory_name if signatory else "",
        signatory_title=head.signatory_title if signatory else "", footer=head.footer,
    )  # fmt: skip
