"""Entry script of the frozen (PyInstaller) `pixie-desktop` executable.

`--pixie-run-python …` is dispatched first, before anything but the stdlib and
pixie_desktop/__init__ is imported: it makes the executable the Python that zero-setup tools run
on (pixie_desktop/frozen.py), and a tool's cold start should not pay for the app's imports.
Everything else is the normal `pixie-desktop` (GUI or CLI); PIXIE_EXIT_AFTER_FIRST_PAINT=1 makes
the GUI quit after its first paint (the packaging checks, pixie_desktop/ui/exit_after_paint.py)."""

import os
import sys


def restore_library_path() -> None:
    """PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle (keeping the user's value in
    LD_LIBRARY_PATH_ORIG). The dynamic loader of this process read it at start, so taking it back
    changes nothing here; but every program the app or a tool starts (xdg-open and the browser it
    opens, python3 or uv setting up a tool's .venv, a tool's own commands) must load its own
    libssl/libstdc++/glib, not the bundle's. A bundled child (`--pixie-run-python`) gets the
    bundle's value again from its own bootloader."""
    orig = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if orig is not None:
        os.environ["LD_LIBRARY_PATH"] = orig
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


def main() -> int:
    restore_library_path()
    args = sys.argv[1:]
    if args[:1] == ["--pixie-run-python"]:
        from pixie_desktop.frozen import run_python

        return run_python(args[1:])
    if os.environ.get("PIXIE_EXIT_AFTER_FIRST_PAINT"):
        from pixie_desktop.ui import exit_after_paint

        return exit_after_paint.main(args)
    from pixie_desktop.__main__ import main as app_main

    return app_main()  # argv from sys.argv: a real launch (kept code, the collector's pause), as the venv's


if __name__ == "__main__":
    sys.exit(main())
