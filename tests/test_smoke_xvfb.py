"""A real window on a real X server (issue 17 item 4). Runs the installed `pixie-desktop`
entry point on Xvfb with Qt's default platform (xcb, so the preflight and the xcb libraries are
exercised), waits for a window titled "… — Pixie Desktop", hands it a run from the command line
(so a warm tool process exists), takes a screenshot, closes the window the way a window manager
does (a WM_DELETE_WINDOW client message) and checks the app exits 0 leaving no tool process.

Skipped only when Xvfb is not installed; `.ci/run` installs it (with x11-utils for xwininfo and
x11-apps for xwd). Generous timeouts: the machine may be loaded. How long the window took to map
is printed (and over 10 s is a warning, not a failure: timings are not asserted in tests)."""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from fixtures_ui_shell import copy_bundled

pytestmark = [pytest.mark.skipif(shutil.which("Xvfb") is None,
                                 reason="Xvfb is not installed (apt-get install xvfb; .ci/run installs it)"),
              pytest.mark.timeout(600)]  # generous: a loaded 2-core machine

MAP_TARGET_S = 10.0      # issue 17: the window maps within 10 s (reported, see the module doc)
MAP_TIMEOUT_S = 90.0     # what the test waits before failing
EXIT_TIMEOUT_S = 60.0
TITLE = re.compile(r'^\s*(0x[0-9a-fA-F]+) "(.+ — Pixie Desktop)":')


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    """Xvfb on a free display (it picks one and writes its number to a pipe when ready)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    number = b""
    deadline = time.monotonic() + 30
    try:
        while not number.endswith(b"\n") and time.monotonic() < deadline:
            import select

            ready, _, _ = select.select([read_fd], [], [], 1.0)
            if ready:
                chunk = os.read(read_fd, 16)
                if not chunk:
                    break
                number += chunk
    finally:
        os.close(read_fd)
    if not number.strip():
        _stop(proc)
        pytest.fail("Xvfb did not start")
    return proc, f":{number.decode().strip()}"


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        if proc is not None:
            proc.wait()
        return
    proc.send_signal(sig)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _windows(display: str) -> dict[int, str]:
    """Top-level windows titled "… — Pixie Desktop" that are mapped, by id."""
    env = {**os.environ, "DISPLAY": display}
    tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, capture_output=True, text=True, timeout=30)
    found = {}
    for line in tree.stdout.splitlines():
        m = TITLE.match(line)
        if m:
            info = subprocess.run(["xwininfo", "-id", m.group(1)], env=env, capture_output=True, text=True, timeout=30)
            if "IsViewable" in info.stdout:
                found[int(m.group(1), 16)] = m.group(2)
    return found


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("l", ctypes.c_long * 5)]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def _close_like_a_window_manager(display: str, window: int) -> None:
    """Send WM_PROTOCOLS / WM_DELETE_WINDOW to the window: what a window manager's close button does."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_XEvent)]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    dpy = x11.XOpenDisplay(display.encode())
    assert dpy, f"cannot open display {display}"
    try:
        ev = _XEvent()
        ev.xclient.type = 33  # ClientMessage
        ev.xclient.window = window
        ev.xclient.message_type = x11.XInternAtom(dpy, b"WM_PROTOCOLS", False)
        ev.xclient.format = 32
        ev.xclient.l[0] = x11.XInternAtom(dpy, b"WM_DELETE_WINDOW", False)
        x11.XSendEvent(dpy, window, False, 0, ctypes.byref(ev))
        x11.XFlush(dpy)
    finally:
        x11.XCloseDisplay(dpy)


def _screenshot(display: str, out: Path) -> Path:
    """The whole screen with xwd, converted to PNG (XWD: big-endian header, then the name, the
    colour map and the rows)."""
    raw = out.with_suffix(".xwd")
    subprocess.run(["xwd", "-root", "-silent", "-out", str(raw)], env={**os.environ, "DISPLAY": display},
                   check=True, timeout=60)
    data = raw.read_bytes()
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height, bpp, bytes_per_line, ncolors = (fields[0], fields[4], fields[5], fields[11],
                                                                fields[12], fields[19])
    assert bpp == 32, f"unexpected xwd depth {bpp}"
    start = header_size + 12 * ncolors
    pixels = data[start:start + bytes_per_line * height]
    from PySide6.QtGui import QImage

    img = QImage(pixels, width, height, bytes_per_line, QImage.Format.Format_RGB32).copy()
    assert img.save(str(out), "PNG")
    return out


def _distinct_colours(png: Path) -> int:
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    return len({img.pixel(x, y) for x in range(0, img.width(), 16) for y in range(0, img.height(), 16)})


def _entry_point() -> Path:
    exe = Path(sys.executable).with_name("pixie-desktop")
    assert exe.exists(), f"the pixie-desktop entry point is not installed next to {sys.executable}"
    return exe


def _hand_over_a_run(env: dict, db_path: Path) -> int | None:
    """Run calculator through the CLI until the app (not the CLI) ran it; the app's tool pid."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        out = subprocess.run([str(_entry_point()), "run", "calculator", "-i", "a=6", "-i", "b=7", "--json"],
                             env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        import sqlite3

        with sqlite3.connect(db_path) as conn:
            row = conn.execute("SELECT meta_json FROM runs WHERE id=?", (json.loads(out.stdout)["run_id"],)).fetchone()
        meta = json.loads(row[0] or "{}")
        if meta.get("via") == "app":
            return int(meta["tool_pid"])
        time.sleep(1)  # the app had not discovered the tool yet: the CLI ran it itself
    return None


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def test_the_installed_app_maps_a_window_on_x11_and_closes_cleanly(tmp_path, isolated_env, tools_dir):
    for tool in ("xwininfo", "xwd"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install x11-utils and x11-apps with Xvfb (.ci/run does)")
    copy_bundled(tools_dir, "calculator")
    xvfb, display = _start_xvfb()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = display
    app = None
    tool_pid = None
    out = open(tmp_path / "app.out", "wb")  # noqa: SIM115 - closed in the finally below
    try:
        t0 = time.monotonic()
        app = subprocess.Popen([str(_entry_point())], env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
        windows: dict[int, str] = {}
        while not windows and time.monotonic() - t0 < MAP_TIMEOUT_S and app.poll() is None:
            time.sleep(0.25)
            windows = _windows(display)
        mapped_after = time.monotonic() - t0
        log = (tmp_path / "app.out").read_text(errors="replace")
        assert windows, f"no '… — Pixie Desktop' window (exit code {app.poll()}); output:\n{log}"
        print(f"\nwindow {list(windows.values())} mapped {mapped_after:.1f} s after spawn")
        if mapped_after > MAP_TARGET_S:
            warnings.warn(f"the window took {mapped_after:.1f} s to map (target {MAP_TARGET_S:.0f} s); "
                          "a loaded machine?", stacklevel=1)

        tool_pid = _hand_over_a_run(env, isolated_env["db"])
        assert tool_pid is not None, "the open app never took a run from the command line"
        assert _alive(tool_pid)  # the app keeps it warm

        shot = _screenshot(display, tmp_path / "smoke-xvfb.png")
        assert _distinct_colours(shot) > 3, "the screenshot is blank: nothing was painted"
        if os.environ.get("PIXIE_SMOKE_SCREENSHOT"):
            shutil.copyfile(shot, os.environ["PIXIE_SMOKE_SCREENSHOT"])

        for window in windows:
            _close_like_a_window_manager(display, window)
        try:
            code = app.wait(EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.fail("the app did not exit after its window was closed")
        assert code == 0, (tmp_path / "app.out").read_text(errors="replace")
        deadline = time.monotonic() + 10
        while _alive(tool_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(tool_pid), "the app left its tool process behind"
    finally:
        if app is not None and app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        if tool_pid is not None and _alive(tool_pid):  # never leave it running for the next test
            try:
                os.killpg(tool_pid, signal.SIGKILL)
            except OSError:
                pass
        out.close()
        _stop(xvfb)
