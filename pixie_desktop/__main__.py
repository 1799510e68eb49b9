"""`python -m pixie_desktop` and the `pixie-desktop` launcher: no subcommand → the GUI
(extra arguments are files/folders handed to the app); a subcommand → the headless CLI.

A GUI start never fails silently: the log file is opened first (every start leaves a line),
`integration/preflight.py` checks that Qt can open a window before the QApplication exists, and
an exception that escapes the start-up is logged and shown (a dialog when Qt is up, else stderr
and a desktop notification)."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("pixie_desktop.launch")


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # a real launch (tests call main with their own arguments, in their process)
        keep_code()
    args = list(sys.argv[1:] if argv is None else argv)
    if args:  # no arguments is the GUI: the CLI's parser (argparse, every command) is not needed
        from pixie_desktop import cli

        if cli.wants_cli(args):
            return cli.main(args)
    if argv is None:  # the window's start: no collector passes until it has painted
        from pixie_desktop import start_gc

        start_gc.pause()
    return gui(args)


def keep_code() -> None:
    """Before anything defines a dataclass or imports PySide6: their compiled code comes from the
    kept code (pixie_desktop/kept_code.py), and what this process compiles anew is kept at exit."""
    import atexit

    from pixie_desktop import kept_code

    kept_code.install()
    atexit.register(kept_code.save)


def gui(args: list[str]) -> int:
    from pixie_desktop import __version__
    from pixie_desktop.integration import preflight
    from pixie_desktop.logs import setup_logging

    path = setup_logging()
    log.info("starting pixie-desktop %s (python %s, log %s)", __version__, sys.version.split()[0], path)
    check = preflight.check_gui()
    if check.exit_code is not None:
        return check.exit_code
    try:
        from pixie_desktop.ui.app import run_gui

        return run_gui(args)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a silent exit
        log.exception("pixie-desktop failed to start")
        _show_start_failure(exc)
        return 1


def _show_start_failure(exc: BaseException) -> None:
    """A dialog when a QApplication exists; otherwise stderr, the log and a notification."""
    from pixie_desktop.logs import current_log_file

    where = current_log_file()
    text = f"{type(exc).__name__}: {exc}" + (f"\n\nThe details are in the log: {where}" if where else "")
    title = "Pixie Desktop could not start"
    if "PySide6.QtWidgets" in sys.modules:
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is not None:
                print(f"pixie-desktop: {title}\n{text}", file=sys.stderr)
                QMessageBox.critical(None, title, text)
                return
        except Exception:  # noqa: BLE001 - Qt itself is what broke: fall through to the plain paths
            log.debug("no dialog for the start-up failure", exc_info=True)
    from pixie_desktop.integration.preflight import tell_user

    tell_user(title, text)


if __name__ == "__main__":
    sys.exit(main())
