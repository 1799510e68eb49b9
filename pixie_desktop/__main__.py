"""`python -m pixie_desktop` and the `pixie-desktop` launcher: no subcommand → the GUI
(extra arguments are files/folders handed to the app); a subcommand → the headless CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from pixie_desktop import cli

    if cli.wants_cli(args):
        return cli.main(args)
    from pixie_desktop.ui.app import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
