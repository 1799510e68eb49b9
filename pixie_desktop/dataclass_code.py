"""Compiled dataclass methods, kept between starts.

The `dataclasses` module writes each method it generates (`__init__`, `__repr__`, `__eq__`,
`__setattr__` of a frozen class …) as source text and compiles it while the class statement
runs. Pixie Desktop defines about 40 dataclasses on the way to its first paint, which comes to
some 140 compiles: 10-15 ms of every start (benchmarks/ui.py), on the UI thread.

`install(path)` gives the dataclasses module its own `exec` (a module global, found before the
builtin): the same text is compiled once with the same filename and flags, and the code objects
are kept in a marshal file, so later starts only load them. `save()` writes the file again when
new texts were compiled (after the first paint and at exit). The file is a cache: a missing,
unreadable, foreign (another Python) or damaged one is ignored and rewritten. Stdlib only (its one
import of ours, artefacts/reading.py, is too): it runs before anything else is imported."""

from __future__ import annotations

import marshal
import os
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

FILE_NAME = f"dataclass-code.{sys.implementation.cache_tag}.marshal"
MAX_BYTES = 4 * 1024 * 1024   # far above what the app's dataclasses need (~0.2 MB)
MAX_ENTRIES = 5000


def _header() -> bytes:
    """What a file must start with: the bytecode magic, the exact interpreter and -O level."""
    import importlib.util  # already loaded by the interpreter's start (runpy) on a real launch

    return b"PIXIE-DC1\n" + importlib.util.MAGIC_NUMBER + f"{sys.version}|{sys.flags.optimize}\n".encode()


class _State:
    def __init__(self) -> None:
        self.path: Path | None = None
        self.codes: dict[str, CodeType] = {}
        self.saved: int = 0          # how many of `codes` the file on disk holds
        self.compiled = 0            # texts compiled in this process (tests read it)
        self.lock = threading.Lock()


_state = _State()


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002 - exec's names
    """`exec` as the dataclasses module calls it, with each distinct source text compiled once."""
    if type(source) is str:
        code = _state.codes.get(source)
        if code is None:
            # what exec(str) does: filename "<string>", no inherited __future__ flags (the
            # dataclasses module has none), the interpreter's own optimisation level
            code = compile(source, "<string>", "exec", dont_inherit=True)
            if len(_state.codes) < MAX_ENTRIES:
                _state.codes[source] = code
            _state.compiled += 1
        source = code
    exec(source, globals, locals)  # noqa: S102 - the dataclasses module's own generated code


def default_path() -> Path:
    """`<PIXIE_ROOT>/.cache/…` when the data root is redirected (tests, portable data dirs), else
    the user's cache directory. Not `config.app_root()`: config defines dataclasses itself."""
    root = os.environ.get("PIXIE_ROOT")
    if root:
        return Path(root).expanduser() / ".cache" / FILE_NAME
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pixie-desktop", appauthor=False)) / FILE_NAME


def _load(path: Path) -> dict[str, CodeType]:
    from pixie_desktop.artefacts.reading import read_prefix  # stdlib-only, like this module

    try:  # a regular file only, not a link: a FIFO or a device put here must not hang or feed the start
        data = read_prefix(path, MAX_BYTES + 1, follow_links=False)
    except OSError:  # includes NotARegularFile
        return {}
    head = _header()
    if len(data) > MAX_BYTES or not data.startswith(head):
        return {}
    try:
        codes = marshal.loads(data[len(head):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or len(codes) > MAX_ENTRIES:
        return {}
    if not all(type(k) is str and type(v) is CodeType for k, v in codes.items()):
        return {}
    return codes


def install(path: Path | None = None) -> None:
    """Load the kept code objects from `path` (default: `default_path()`) and route the
    dataclasses module's compiles through them. Only the first call does anything."""
    import dataclasses

    if _state.path is not None or "exec" in vars(dataclasses):
        return
    try:
        _state.path = Path(path) if path is not None else default_path()
    except Exception:  # noqa: BLE001 - no cache location: dataclasses compile as they always did
        return
    loaded = _load(_state.path)
    _state.codes.update(loaded)
    _state.saved = len(loaded)
    dataclasses.exec = _exec  # type: ignore[attr-defined]


def uninstall() -> None:
    """Give the dataclasses module back its builtin exec and forget the cache (tests)."""
    import dataclasses

    if vars(dataclasses).get("exec") is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _state.__init__()  # type: ignore[misc]


def save() -> bool:
    """Write the cache when this process compiled texts the file does not hold yet; True if
    written. Atomic (a concurrent start reads the old file or the new one); never raises."""
    path = _state.path
    with _state.lock:
        if path is None or len(_state.codes) <= _state.saved:
            return False  # nothing the file does not hold: no copy, no write
        codes = dict(_state.codes)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(_header() + marshal.dumps(codes))
            os.replace(tmp, path)
        except (OSError, ValueError):
            try:
                tmp.unlink()
            except OSError:
                pass
            return False
        _state.saved = len(codes)
        return True


def stats() -> dict[str, Any]:
    return {"path": _state.path, "entries": len(_state.codes), "saved": _state.saved,
            "compiled": _state.compiled, "installed": _state.path is not None}
