"""Checks made before the QApplication exists, so a launch never fails silently (issue 17).

On an X11 desktop Qt loads its xcb platform plugin (PySide6's plugins/platforms/libqxcb.so),
which needs a set of system libraries (`libxcb-cursor0` and the `libxcb-*` family) that many
desktops do not install. When one is missing Qt aborts before any window exists: a double-click
shows nothing and writes nothing. `check_gui()` loads each of those libraries first; when any is
missing it says exactly which packages to install — on stderr, in the log and as a desktop
notification (`notify-send`, when there is one) — and either falls back to Wayland (when a
Wayland session is there: QT_QPA_PLATFORM=wayland) or tells the launcher to exit non-zero.

With no display at all (a text console, plain SSH) it says so and exits non-zero too, instead of
Qt's abort. `tell_user()` is the same three-way message for any other failure before a window can
show.
Qt-free (the whole point: it runs when Qt cannot)."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, MutableMapping

log = logging.getLogger(__name__)

EXIT_MISSING_LIBRARIES = 3
EXIT_NO_DISPLAY = 4

# The libraries Qt's xcb plugin links (libqxcb.so → libQt6XcbQpa.so.6) that are not part of the
# PySide6 wheel, with the package that ships each: (Debian/Ubuntu, Fedora).
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
}


def _can_load(soname: str) -> bool:
    """Whether the dynamic loader finds and loads `soname` (what Qt's plugin load will need)."""
    import ctypes  # only for an X11 start (~2 ms otherwise)

    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


@dataclass
class Preflight:
    """What the check found. `exit_code` is None when the app may go on (possibly on Wayland)."""

    needed: bool                           # an X11 start was going to happen
    missing: list[str] = field(default_factory=list)
    message: str = ""
    fallback: str | None = None            # "wayland" when QT_QPA_PLATFORM was set to it
    plugin: Path | None = None
    exit_code: int | None = None

    @property
    def ok(self) -> bool:
        return not self.missing


def xcb_plugin() -> Path | None:
    """PySide6's libqxcb.so (found without importing PySide6), or None."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for sub in ("Qt/plugins/platforms", "plugins/platforms"):
            path = Path(folder, sub, "libqxcb.so")
            if path.is_file():
                return path
    return None


def wayland_plugin_present(plugin: Path | None) -> bool:
    if plugin is None:
        return True  # a system Qt: assume its Wayland plugin is there as usual
    return any(plugin.parent.glob("libqwayland*.so"))


def wants_xcb(env: Mapping[str, str]) -> bool:
    """Qt is about to use X11: QT_QPA_PLATFORM unset (X11 is Qt's default on Linux) or xcb, and an
    X display to connect to."""
    return sys.platform.startswith("linux") and bool(env.get("DISPLAY")) and _first_platform(env) in ("", "xcb")


def no_display(env: Mapping[str, str]) -> bool:
    """A window start with nowhere to show: Linux, Qt about to use X11 or Wayland (the default, or
    asked for), and neither an X display nor a Wayland socket named (a text console, plain SSH).
    Qt would abort there (SIGABRT) with its own plugin message."""
    return (sys.platform.startswith("linux") and _first_platform(env) in ("", "xcb", "wayland")
            and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"))


def _first_platform(env: Mapping[str, str]) -> str:
    """The platform plugin Qt tries first: QT_QPA_PLATFORM's first entry, without its options
    ("" when unset: Qt's default)."""
    return env.get("QT_QPA_PLATFORM", "").strip().split(";", 1)[0].split(":", 1)[0]


def missing_libraries(loader: Callable[[str], bool] | None = None) -> list[str]:
    loader = loader or _can_load
    return [soname for soname in XCB_LIBRARIES if not loader(soname)]


def install_hint(missing: list[str]) -> str:
    """Which packages to install for the missing libraries, per distribution family."""
    debian = list(dict.fromkeys(XCB_LIBRARIES[s][0] for s in missing if s in XCB_LIBRARIES))
    fedora = list(dict.fromkeys(XCB_LIBRARIES[s][1] for s in missing if s in XCB_LIBRARIES))
    return (f"  Debian, Ubuntu: sudo apt install {' '.join(debian)}\n"
            f"  Fedora:         sudo dnf install {' '.join(fedora)}")


def notify(title: str, body: str) -> bool:
    """A desktop notification through `notify-send` when it exists (never waits long)."""
    import shutil
    import subprocess

    exe = shutil.which("notify-send")
    if not exe:
        return False
    try:
        subprocess.run([exe, "--app-name=Pixie Desktop", "--urgency=critical", title, body],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=5, check=False)
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def tell_user(title: str, message: str, *, notifier: Callable[[str, str], bool] | None = None) -> None:
    """Say it on stderr, in the log and as a desktop notification: one of them reaches the user
    whether the app was started from a terminal or by a double-click."""
    try:
        print(f"pixie-desktop: {title}\n{message}", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # no stderr at all (a gui-script on some desktops)
        pass
    log.error("%s\n%s", title, message)
    (notifier or notify)(title, message)


def check_gui(env: MutableMapping[str, str] | None = None, *, loader: Callable[[str], bool] | None = None,
              notifier: Callable[[str, str], bool] | None = None) -> Preflight:
    """Run before creating the QApplication. May set env["QT_QPA_PLATFORM"] = "wayland"."""
    env = os.environ if env is None else env
    loader = loader or _can_load
    notifier = notifier or notify
    if no_display(env):
        body = ("No graphical session was found: neither DISPLAY (X11) nor WAYLAND_DISPLAY (Wayland) is "
                "set, as on a text console or over plain SSH.\nStart it from your desktop, or over SSH "
                "with X forwarding (ssh -X). The commands that need no window work anywhere: "
                "`pixie-desktop --help` lists them.")
        tell_user("Pixie Desktop has no screen to open its window on", body,
                  notifier=lambda *_: False)  # no session: nothing to show a notification on
        return Preflight(needed=True, message=body, exit_code=EXIT_NO_DISPLAY)
    if not wants_xcb(env):
        return Preflight(needed=False)
    plugin = xcb_plugin()
    missing = missing_libraries(loader)
    result = Preflight(needed=True, missing=missing, plugin=plugin)
    if not missing:
        return result
    title = "Pixie Desktop cannot open its window on X11"
    body = (f"Qt's X11 (xcb) platform plugin needs system libraries that are not installed: "
            f"{', '.join(missing)}.\nInstall them with:\n{install_hint(missing)}")
    if env.get("WAYLAND_DISPLAY") and wayland_plugin_present(plugin):
        env["QT_QPA_PLATFORM"] = "wayland"
        result.fallback = "wayland"
        body += "\nStarting on Wayland instead for now."
    else:
        result.exit_code = EXIT_MISSING_LIBRARIES
    result.message = body
    tell_user(title, body, notifier=notifier)
    return result
