"""The frozen (PyInstaller) build's "hidden interpreter": the bundled `pixie-desktop` executable
doubles as the Python that zero-setup tools run on, because a packaged install has no other.

    pixie-desktop --pixie-run-python main.py --port 8123      # like `python main.py --port 8123`
    pixie-desktop --pixie-run-python -m package.module args   # like `python -m package.module`
    pixie-desktop --pixie-run-python -c "print(1)" args       # like `python -c …`

The launcher asks `python_command()` for the argv prefix that means "the app's Python": the
interpreter itself in a normal install, `[executable, HIDDEN_FLAG]` in the frozen one. The
packaging entry script (packaging/entry.py) dispatches the flag before importing anything else,
so a tool's cold start pays for nothing but the bundle's Python. Tools with their own `.venv`
never come here: they run on their own interpreter. Qt-free and stdlib-only."""

from __future__ import annotations

import os
import runpy
import shutil
import sys

HIDDEN_FLAG = "--pixie-run-python"

# Interpreter options that take no value and change nothing that matters inside the bundle (its
# Python is already isolated from the user's site-packages and environment); accepted so argv
# written for a real `python` (e.g. `-I -c …` probes) works unchanged.
_IGNORED_OPTIONS = set("IuBEsSOqd")


def is_frozen() -> bool:
    """True inside a PyInstaller (or similar) bundle, where sys.executable is the app, not Python."""
    return bool(getattr(sys, "frozen", False))


def python_command() -> list[str]:
    """The argv prefix that runs Python code on the app's own interpreter."""
    if is_frozen():
        return [sys.executable, HIDDEN_FLAG]
    return [sys.executable]


def base_python_for_venv() -> str | None:
    """An interpreter that can create a tool's `.venv`: the app's own in a normal install; in the
    frozen app (whose executable cannot make a venv) the `python3` on PATH, or None."""
    if not is_frozen():
        return sys.executable
    return shutil.which("python3") or shutil.which("python")


class UsageError(Exception):
    """The hidden mode was given arguments `python` would refuse."""


def _parse(argv: list[str]) -> tuple[str, str, list[str]]:
    """(kind, target, rest) with kind one of "script", "module", "code"."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        if arg in ("-c", "-m"):
            if i + 1 >= len(argv):
                raise UsageError(f"Argument expected for the {arg} option")
            kind = "code" if arg == "-c" else "module"
            return kind, argv[i + 1], argv[i + 2:]
        if arg.startswith(("-c", "-m")) and len(arg) > 2:  # `-cCODE` / `-mmodule`, as python allows
            return ("code" if arg[1] == "c" else "module"), arg[2:], argv[i + 1:]
        if arg in ("-W", "-X"):  # warning / implementation options: value ignored
            i += 2
            continue
        flags = arg[1:]
        if not flags or any(f not in _IGNORED_OPTIONS for f in flags):
            raise UsageError(f"unknown option {arg} (the bundled Python runs a script, -m module or -c code)")
        i += 1
    if i >= len(argv):
        raise UsageError("nothing to run: give a script, -m module or -c code")
    return "script", argv[i], argv[i + 1:]


def run_python(argv: list[str]) -> int:
    """Behave like `python ARGV…` for the forms tools use; returns the exit code."""
    try:
        kind, target, rest = _parse(list(argv))
    except UsageError as exc:
        print(f"pixie-desktop {HIDDEN_FLAG}: {exc}", file=sys.stderr)
        return 2
    try:
        if kind == "script":
            script = os.path.abspath(target)
            if not os.path.exists(script):
                print(f"pixie-desktop {HIDDEN_FLAG}: can't open file {target!r}: no such file", file=sys.stderr)
                return 2
            sys.argv = [target, *rest]
            # like python: the script's folder first on sys.path, so its sibling modules import
            sys.path.insert(0, os.path.dirname(script))
            runpy.run_path(script, run_name="__main__")
        elif kind == "module":
            sys.argv = [target, *rest]  # runpy replaces argv[0] with the module's file
            sys.path.insert(0, os.getcwd())
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["-c", *rest]
            sys.path.insert(0, "")
            main = sys.modules["__main__"]
            namespace = {"__name__": "__main__", "__builtins__": __builtins__, "__doc__": None,
                         "__spec__": None, "__loader__": getattr(main, "__loader__", None)}
            exec(compile(target, "<string>", "exec"), namespace)  # noqa: S102 - this IS `python -c`
    except SystemExit as exc:
        code = exc.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except Exception:  # noqa: BLE001 - like python: the traceback on stderr, exit code 1
        import traceback

        traceback.print_exc()
        return 1
    return 0
