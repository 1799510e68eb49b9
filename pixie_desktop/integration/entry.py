"""Install and remove the freedesktop launcher: `<XDG_DATA_HOME>/applications/pixie-desktop.desktop`
rendered from `resources/pixie-desktop.desktop.in`, plus the app icon (SVG + PNG sizes) into the
user's hicolor theme. `Icon=` is the theme name, `StartupWMClass=` equals the desktop file id
(the app calls `QGuiApplication.setDesktopFileName("pixie-desktop")`), so docks group the window
with its launcher."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from pixie_desktop import APP_ID
from pixie_desktop.integration import paths

# Characters that force an Exec argument to be quoted (Desktop Entry Spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


class EntryError(Exception):
    """A readable reason the launcher could not be installed."""


@dataclass
class InstallReport:
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def quote_exec_arg(arg: str) -> str:
    """Quote one Exec argument per the spec, then apply the key-file string escaping (a
    backslash is written as two)."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg) or arg == "":
        inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        arg = f'"{inner}"'
    return arg.replace("\\", "\\\\")


def render_entry(launcher: list[str] | None = None, template: Path | None = None) -> str:
    argv = launcher or paths.launcher_command()
    text = (template or paths.resources_dir() / f"{APP_ID}.desktop.in").read_text(encoding="utf-8")
    exec_value = " ".join(quote_exec_arg(a) for a in argv)
    # TryExec takes a plain path (no quoting rules); hides the entry if the launcher is gone.
    try_exec = argv[0].replace("\\", "\\\\")
    text = (text.replace("@EXEC@", exec_value).replace("@TRYEXEC@", try_exec)
            .replace("@ICON@", paths.ICON_NAME).replace("@WMCLASS@", APP_ID))
    leftover = re.search(r"@[A-Z]+@", text)
    if leftover:
        raise EntryError(f"the desktop entry template has an unfilled placeholder {leftover.group(0)}")
    return text


def _atomic_write(dest: Path, data: bytes, mode: int = 0o644) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.chmod(tmp, mode)
    os.replace(tmp, dest)


def _refresh_caches(report: InstallReport) -> None:
    """Best effort: the menu and icon caches pick the change up sooner. Missing tools are fine."""
    jobs = [("update-desktop-database", [str(paths.applications_dir())]),
            ("gtk-update-icon-cache", ["-f", "-t", "-q", str(paths.hicolor_dir())])]
    for tool, args in jobs:
        exe = shutil.which(tool)
        if not exe:
            continue
        try:
            subprocess.run([exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20,
                           check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            report.notes.append(f"{tool} failed: {exc}")


def install(launcher: list[str] | None = None, refresh: bool = True) -> InstallReport:
    """Write the desktop entry and icons. Idempotent; overwrites an older install."""
    report = InstallReport()
    svg = paths.icon_svg()
    if not svg.is_file():
        raise EntryError(f"the app icon is missing: {svg}")
    entry_text = render_entry(launcher)
    targets = paths.icon_install_paths()
    _atomic_write(targets["scalable"], svg.read_bytes())
    report.written.append(targets["scalable"])
    for n in paths.ICON_SIZES:
        png = paths.icon_png(n)
        if png.is_file():
            _atomic_write(targets[str(n)], png.read_bytes())
            report.written.append(targets[str(n)])
        else:
            report.notes.append(f"no {n}×{n} PNG in resources/icons (run scripts/render_icons.py)")
    # Executable so GNOME/Nautilus treat a copy on the desktop as a trusted launcher.
    dest = paths.desktop_file_path()
    _atomic_write(dest, entry_text.encode("utf-8"), mode=0o755)
    report.written.append(dest)
    if refresh:
        _refresh_caches(report)
    return report


def uninstall(refresh: bool = True) -> InstallReport:
    report = InstallReport()
    for target in [paths.desktop_file_path(), *paths.icon_install_paths().values()]:
        try:
            target.unlink()
            report.removed.append(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            report.notes.append(f"could not remove {target}: {exc}")
    if refresh and report.removed:
        _refresh_caches(report)
    return report


def installed() -> bool:
    return paths.desktop_file_path().is_file()


def validate(path: Path) -> list[str] | None:
    """Problems reported by `desktop-file-validate`, or None when that tool is not installed."""
    exe = shutil.which("desktop-file-validate")
    if not exe:
        return None
    proc = subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=20, check=False)
    lines = [ln.strip() for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
    if proc.returncode != 0 and not lines:
        lines = [f"desktop-file-validate exited {proc.returncode}"]
    return lines
