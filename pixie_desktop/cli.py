"""The headless CLI. Each subcommand lives in `pixie_desktop/commands/<name>.py` and exposes
`register(subparsers)`; this module discovers them, so adding a command never edits this file.
Commands call the same core functions as the GUI."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sqlite3
import sys
from typing import Callable

from pixie_desktop import __version__

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _command_modules() -> list:
    import pixie_desktop.commands as pkg

    mods = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"pixie_desktop.commands.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pixie-desktop",
        description="Pixie Desktop: run with no arguments to open the app, or use a subcommand.")
    parser.add_argument("--version", action="version", version=f"pixie-desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        mod.register(sub)
    return parser


def command_names() -> set[str]:
    parser = build_parser()
    for action in parser._actions:  # noqa: SLF001 - argparse has no public accessor
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            return set(action.choices)
    return set()


def wants_cli(args: list[str]) -> bool:
    if not args:
        return False
    if args[0] in ("-h", "--help", "--version"):
        return True
    return args[0] in command_names()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    handler: Handler | None = getattr(ns, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from pixie_desktop.logs import setup_logging

    setup_logging()
    try:
        return int(handler(ns) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except sqlite3.DatabaseError as exc:  # a damaged pixie.db: a clear message, never a traceback
        from pixie_desktop.store.db import DatabaseUnreadable

        print(f"pixie-desktop: {exc if isinstance(exc, DatabaseUnreadable) else f'database error: {exc}'}",
              file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("pixie-desktop %s failed", ns.command)
        raise
