"""Issue 11, lows on the store side: pixie.db and its WAL are created 0600, and a corrupt
pixie.db gives a clear message in every CLI command and in the GUI — never a traceback, and the
file is never overwritten."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

GARBAGE = b"this is not an sqlite database\n" * 200

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes")


@posix_only
def test_db_and_wal_are_created_private(db_path):
    from pixie_desktop.store.db import open_db

    old = os.umask(0o022)
    try:
        conn = open_db(db_path)
        conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        for p in (db_path, db_path.with_name(db_path.name + "-wal")):
            assert p.exists(), p
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, (p, oct(p.stat().st_mode))
        conn.close()
        os.chmod(db_path, 0o644)  # an existing database others could read is tightened
        open_db(db_path).close()
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    finally:
        os.umask(old)


@pytest.mark.parametrize("argv", [["list"], ["runs"], ["sweep"], ["run", "nothing"], ["validate", "--all"],
                                  ["setup-tool", "nothing"], ["doctor"]])
def test_every_cli_command_explains_a_corrupt_db(db_path, isolated_env, argv):
    db_path.write_bytes(GARBAGE)
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "pixie_desktop", *argv], env=env, capture_output=True,
                          text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Traceback" not in out, out
    assert str(db_path) in out or "pixie.db" in out, out
    assert "restore" in out.lower() or "backup" in out.lower(), out
    assert db_path.read_bytes() == GARBAGE, "a corrupt database is never overwritten"


def test_gui_explains_a_corrupt_db(qapp, db_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from pixie_desktop.ui.app import run_gui

    db_path.write_bytes(GARBAGE)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    assert run_gui([]) == 1
    assert shown and str(db_path) in shown[0] and "left untouched" in shown[0]
    assert db_path.read_bytes() == GARBAGE
