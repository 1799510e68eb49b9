"""Start the app and quit right after the main window's first paint: the packaging checks
(tests/test_packaging.py, scripts/package.sh) use it to prove an installed wheel or the frozen
bundle really reaches a painted window, without a test harness inside the app.

    PIXIE_EXIT_AFTER_FIRST_PAINT=1 /opt/pixie-desktop/pixie-desktop       # frozen (packaging/entry.py)
    python -c "from pixie_desktop.ui.exit_after_paint import main; raise SystemExit(main())"

It prints `first paint: N ms` (since this module was imported) on stderr and exits 0; if no paint
comes within PIXIE_FIRST_PAINT_TIMEOUT seconds (default 60) it exits 3. Not a user feature."""

from __future__ import annotations

import os
import sys
import time

ENV = "PIXIE_EXIT_AFTER_FIRST_PAINT"
TIMEOUT_ENV = "PIXIE_FIRST_PAINT_TIMEOUT"
NO_PAINT_EXIT = 3
_T0 = time.perf_counter()


def _install(app) -> object:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        """Application-wide event filter: the first Paint of a widget inside the main window."""

        def __init__(self) -> None:
            super().__init__(app)
            self.done = False

        def eventFilter(self, obj, event):  # noqa: N802 - Qt override
            if not self.done and event.type() == QEvent.Type.Paint and hasattr(obj, "window"):
                win = obj.window()
                if type(win).__name__ == "MainWindow" and win.isVisible():
                    self.done = True
                    print(f"first paint: {(time.perf_counter() - _T0) * 1000:.0f} ms", file=sys.stderr, flush=True)
                    QTimer.singleShot(0, win.close)  # closed as a user would: the normal shutdown path
                    QTimer.singleShot(0, app.quit)
            return False

    watcher = Watcher()
    app.installEventFilter(watcher)

    def give_up() -> None:
        if not watcher.done:
            print("first paint: none within the timeout", file=sys.stderr, flush=True)
            app.exit(NO_PAINT_EXIT)

    QTimer.singleShot(int(float(os.environ.get(TIMEOUT_ENV) or 60) * 1000), give_up)
    return watcher


def main(args: list[str] | None = None) -> int:
    """`pixie_desktop.__main__.main(args)` with the first-paint exit installed when the GUI starts."""
    args = list(sys.argv[1:] if args is None else args)
    from pixie_desktop.__main__ import main as app_main

    from pixie_desktop import cli

    if cli.wants_cli(args):
        return app_main(args)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "pixie-desktop", *args])
    _install(app)
    return app_main(args)
