"""The main window's pages by key, some built only when first needed: History, Gallery and the
Tools overview are not on screen at start, so building them (their imports, models and first
queries) waits until the user opens them or code asks for them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Iterator

from PySide6.QtWidgets import QWidget


class Pages(Mapping):
    """The window's pages by key: built ones and those registered with a factory, which is
    called (once) the first time the page is asked for. `key in pages` and iteration do not
    build anything; `built(key)` returns the page only if it exists already."""

    def __init__(self, on_built: Callable[[str, QWidget], None]):
        self._built: dict[str, QWidget] = {}
        self._factories: dict[str, Callable[[], QWidget | None]] = {}
        self._order: list[str] = []
        self._on_built = on_built

    def set(self, key: str, widget: QWidget | None = None, factory: Callable[[], QWidget | None] | None = None
            ) -> None:
        self.pop(key)
        self._order.append(key)
        if widget is not None:
            self._built[key] = widget
        else:
            self._factories[key] = factory  # type: ignore[assignment]

    def pop(self, key: str) -> QWidget | None:
        if key in self._order:
            self._order.remove(key)
        self._factories.pop(key, None)
        return self._built.pop(key, None)

    def built(self, key: str) -> QWidget | None:
        return self._built.get(key)

    def __getitem__(self, key: str) -> QWidget:
        if key in self._built:
            return self._built[key]
        factory = self._factories.pop(key, None)
        if factory is None:
            raise KeyError(key)
        widget = factory()
        if widget is None:  # the page could not be built (reported by its factory)
            self._order.remove(key)
            raise KeyError(key)
        self._built[key] = widget
        self._on_built(key, widget)
        return widget

    def __contains__(self, key: object) -> bool:
        return key in self._order

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)
