"""Guard against the PySide6 reference-count bug that made 6.12.0 abort the interpreter: many
signal emissions and None-returning model reads must not change the singletons' refcounts."""

from __future__ import annotations

import sys

from PySide6.QtCore import QAbstractTableModel, QObject, Qt, Signal


class _Emitter(QObject):
    ping = Signal(object)


class _NoneModel(QAbstractTableModel):
    def rowCount(self, parent=None):  # noqa: N802 - Qt API
        return 1

    def columnCount(self, parent=None):  # noqa: N802 - Qt API
        return 1

    def data(self, index, role=Qt.DisplayRole):
        return None


def test_emit_and_data_keep_singleton_refcounts(qapp):
    e = _Emitter()
    e.ping.connect(lambda v: None)
    m = _NoneModel()
    idx = m.index(0, 0)
    if sys.version_info >= (3, 12):
        return  # True/None are immortal there; the bug cannot abort
    t0, n0 = sys.getrefcount(True), sys.getrefcount(None)
    for i in range(5000):
        e.ping.emit(i)
        idx.data(Qt.UserRole)
    assert abs(sys.getrefcount(True) - t0) < 100
    assert abs(sys.getrefcount(None) - n0) < 100
