"""The installer's files agree with each other and with the program: installer/bundle.py (what the bundle holds),
guichet.spec, the Linux menu entries and Debian package, the Windows installer compiled by makensis against a
placeholder payload.

The bundle itself is not built here (PyInstaller takes 40 s and writes 300 MB): installer/build_linux.sh builds
it and starts it offscreen (installer/smoke_test.sh). ``./dev test`` installs makensis (nsis) and
desktop-file-validate (desktop-file-utils); without them those two checks are skipped, saying which package to add.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import guichet.db.migrate
import guichet.sync.admin
from guichet.__main__ import _parser
from guichet.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"


def _bundle():  # noqa: ANN202 - the module installer/bundle.py (not a package)
    spec = importlib.util.spec_from_file_location("guichet_installer_bundle", INSTALLER / "bundle.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bundle = _bundle()


def _need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} absent : installez le paquet Debian « {package} » (./dev test le fait)")
    return found


def test_the_bundle_takes_every_folder_the_program_reads_at_the_place_it_reads_it():
    targets = dict(bundle.DATAS)
    for source in targets:
        assert (ROOT / source).is_dir(), source
    # Where the code looks, relative to the checkout, is where the bundle puts the folder.
    assert targets["resources"] == resources_dir().relative_to(ROOT).as_posix()
    for migrations in (guichet.db.migrate.MIGRATIONS_DIR, guichet.sync.admin.CENTRAL_MIGRATIONS):
        relative = migrations.relative_to(ROOT).as_posix()
        assert targets[relative] == relative
        assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
        assert len(list((migrations / "versions").glob("*.py"))) >= 1
    for needed in ("themes/desk.qss", "themes/public.qss", "sounds/chime.wav", "logo/commune.png",
                   "fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf", "icons/ui/chevron-down.svg"):  # fmt: skip
        assert (resources_dir() / needed).is_file(), needed
    assert bundle.version() == guichet.__version__


def test_the_spec_builds_from_bundle_py():
    spec = (INSTALLER / "guichet.spec").read_text(encoding="utf-8")
    compile(spec, "guichet.spec", "exec")
    for used in ("import bundle", "bundle.DATAS", "bundle.HIDDEN_IMPORTS", "bundle.EXCLUDES", "bundle.QT_PLATFORMS",
                 "bundle.CONSOLE_NAME", "bundle.WINDOWED_NAME", "make_icons.py", '"entry.py"'):  # fmt: skip
        assert used in spec, used
    assert (INSTALLER / "entry.py").is_file() and (INSTALLER / "make_icons.py").is_file()
    assert "PySide6.QtWebEngineCore" in bundle.EXCLUDES
    assert {"xcb", "offscreen"} <= set(bundle.QT_PLATFORMS["linux"])
    assert {"multimedia", "texttospeech", "platforms", "iconengines"} <= set(bundle.QT_PLUGIN_DIRS)
    requirements = (INSTALLER / "requirements-build.txt").read_text(encoding="utf-8")
    assert "pyinstaller==" in requirements
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "pyinstaller" not in pyproject.lower() and "keyrings.alt" not in pyproject  # build and test tools only


def test_every_entry_is_a_guichet_command_with_its_icon():
    parser = _parser()
    assert [e.command for e in bundle.ENTRIES] == ["desk", "kiosk", "display", "setup"]
    for entry in bundle.ENTRIES:
        assert parser.parse_args([entry.command]).command == entry.command
        assert (resources_dir() / "icons" / "app" / f"{entry.icon}.svg").is_file()


def test_the_linux_menu_entries_start_the_programs():
    validate = shutil.which("desktop-file-validate")
    for entry in bundle.ENTRIES:
        path = INSTALLER / "linux" / entry.desktop_file
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read(path, encoding="utf-8")
        desktop = parser["Desktop Entry"]
        assert desktop["Name"] == entry.title and desktop["Comment"] == entry.comment
        assert desktop["Exec"] == f"/opt/guichet/{bundle.CONSOLE_NAME} {entry.command}"
        assert desktop["Icon"] == entry.icon and desktop["Terminal"] == "false"
        if validate:
            done = subprocess.run([validate, str(path)], capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stdout + done.stderr
    _need("desktop-file-validate", "desktop-file-utils")


def test_the_debian_package_of_a_bundle(tmp_path):
    _need("dpkg-deb", "dpkg")
    fake = tmp_path / "guichet"
    (fake / "_internal" / "icons").mkdir(parents=True)
    (fake / "guichet").write_text("#!/bin/sh\necho Guichet\n", encoding="utf-8")
    (fake / "guichet").chmod(0o755)
    for entry in bundle.ENTRIES:
        (fake / "_internal" / "icons" / f"{entry.icon}.png").write_bytes(b"\x89PNG")
    done = subprocess.run(
        [str(INSTALLER / "linux" / "build_deb.sh"), str(fake), str(tmp_path / "out"), "9.8.7"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    package = Path(done.stdout.strip())
    assert package.name.startswith("guichet_9.8.7_") and package.is_file()
    info = subprocess.run(["dpkg-deb", "--info", str(package)], capture_output=True, text=True, check=True).stdout
    assert "Package: guichet" in info and "Version: 9.8.7" in info and "Depends: libc6 (>= 2.36)" in info
    listing = subprocess.run(["dpkg-deb", "-c", str(package)], capture_output=True, text=True, check=True).stdout
    assert "./usr/bin/guichet -> ../../opt/guichet/guichet" in listing
    assert "./opt/guichet/guichet" in listing
    for entry in bundle.ENTRIES:
        assert f"./usr/share/applications/{entry.desktop_file}" in listing
        assert f"./usr/share/icons/hicolor/scalable/apps/{entry.icon}.svg" in listing
        assert f"./usr/share/icons/hicolor/256x256/apps/{entry.icon}.png" in listing
    assert "root/root" in listing and "/home" not in listing and ".local" not in listing


def test_the_windows_installer_compiles_and_keeps_the_data(tmp_path):
    script = (INSTALLER / "windows" / "guichet.nsi").read_text(encoding="utf-8-sig")
    for entry in bundle.ENTRIES:
        link = f'"${{MENU}}\\{entry.title}.lnk"'
        assert f'CreateShortcut {link} "$INSTDIR\\{bundle.WINDOWED_NAME}.exe" "{entry.command}" ' in script, entry
        assert f'"${{ICONS}}\\{entry.icon}.ico"' in script
        assert f"Delete {link}" in script  # the uninstaller removes it
    assert '!insertmacro MUI_LANGUAGE "French"' in script and "SetShellVarContext all" in script
    uninstall = script.split('Section "Uninstall"')[1]
    removing = [line for line in uninstall.splitlines() if line.strip().startswith(("RMDir", "Delete"))]
    assert removing and all("APPDATA" not in line and "$PROFILE" not in line for line in removing)
    assert 'RMDir "$INSTDIR"' in uninstall and 'RMDir /r "$INSTDIR"\n' not in uninstall  # never the whole folder
    _need("makensis", "nsis")
    env = {**os.environ, "PYTHON": sys.executable, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(INSTALLER / "windows" / "build_placeholder.sh"), str(tmp_path / "win")],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    made = Path(done.stdout.strip())
    assert made.name == f"Guichet-{bundle.version()}-installation.exe"
    data = made.read_bytes()
    assert data[:2] == b"MZ" and len(data) > 50_000


def test_the_build_scripts_are_valid_shell():
    for script in ("build_linux.sh", "smoke_test.sh", "linux/build_deb.sh", "windows/build_placeholder.sh"):
        path = INSTALLER / script
        assert os.access(path, os.X_OK), f"{script} n'est pas exécutable"
        done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
