"""Desktop entry + icons: rendered from the template, valid per desktop-file-validate, installed
into the (temp) XDG data dir, removed by --uninstall."""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

import pytest

from pixie_desktop import APP_ID
from pixie_desktop.integration import entry
from pixie_desktop.integration import paths


def _keys(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            out.setdefault(k.strip(), v.strip())
    return out


def test_exec_quoting_follows_the_spec():
    assert entry.quote_exec_arg("/usr/bin/pixie") == "/usr/bin/pixie"
    assert entry.quote_exec_arg("/home/a b/pixie") == '"/home/a b/pixie"'
    # a literal $ is escaped inside quotes, then every backslash is doubled by key-file escaping
    assert entry.quote_exec_arg("/x/$y") == '"/x/\\\\$y"'
    assert entry.quote_exec_arg("100%") == "100%%"


def test_install_writes_valid_entry_and_icons(isolated_env):
    report = entry.install(refresh=False)
    desktop = paths.desktop_file_path()
    assert desktop in report.written
    assert str(desktop).startswith(os.environ["XDG_DATA_HOME"])
    keys = _keys(desktop.read_text())
    launcher = paths.launcher_command()
    assert Path(launcher[0]).is_absolute()
    assert keys["Exec"].startswith(entry.quote_exec_arg(launcher[0])) and keys["Exec"].endswith(" %F")
    assert keys["Icon"] == paths.ICON_NAME == APP_ID
    assert keys["StartupWMClass"] == APP_ID
    assert "inode/directory" in keys["MimeType"].split(";")
    assert keys["Type"] == "Application" and keys["Terminal"] == "false"
    assert os.access(desktop, os.X_OK)
    icons = paths.icon_install_paths()
    assert icons["scalable"].read_bytes() == paths.icon_svg().read_bytes()
    for n in paths.ICON_SIZES:
        p = icons[str(n)]
        assert p == paths.hicolor_dir() / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
        assert p.is_file()
    problems = entry.validate(desktop)
    if problems is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    bad = [p for p in problems if "error" in p or "warning" in p]
    assert not bad, bad


def test_launcher_is_the_script_next_to_python():
    launcher = paths.launcher_command()
    import sys

    script = Path(sys.executable).parent / APP_ID
    if script.is_file():
        assert launcher == [str(script.absolute())]
    else:
        assert launcher[1:] == ["-m", "pixie_desktop"]


def test_uninstall_removes_everything(isolated_env):
    entry.install(refresh=False)
    report = entry.uninstall(refresh=False)
    assert paths.desktop_file_path() in report.removed
    assert not paths.desktop_file_path().exists()
    assert not any(p.exists() for p in paths.icon_install_paths().values())
    assert entry.uninstall(refresh=False).removed == []  # idempotent, no error


def test_cli_install_and_uninstall(isolated_env, capsys):
    from pixie_desktop.cli import main

    assert main(["install-desktop-entry"]) == 0
    assert paths.desktop_file_path().is_file()
    assert "wrote" in capsys.readouterr().out
    assert main(["install-desktop-entry", "--uninstall"]) == 0
    assert not paths.desktop_file_path().exists()
    assert main(["install-desktop-entry", "--print"]) == 0
    assert "StartupWMClass=pixie-desktop" in capsys.readouterr().out


def test_relative_xdg_data_home_is_ignored(monkeypatch, isolated_env):
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    assert paths.xdg_data_home() == Path.home() / ".local/share"


def test_icon_pngs_have_their_sizes():
    for n in paths.ICON_SIZES:
        data = paths.icon_png(n).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = struct.unpack(">II", data[16:24])
        assert (w, h) == (n, n)


def test_update_desktop_database_accepts_install(isolated_env):
    if not shutil.which("update-desktop-database"):
        pytest.skip("update-desktop-database not installed")
    report = entry.install(refresh=True)
    assert not [n for n in report.notes if "failed" in n]
    cache = paths.applications_dir() / "mimeinfo.cache"
    assert cache.is_file() and "inode/directory=pixie-desktop.desktop" in cache.read_text()
