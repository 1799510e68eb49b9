"""The thin Qt layer: models over the store, delegates, input widgets, output renderers, views."""

import sys as _sys


def _reserve_singleton_references() -> None:
    """Work around PySide6 6.12.0 reference-count bugs on Python's singletons:
    `SignalInstance.emit()` returns `True` without a new reference, and `QModelIndex.data()`
    returns `None` (when a Python model answers None) without one, so every call drops a
    reference; after some hundreds/thousands of calls CPython aborts with
    "bool_dealloc"/"none_dealloc". CPython ≥ 3.12 makes these objects immortal (no effect
    there); on 3.11 we give them a large reference reserve. They are never freed anyway, so
    this only prevents the bogus abort. Remove when PySide6 is fixed."""
    if _sys.implementation.name != "cpython" or _sys.version_info >= (3, 12):
        return
    import ctypes

    for obj in (True, False, None):
        ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40


_reserve_singleton_references()
