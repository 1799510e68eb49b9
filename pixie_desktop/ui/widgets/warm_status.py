"""Status-bar label counting the tool processes kept warm (polled every two seconds: the pool
has no change signal, and a count is cheap)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget


class WarmCountLabel(QLabel):
    def __init__(self, runner: Callable[[], Any], parent: QWidget | None = None, interval_ms: int = 2000):
        super().__init__("", parent)
        self._runner = runner  # returns the Runner if one exists (never creates it)
        self.setObjectName("WarmCount")
        self.setToolTip("Tool processes kept warm so their next run starts at once")
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.update_count)
        self.timer.start()
        self.update_count()

    def update_count(self) -> None:
        runner = self._runner()
        pool = getattr(runner, "pool", None)
        try:
            entries = pool.snapshot() if pool is not None else []
        except Exception:  # noqa: BLE001 - advisory: a pool mid-shutdown counts as none
            entries = []
        n = len(entries)
        self.setText(f"{n} warm process{'es' if n != 1 else ''}")
        values = getattr(getattr(runner, "settings", None), "values", None)
        if isinstance(values, dict) and values.get("developer_mode") and entries:
            # developer mode: which process is which (tool ids are plain text: no markup here)
            from pixie_desktop.ui.plain_text import plain_tooltip

            self.setToolTip(plain_tooltip("\n".join(
                f"{e.get('tool_id')}: pid {e.get('pid')}, port {e.get('port')}"
                + (", running" if e.get("in_flight") else f", idle {e.get('idle_s')} s") for e in entries)))
        else:
            self.setToolTip("Tool processes kept warm so their next run starts at once")

    def stop(self) -> None:
        self.timer.stop()
