"""The dependency rule of DESIGN.md: ui -> services -> db -> models, Qt only in ui/ and app.py."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import guichet

PACKAGE_DIR = Path(guichet.__file__).parent
CORE_MODULES = [
    "guichet.services",
    "guichet.db",
    "guichet.models",
    "guichet.sync",
    "guichet.notify",
    "guichet.printing",
    "guichet.reports",
    "guichet.hub",
    "guichet.domain",
    "guichet.text",
    "guichet.setup_steps",
    "guichet.diagnostic",
]
UI_FORBIDDEN = ("sqlalchemy", "guichet.models", "guichet.db")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = PACKAGE_DIR.parent) -> set[str]:
    """Every module a file imports, anywhere in it (lazy imports too), relative imports resolved.

    ``from guichet import models`` yields both "guichet" and "guichet.models".
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, root)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _is_under(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == root or module.startswith(root + ".") for root in roots)


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_core_packages_do_not_import_qt():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'PySide6'))\n"
    )
    cwd = PACKAGE_DIR.parent  # "-c" puts the working directory first on sys.path: this checkout's guichet
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"PySide6 imported by the core: {result.stdout}"


def test_import_resolution_of_the_static_checker(tmp_path):
    # The checker must see through relative and "from package import module" forms, or the rule below is blind.
    ui = tmp_path / "guichet" / "ui" / "desk"
    ui.mkdir(parents=True)
    sample = ui / "form.py"
    sample.write_text(
        "from ...models import Citizen\n"
        "from guichet import db\n"
        "from .. import worker\n"
        "def later():\n"
        "    import sqlalchemy.orm\n",
        encoding="utf-8",
    )
    found = imported_modules(sample, root=tmp_path)
    assert {"guichet.models", "guichet.models.Citizen", "guichet.db", "guichet.ui.worker", "sqlalchemy.orm"} <= found
    assert all(_is_under(m, UI_FORBIDDEN) for m in ("guichet.models.Citizen", "guichet.db", "sqlalchemy.orm"))
    assert not _is_under("guichet.dbx", UI_FORBIDDEN)


def test_ui_never_touches_the_database_layer():
    offenders = {}
    for path in _python_files(PACKAGE_DIR / "ui"):
        bad = sorted(m for m in imported_modules(path) if _is_under(m, UI_FORBIDDEN))
        if bad:
            offenders[str(path.relative_to(PACKAGE_DIR))] = bad
    assert not offenders, f"guichet/ui must go through guichet.services, not the database layer: {offenders}"


def test_qt_only_in_ui_and_app():
    offenders = {}
    for path in _python_files(PACKAGE_DIR):
        rel = path.relative_to(PACKAGE_DIR)
        if rel.parts[0] == "ui" or rel == Path("app.py"):
            continue
        bad = sorted(m for m in imported_modules(path) if _is_under(m, ("PySide6", "shiboken6")))
        if bad:
            offenders[str(rel)] = bad
    assert not offenders, f"PySide6 imported outside guichet/ui and guichet/app.py: {offenders}"
