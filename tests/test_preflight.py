"""A launch that never fails silently (issue 17 item 3): the preflight before QApplication names
the packages to install when an xcb library is missing (simulated: the loader is replaced), on
stderr, in the log and as a notification; it falls back to Wayland when a Wayland session is
there and otherwise makes the launcher exit non-zero. Every GUI start writes the log file, and a
start that crashes is logged and shown."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from pixie_desktop import logs
from pixie_desktop.integration import preflight


@pytest.fixture
def log_file():
    path = logs.setup_logging()
    yield path
    logs.shutdown_logging()


def _flush() -> None:
    for h in logging.getLogger(logs.LOGGER_NAME).handlers:
        h.flush()


def _missing(*sonames: str):
    return lambda soname: soname not in sonames


X11 = {"DISPLAY": ":0"}


def test_nothing_is_checked_off_x11():
    calls = []
    loader = lambda s: calls.append(s) or True  # noqa: E731
    for env in ({"QT_QPA_PLATFORM": "offscreen"}, {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
                {"WAYLAND_DISPLAY": "wayland-0"}, {"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland"},
                {"QT_QPA_PLATFORM": "eglfs"}):
        assert preflight.check_gui(dict(env), loader=loader).needed is False
    assert calls == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux")
def test_all_present_is_quiet(capsys):
    told = []
    res = preflight.check_gui(dict(X11, QT_QPA_PLATFORM="xcb"), loader=lambda s: True,
                              notifier=lambda *a: told.append(a) or True)
    assert res.needed and res.ok and res.exit_code is None and not told
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux")
def test_missing_library_names_the_packages_everywhere(capsys, log_file):
    told = []
    env = dict(X11)
    res = preflight.check_gui(env, loader=_missing("libxcb-cursor.so.0", "libxcb-icccm.so.4"),
                              notifier=lambda title, body: told.append((title, body)) or True)
    assert res.missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4"]
    assert res.exit_code == preflight.EXIT_MISSING_LIBRARIES and res.fallback is None
    assert "QT_QPA_PLATFORM" not in env
    err = capsys.readouterr().err
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in err
    assert "sudo dnf install xcb-util-cursor xcb-util-wm" in err
    assert told and "libxcb-cursor0" in told[0][1]  # the desktop notification
    _flush()
    assert "apt install libxcb-cursor0 libxcb-icccm4" in log_file.read_text(encoding="utf-8")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux")
def test_falls_back_to_wayland_when_a_wayland_session_is_there(capsys):
    env = dict(X11, WAYLAND_DISPLAY="wayland-0")
    res = preflight.check_gui(env, loader=_missing("libxkbcommon-x11.so.0"), notifier=lambda *a: True)
    assert res.fallback == "wayland" and res.exit_code is None
    assert env["QT_QPA_PLATFORM"] == "wayland"
    err = capsys.readouterr().err
    assert "libxkbcommon-x11-0" in err and "Wayland instead" in err


def test_every_package_name_is_mapped():
    for soname, (debian, fedora) in preflight.XCB_LIBRARIES.items():
        assert soname.startswith("lib") and ".so." in soname and debian and fedora
    hint = preflight.install_hint(["libxcb-shape.so.0", "libxcb-randr.so.0"])
    assert "apt install libxcb-shape0 libxcb-randr0" in hint and "dnf install libxcb\n" not in hint


def test_notify_send_is_used_when_present(monkeypatch, tmp_path):
    called = tmp_path / "called"
    exe = tmp_path / "notify-send"
    exe.write_text(f"#!/bin/sh\necho \"$@\" > {called}\n")
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert preflight.notify("Title", "install libxcb-cursor0") is True
    assert "install libxcb-cursor0" in called.read_text()
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert preflight.notify("Title", "body") is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is for Linux")
def test_no_display_at_all_is_said_plainly_and_exits_non_zero(capsys, log_file):
    """A text console or plain SSH: no DISPLAY, no WAYLAND_DISPLAY. Qt would abort with its own
    plugin message (exit 134); the launcher says what is wrong and what to do, and exits 4."""
    told = []
    for env in ({}, {"QT_QPA_PLATFORM": "xcb"}, {"QT_QPA_PLATFORM": "wayland"}, {"DISPLAY": ""}):
        res = preflight.check_gui(dict(env), loader=lambda s: pytest.fail("no library check without a display"),
                                  notifier=lambda *a: told.append(a) or True)
        assert res.exit_code == preflight.EXIT_NO_DISPLAY, env
    err = capsys.readouterr().err
    assert "no screen to open its window on" in err and "DISPLAY" in err and "ssh -X" in err
    assert told == []  # no session to notify
    _flush()
    assert "No graphical session was found" in log_file.read_text(encoding="utf-8")


def test_the_launcher_without_a_display_exits_4_not_with_qts_abort(tmp_path):
    """The real entry point, in a child with no display variables at all."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "pixie_desktop"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == preflight.EXIT_NO_DISPLAY, proc.stderr[-2000:]
    assert "no screen to open its window on" in proc.stderr and "qt.qpa" not in proc.stderr


def test_launcher_exits_non_zero_when_x11_cannot_load(monkeypatch, capsys):
    from pixie_desktop import __main__ as launcher

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(preflight, "_can_load", lambda s: s != "libxcb-cursor.so.0")
    monkeypatch.setattr(preflight, "notify", lambda *a: True)
    import pixie_desktop.ui.app as app_mod

    monkeypatch.setattr(app_mod, "run_gui", lambda args: pytest.fail("the GUI must not start"))
    try:
        assert launcher.main([]) == preflight.EXIT_MISSING_LIBRARIES
    finally:
        logs.shutdown_logging()
        monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert "libxcb-cursor0" in capsys.readouterr().err


def test_every_gui_start_writes_the_log(monkeypatch, tmp_path):
    import pixie_desktop.ui.app as app_mod
    from pixie_desktop import __main__ as launcher

    monkeypatch.setattr(app_mod, "run_gui", lambda args: 0)
    try:
        assert launcher.main([]) == 0
        _flush()
        text = (tmp_path / "logs" / logs.LOG_FILE_NAME).read_text(encoding="utf-8")
    finally:
        logs.shutdown_logging()
    assert "starting pixie-desktop" in text


def test_a_crash_during_start_is_logged_and_shown(monkeypatch, tmp_path, qtbot):
    from PySide6.QtWidgets import QMessageBox

    import pixie_desktop.ui.app as app_mod
    from pixie_desktop import __main__ as launcher

    def boom(args):
        raise RuntimeError("the window could not be built")

    shown = []
    monkeypatch.setattr(app_mod, "run_gui", boom)
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append((title, text))))
    try:
        assert launcher.main([]) == 1
        _flush()
        text = (tmp_path / "logs" / logs.LOG_FILE_NAME).read_text(encoding="utf-8")
    finally:
        logs.shutdown_logging()
    assert shown and "the window could not be built" in shown[0][1]
    assert "Traceback" in text and "RuntimeError: the window could not be built" in text


def test_a_crash_before_qt_is_told_without_a_dialog(tmp_path):
    """Qt cannot even be imported: stderr and the log still say so (a fresh process: no Qt loaded)."""
    code = ("import sys, pixie_desktop.ui.app as a, pixie_desktop.integration.preflight as p\n"
            "def boom(args): raise ImportError('libEGL.so.1: cannot open shared object file')\n"
            "a.run_gui = boom\n"
            "p.notify = lambda *x: True\n"
            "from pixie_desktop.__main__ import main\n"
            "sys.exit(main([]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "could not start" in out.stderr and "libEGL.so.1" in out.stderr
    assert "libEGL.so.1" in (tmp_path / "logs" / logs.LOG_FILE_NAME).read_text(encoding="utf-8")


def test_default_log_dir_is_the_platform_user_log_dir(monkeypatch):
    from platformdirs import user_log_dir

    monkeypatch.delenv(logs.LOG_DIR_ENV, raising=False)
    monkeypatch.delenv("PIXIE_ROOT", raising=False)
    assert str(logs.log_dir()) == user_log_dir("pixie-desktop", appauthor=False)
