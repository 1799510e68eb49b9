"""`pixie-desktop install-desktop-entry [--uninstall]`: put Pixie Desktop in the Linux app menu
(freedesktop .desktop file + hicolor icons under $XDG_DATA_HOME), or take it out again."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("install-desktop-entry",
                       help="add Pixie Desktop to the app menu (Linux: .desktop file + icons)")
    p.add_argument("--uninstall", action="store_true", help="remove the desktop entry and icons")
    p.add_argument("--print", dest="print_only", action="store_true",
                   help="print the desktop entry that would be written and exit")
    p.set_defaults(handler=run)


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.integration import entry
    from pixie_desktop.integration import paths

    if ns.print_only:
        sys.stdout.write(entry.render_entry())
        return 0
    if not sys.platform.startswith("linux") and not ns.uninstall:
        print("install-desktop-entry writes a freedesktop launcher (Linux/BSD desktops). For macOS and "
              "Windows see docs/desktop-integration.md.", file=sys.stderr)
    try:
        report = entry.uninstall() if ns.uninstall else entry.install()
    except (entry.EntryError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if ns.uninstall:
        if report.removed:
            for p in report.removed:
                print(f"removed {p}")
        else:
            print("nothing to remove: the desktop entry was not installed")
    else:
        for p in report.written:
            print(f"wrote {p}")
        print(f"launcher: {paths.shell_display(paths.launcher_command())}")
        problems = entry.validate(paths.desktop_file_path())
        if problems:
            print("desktop-file-validate: " + "; ".join(problems), file=sys.stderr)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
