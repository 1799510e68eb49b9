"""The thin Qt layer: models over the store, delegates, input widgets, output renderers, views."""

import sys as _sys


def _reserve_true_references() -> None:
    """Work around a PySide6 6.12.0 bug: `SignalInstance.emit()` returns `True` WITHOUT a new
    reference, so every emit from Python drops one reference to `True`; after a few hundred
    emits CPython aborts with "bool_dealloc: deallocating True". CPython ≥ 3.12 makes True
    immortal (no effect there); on 3.11 we give True a large reference reserve. True is never
    freed anyway, so this only prevents the bogus abort. Remove when PySide6 is fixed."""
    if _sys.implementation.name != "cpython" or _sys.version_info >= (3, 12):
        return
    import ctypes

    ctypes.c_ssize_t.from_address(id(True)).value += 1 << 40


_reserve_true_references()
