"""Compiled code kept between starts.

Two things compile the same source text on every start, on the UI thread, before the window can
paint. This module compiles each text once and keeps the code objects in a marshal file, so later
starts only load them:

- **dataclass methods.** The `dataclasses` module writes each method it generates (`__init__`,
  `__repr__`, `__eq__`, `__setattr__` of a frozen class …) as source text and compiles it while
  the class statement runs. Pixie Desktop defines about 40 dataclasses on the way to its first
  paint: some 140 compiles, 10-15 ms. `install(path)` gives the dataclasses module its own `exec`
  (a module global, found before the builtin) that looks each text up first.
- **PySide6's signature support.** shiboken6 carries its Python helpers (`shibokensupport`, ~15
  modules) as a zip inside its library and compiles each one from source the first time PySide6
  is imported: 15-19 ms of every start. `compiling_pyside_support()` wraps that first import;
  while it runs, `compile(<bytes>, filename, "exec")` looks the source up by its filename,
  `__future__` flags and sha1. The builtin is given back as the import returns.

Each code object is what the builtin would make of the same text, filename and flags (a cached
code object is what a `.pyc` holds). `save()` writes the file again when new texts were compiled
(after the first paint and at exit). The file is a cache: a missing, unreadable, foreign (another
Python) or damaged one is ignored and rewritten. Stdlib only (its imports of ours, hashing.py and
artefacts/reading.py, are too): it runs before anything else is imported."""

from __future__ import annotations

import __future__

import builtins
import marshal
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any, Union

from pixie_desktop.hashing import sha1

FILE_NAME = f"kept-code.{sys.implementation.cache_tag}.marshal"
OLD_FILE_NAMES = (f"dataclass-code.{sys.implementation.cache_tag}.marshal",)  # removed by save()
# ~5× what the app needs (0.1 MB of dataclass methods, 0.25 MB of PySide6's modules). Old entries
# stay after an upgrade; a file grown past this is dropped and rebuilt from one start's code.
MAX_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 5000

# A dataclass method's source text, or (filename, compile flags, sha1 of the source bytes).
Key = Union[str, tuple[str, int, bytes]]

_builtin_compile = builtins.compile
_FUTURE_FLAGS = 0  # the flags a `from __future__ import …` adds: compile() passes the caller's on
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


def _header() -> bytes:
    """What a file must start with: the bytecode magic, the exact interpreter and -O level."""
    import importlib.util  # already loaded by the interpreter's start (runpy) on a real launch

    return b"PIXIE-KC1\n" + importlib.util.MAGIC_NUMBER + f"{sys.version}|{sys.flags.optimize}\n".encode()


class _State:
    def __init__(self) -> None:
        self.path: Path | None = None
        self.codes: dict[Key, CodeType] = {}
        self.saved: int = 0          # how many of `codes` the file on disk holds
        self.compiled = 0            # texts compiled in this process (tests read it)
        self.lock = threading.Lock()


_state = _State()


def _kept(key: Key, source: Any, filename: str, flags: int) -> CodeType:
    """The code kept under `key`, else `source` compiled now (as the builtin, without inheriting
    anything from here) and kept."""
    code = _state.codes.get(key)
    if code is None:
        code = _builtin_compile(source, filename, "exec", flags, True)
        if len(_state.codes) < MAX_ENTRIES:
            _state.codes[key] = code
        _state.compiled += 1
    return code


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:  # noqa: A002 - exec's names
    """`exec` as the dataclasses module calls it, with each distinct source text compiled once."""
    if type(source) is str:
        # what exec(str) does: filename "<string>", no inherited __future__ flags (the
        # dataclasses module has none), the interpreter's own optimisation level
        source = _kept(source, source, "<string>", 0)
    exec(source, globals, locals)  # noqa: S102 - the dataclasses module's own generated code


def _compile(source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False,
             optimize: int = -1, *, _feature_version: int = -1) -> Any:
    """`compile` while PySide6's support modules are compiled (compiling_pyside_support): a bytes
    source compiled to code for "exec" is looked up first; anything else goes to the builtin."""
    if not dont_inherit:  # as the builtin: the caller's `from __future__` imports apply (not ours)
        flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS  # noqa: SLF001
    if (type(source) is not bytes or type(filename) is not str or mode != "exec" or flags & ~_FUTURE_FLAGS
            or optimize != -1 or _feature_version != -1):
        return _builtin_compile(source, filename, mode, flags, True, optimize, _feature_version=_feature_version)
    return _kept((filename, flags, sha1(source).digest()), source, filename, flags)


@contextmanager
def compiling_pyside_support() -> Iterator[None]:
    """Around the process's first PySide6 import: shiboken6 compiles its support modules from the
    source it carries, and they come from the kept code instead. Does nothing unless the cache
    is installed (a real launch) or when PySide6 is already imported."""
    if _state.path is None or "shiboken6" in sys.modules or builtins.compile is not _builtin_compile:
        yield
        return
    builtins.compile = _compile
    try:
        yield
    finally:
        if builtins.compile is _compile:
            builtins.compile = _builtin_compile


def default_path() -> Path:
    """`<PIXIE_ROOT>/.cache/…` when the data root is redirected (tests, portable data dirs), else
    the user's cache directory. Not `config.app_root()`: config defines dataclasses itself."""
    root = os.environ.get("PIXIE_ROOT")
    if root:
        return Path(root).expanduser() / ".cache" / FILE_NAME
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pixie-desktop", appauthor=False)) / FILE_NAME


def _valid_key(key: Any) -> bool:
    if type(key) is str:
        return True
    return (type(key) is tuple and len(key) == 3 and type(key[0]) is str and type(key[1]) is int
            and type(key[2]) is bytes)


def _load(path: Path) -> dict[Key, CodeType]:
    from pixie_desktop.artefacts.reading import read_whole  # stdlib-only, like this module

    try:  # a regular file only, not a link: a FIFO or a device put here must not hang or feed the start
        data = read_whole(path, MAX_BYTES, follow_links=False)
    except OSError:  # includes NotARegularFile
        return {}
    head = _header()
    if data is None or not data.startswith(head):  # None: grown past the cap
        return {}
    try:
        codes = marshal.loads(data[len(head):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or len(codes) > MAX_ENTRIES:
        return {}
    if not all(_valid_key(k) and type(v) is CodeType for k, v in codes.items()):
        return {}
    return codes


def install(path: Path | None = None) -> None:
    """Load the kept code objects from `path` (default: `default_path()`) and route the
    dataclasses module's compiles through them (PySide6's: compiling_pyside_support). Only the
    first call does anything."""
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
    if builtins.compile is _compile:
        builtins.compile = _builtin_compile
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
            _forget_old_files(path.parent)
        except (OSError, ValueError):
            try:
                tmp.unlink()
            except OSError:
                pass
            return False
        _state.saved = len(codes)
        return True


def _forget_old_files(folder: Path) -> None:
    """The cache under an earlier name (dataclass code only): superseded by this file."""
    for name in OLD_FILE_NAMES:
        try:
            (folder / name).unlink()
        except OSError:
            pass


def stats() -> dict[str, Any]:
    return {"path": _state.path, "entries": len(_state.codes), "saved": _state.saved,
            "compiled": _state.compiled, "installed": _state.path is not None}
