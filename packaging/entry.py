"""Entry script of the frozen (PyInstaller) `pixie-desktop` executable.

`--pixie-run-python …` is dispatched first, before anything but the stdlib and
pixie_desktop/__init__ is imported: it makes the executable the Python that zero-setup tools run
on (pixie_desktop/frozen.py), and a tool's cold start should not pay for the app's imports.
Everything else is the normal `pixie-desktop` (GUI or CLI); PIXIE_EXIT_AFTER_FIRST_PAINT=1 makes
the GUI quit after its first paint (the packaging checks, pixie_desktop/ui/first_paint.py)."""

import os
import sys


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--pixie-run-python"]:
        from pixie_desktop.frozen import run_python

        return run_python(args[1:])
    if os.environ.get("PIXIE_EXIT_AFTER_FIRST_PAINT"):
        from pixie_desktop.ui import first_paint

        return first_paint.main(args)
    from pixie_desktop.__main__ import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
