"""The "single-instance" extension: listens for a second launch (ui/single_instance.py). The
second launch hands over its arguments and exits; this window comes to the front and opens the
files or tool folders it was given. (Whether this process is the first is decided by the app
before the window is built: `SingleInstance.send`.)"""

from __future__ import annotations

from typing import Any, Callable


class SingleInstanceExtension:
    name = "single-instance"

    def __init__(self, single: Any, open_paths: Callable[[list[str]], None]):
        self.single = single            # a SingleInstance that did not find a running app
        self.open_paths = open_paths    # the app's handling of command-line paths

    def install(self, services: Any) -> None:
        from pixie_desktop.ui.single_instance import activate_window

        window = services.window

        def handover(message: dict) -> None:
            activate_window(window)
            args_in = message.get("args") if isinstance(message, dict) else None
            if isinstance(args_in, list):
                self.open_paths([str(a) for a in args_in])

        self.single.start(handover)

    def shutdown(self) -> None:
        self.single.stop()
