"""The base of every form field: `InputWidget` (value/set_value/validate/set_error) and the
registry `INPUT_WIDGETS` that `create_input` uses to build the right widget for an input spec.

A subclass builds its editor in `_build()`, reads it in `_read()` and writes it in `_write()`.
The base makes `value()` and `set_value()` safe: a read that fails yields None and a write of a
wrong-shaped value clears the field instead of raising, because prefilled values come from old
runs and hand-edited tool.json files."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pixie_desktop.manifest.model import InputSpec

log = logging.getLogger(__name__)

INPUT_WIDGETS: dict[str, type["InputWidget"]] = {}


def register(*types: str) -> Callable[[type["InputWidget"]], type["InputWidget"]]:
    def deco(cls: type["InputWidget"]) -> type["InputWidget"]:
        for t in types:
            INPUT_WIDGETS[t] = cls
        return cls
    return deco


def is_empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (list, dict, tuple)) and len(value) == 0)


def as_float(value: Any) -> float | None:
    """A finite float from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def short_json(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InputWidget(QWidget):
    """One form field. `changed` fires on every user or programmatic edit."""

    changed = Signal()
    #: True for widgets the form should not show (hidden inputs).
    visible_in_form = True
    #: True when the widget draws its own label (checkbox/toggle put the label beside the box).
    owns_label = False

    def __init__(self, spec: InputSpec, parent: QWidget | None = None, **kw: Any):
        super().__init__(parent)
        self.spec = spec
        self._kw = kw
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self._outer.setSpacing(4)
        self._error = QLabel(self)
        self._error.setTextFormat(Qt.TextFormat.PlainText)  # messages can quote the tool's own words
        self._error.setObjectName("ErrorText")
        self._error.setWordWrap(True)
        self._error.hide()
        self._building = True
        self._build()
        self._outer.addWidget(self._error)
        self._building = False
        self.set_value(spec.default)

    # -- subclass hooks -------------------------------------------------------------------
    def _build(self) -> None:
        raise NotImplementedError

    def _read(self) -> Any:
        raise NotImplementedError

    def _write(self, value: Any) -> None:
        """Show `value`; raise (any exception) when it has the wrong shape."""
        raise NotImplementedError

    def _clear(self) -> None:
        self._write(None)

    def _extra_problem(self, value: Any) -> str | None:
        """Type-specific checks beyond "required" (min/max, length, syntax, row counts)."""
        return None

    # -- public API -----------------------------------------------------------------------
    def body_layout(self) -> QVBoxLayout:
        return self._outer

    def add_body(self, w: QWidget) -> None:
        self._outer.addWidget(w)

    def add_wrapping_row(self, *items: QWidget | tuple[QWidget, ...], spacing: int = 6) -> QWidget:
        """A row that wraps onto more lines when the form column is narrow (map coordinates, date
        ranges, button rows): each item is a widget, or a tuple of widgets kept together."""
        from PySide6.QtWidgets import QHBoxLayout

        from pixie_desktop.ui.views.flow_layout import FlowLayout

        row = QWidget(self)
        flow = FlowLayout(row, spacing=spacing)
        for item in items:
            if isinstance(item, tuple):
                group = QWidget(row)
                lay = QHBoxLayout(group)
                lay.setContentsMargins(0, 0, 0, 0)
                lay.setSpacing(4)
                for w in item:
                    w.setParent(group)
                    lay.addWidget(w)
                flow.addWidget(group)
            else:
                item.setParent(row)
                flow.addWidget(item)
        self._outer.addWidget(row)
        return row

    def value(self) -> Any:
        try:
            v = self._read()
        except Exception:  # noqa: BLE001 - a half-edited field reads as empty, never raises
            return None
        return None if is_empty(v) and not isinstance(v, bool) else v

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        try:
            try:
                self._write(value)
            except Exception:  # noqa: BLE001 - wrong-shaped prefill: clear instead of crashing
                try:
                    self._clear()
                except Exception:  # noqa: BLE001 - the field keeps its default; the form still opens
                    log.exception("could not clear input %s after a bad prefill", getattr(self, "key", "?"))
        finally:
            self.blockSignals(False)
        self.set_error(None)
        self.changed.emit()

    def validate(self) -> str | None:
        v = self.value()
        if self.spec.required and is_empty(v):
            return "This field is required."
        if is_empty(v):
            return None
        try:
            return self._extra_problem(v)
        except Exception as exc:  # noqa: BLE001
            return f"Invalid value: {exc}"

    def set_error(self, message: str | None) -> None:
        if message:
            self._error.setText(message)
            self._error.show()
        else:
            self._error.clear()
            self._error.hide()

    def error_text(self) -> str | None:
        return self._error.text() if self._error.isVisible() or self._error.text() else None

    def accepts_files(self, paths: list[Path]) -> bool:
        return False

    def drop_files(self, paths: list[Path]) -> list[str]:
        return [f"{self.spec.label} does not take files."] if paths else []

    def focus_editor(self) -> None:
        self.setFocus()

    def _emit(self, *_: Any) -> None:
        """Slot for editor signals: clear a stale error message and tell the form."""
        if self._building:
            return
        if self._error.isVisible():
            self.set_error(None)
        self.changed.emit()


def create_input(spec: InputSpec, parent: QWidget | None = None, **kw: Any) -> InputWidget:
    """Build the widget for `spec.type`; an unknown type gets a plain text field."""
    from pixie_desktop.ui.inputs import _load_all

    _load_all()
    cls = INPUT_WIDGETS.get(spec.type) or INPUT_WIDGETS["text"]
    return cls(spec, parent, **kw)


class PlainTextValue:
    """`_read`/`_write` for inputs whose value is the plain text of `self.edit` (textarea, code,
    markdown): None clears it, a string fills it, anything else is refused."""

    def _read(self) -> Any:
        return self.edit.toPlainText()  # type: ignore[attr-defined]

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear()  # type: ignore[attr-defined]
        elif isinstance(value, str):
            self.edit.setPlainText(value)  # type: ignore[attr-defined]
        else:
            raise TypeError(f"{self.spec.type} expects a string")  # type: ignore[attr-defined]


class LineTextValue:
    """`_read`/`_write` for inputs whose value is the text of a one-line `self.edit` (text,
    autocomplete): numbers are shown as text, None clears it, anything else is refused."""

    def _read(self) -> Any:
        return self.edit.text()  # type: ignore[attr-defined]

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear()  # type: ignore[attr-defined]
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            self.edit.setText(str(value))  # type: ignore[attr-defined]
        else:
            raise TypeError(f"{self.spec.type} expects a string")  # type: ignore[attr-defined]
