"""Tags (chip entry with suggestions), autocomplete (asks the tool's endpoint off the UI thread,
debounced, newest answer wins) and table (a typed row editor with min/max rows)."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCompleter, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableWidget,
    QTableWidgetItem, QToolButton, QWidget,
)

from pixie_desktop.ui.inputs.base import InputWidget, LineTextValue, as_float, register
from pixie_desktop.ui.widgets.icons import set_button_icon, set_icon_button


# -- tags ------------------------------------------------------------------------------------
class _Chip(QFrame):
    removed = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Chip")
        self.text = text
        row = QHBoxLayout(self)
        row.setContentsMargins(9, 1, 3, 1)
        row.setSpacing(2)
        row.addWidget(QLabel(text, self))
        x = QToolButton(self)
        x.setAutoRaise(True)
        x.setToolTip(f"Remove {text}")
        x.setStyleSheet("QToolButton { border: none; padding: 0 3px; }")
        set_icon_button(x, "x", f"Remove {text}", edge=10)  # ✕ is a missing-glyph box in some stock fonts
        x.clicked.connect(lambda: self.removed.emit(self.text))
        row.addWidget(x)


class _TagLine(QLineEdit):
    backspace_empty = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.backspace_empty.emit()
            return
        super().keyPressEvent(event)


@register("tags")
class TagsInput(InputWidget):
    def _build(self) -> None:
        from superqt import QFlowLayout

        self.box = QFrame(self)
        self.box.setObjectName("TagBox")
        self.flow = QFlowLayout(self.box)
        self.flow.setContentsMargins(4, 4, 4, 4)
        self.flow.setSpacing(4)
        self.tags: list[str] = []
        self.chips: list[_Chip] = []
        self.line = _TagLine(self.box)
        self.line.setPlaceholderText("Add a tag, press Enter")
        self.line.setMinimumWidth(160)
        self.line.setFrame(False)
        self.line.returnPressed.connect(self._commit)
        self.line.textEdited.connect(self._on_edit)
        self.line.backspace_empty.connect(self._pop)
        if self.spec.suggestions:
            comp = QCompleter([str(s) for s in self.spec.suggestions], self.line)
            comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            comp.setFilterMode(Qt.MatchFlag.MatchContains)
            comp.activated.connect(lambda text: QTimer.singleShot(0, lambda: self._add(text, clear=True)))
            self.line.setCompleter(comp)
        self.flow.addWidget(self.line)
        self.box.setStyleSheet("QFrame#TagBox { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }")
        self.add_body(self.box)

    def _on_edit(self, text: str) -> None:
        if "," in text:
            parts = text.split(",")
            for p in parts[:-1]:
                self._add(p)
            self.line.setText(parts[-1].lstrip())

    def _commit(self) -> None:
        self._add(self.line.text(), clear=True)

    def _add(self, text: str, clear: bool = False) -> None:
        t = str(text).strip()
        if clear:
            self.line.clear()
        if not t or t in self.tags:
            return
        self.tags.append(t)
        chip = _Chip(t, self.box)
        chip.removed.connect(self._remove)
        self.chips.append(chip)
        self.flow.removeWidget(self.line)
        self.flow.addWidget(chip)
        self.flow.addWidget(self.line)
        self._emit()

    def _remove(self, text: str) -> None:
        if text not in self.tags:
            return
        i = self.tags.index(text)
        self.tags.pop(i)
        chip = self.chips.pop(i)
        self.flow.removeWidget(chip)
        chip.deleteLater()
        self._emit()

    def _pop(self) -> None:
        if self.tags:
            self._remove(self.tags[-1])

    def _read(self) -> Any:
        pending = self.line.text().strip()
        return list(self.tags) + ([pending] if pending and pending not in self.tags else [])

    def _write(self, value: Any) -> None:
        for t in list(self.tags):
            self._remove(t)
        self.line.clear()
        if value is None:
            return
        if isinstance(value, str):
            value = [v for v in value.split(",")]
        if not isinstance(value, (list, tuple)):
            raise TypeError("tags expects a list of strings")
        for v in value:
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                self._add(str(v))

    def focus_editor(self) -> None:
        self.line.setFocus()


# -- autocomplete ----------------------------------------------------------------------------
def suggestion_items(answer: Any) -> list[dict]:
    """Normalise an endpoint answer (list or {results: [...]}) to [{value, label}]."""
    if isinstance(answer, dict):
        answer = answer.get("results", [])
    out = []
    if isinstance(answer, list):
        for item in answer[:200]:
            if isinstance(item, dict):
                value = item.get("value", item.get("label"))
                label = item.get("label", value)
                if value is not None or label is not None:
                    out.append({"value": value, "label": str(label)})
            elif isinstance(item, (str, int, float)):
                out.append({"value": item, "label": str(item)})
    return out


@register("autocomplete")
class AutocompleteInput(LineTextValue, InputWidget):
    DEBOUNCE_MS = 250

    def _build(self) -> None:
        self.fetch: Callable[[str, str], list[dict]] | None = self._kw.get("autocomplete")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Start typing…")
        self.edit.setClearButtonEnabled(True)
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self.edit)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.edit.setCompleter(self.completer)
        self.edit.textChanged.connect(self._emit)
        self.edit.textEdited.connect(self._schedule)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(self.DEBOUNCE_MS)
        self.timer.timeout.connect(self._query)
        self._seq = 0
        self.pending = 0
        self.status = QLabel(self)
        self.status.setObjectName("HelpText")
        self.status.hide()
        self.add_body(self.edit)
        self.add_body(self.status)

    def _schedule(self, *_: Any) -> None:
        if self.fetch is not None and self.spec.endpoint:
            self.timer.start()

    def _query(self) -> None:
        from pixie_desktop.ui import workers

        self._seq += 1
        seq = self._seq
        q = self.edit.text()
        endpoint = str(self.spec.endpoint)
        fetch = self.fetch
        self.pending += 1

        def done(result: Any) -> None:
            self.pending -= 1
            if seq != self._seq:  # a newer query is in flight: drop this stale answer
                return
            items = suggestion_items(result)
            self.status.hide()
            self.model.setStringList([i["label"] for i in items])
            if items and self.edit.hasFocus():
                self.completer.complete()

        def failed(exc: BaseException) -> None:
            self.pending -= 1
            if seq == self._seq:
                self.status.setText(f"Suggestions unavailable: {str(exc)[:120]}")
                self.status.show()

        # callbacks are guarded so a late answer after the form closed is dropped
        workers.submit(fetch, endpoint, q, on_result=_guarded(self, done), on_error=_guarded(self, failed))

    def focus_editor(self) -> None:
        self.edit.setFocus()


def _guarded(widget: QWidget, fn: Callable[[Any], None]) -> Callable[[Any], None]:
    """Call `fn` only while `widget` still exists (a result can arrive after the form closed)."""
    import shiboken6

    def call(arg: Any) -> None:
        if shiboken6.isValid(widget):
            fn(arg)
    return call


# -- table -----------------------------------------------------------------------------------
@register("table")
class TableInput(InputWidget):
    def _build(self) -> None:
        cols = self.spec.columns
        self.table = QTableWidget(0, len(cols), self)
        self.table.setHorizontalHeaderLabels([f"{c.label}" for c in cols])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setAlternatingRowColors(True)
        self.table.itemChanged.connect(self._emit)
        self.add_body(self.table)
        self.add_btn = QPushButton("Add row", self)  # ＋/− are boxes in some stock fonts: the SVGs
        set_button_icon(self.add_btn, "plus", edge=12)
        self.add_btn.setObjectName("Small")
        self.add_btn.clicked.connect(lambda: self._add_row())
        self.del_btn = QPushButton("Remove row", self)
        set_button_icon(self.del_btn, "minus", edge=12)
        self.del_btn.setObjectName("Small")
        self.del_btn.clicked.connect(self._remove_row)
        self.count = QLabel(self)
        self.count.setObjectName("Muted")
        self.add_wrapping_row(self.add_btn, self.del_btn, self.count)  # wraps in a narrow column

    def _refresh(self) -> None:
        n = self.table.rowCount()
        mx = self.spec.max_rows
        self.add_btn.setEnabled(mx is None or n < mx)
        self.del_btn.setEnabled(n > 0)
        limits = []
        if self.spec.min_rows:
            limits.append(f"min {self.spec.min_rows}")
        if mx is not None:
            limits.append(f"max {mx}")
        self.count.setText(f"{n} row{'s' if n != 1 else ''}" + (f" ({', '.join(limits)})" if limits else ""))
        self.table.setFixedHeight(min(8, max(2, n)) * 28 + self.table.horizontalHeader().sizeHint().height() + 6)

    def _add_row(self, row: dict | None = None) -> None:
        mx = self.spec.max_rows
        if mx is not None and self.table.rowCount() >= mx:
            return
        self.table.blockSignals(True)
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, col in enumerate(self.spec.columns):
            item = QTableWidgetItem()
            v = (row or {}).get(col.key)
            if col.type == "boolean":
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
                item.setCheckState(Qt.CheckState.Checked if v is True or str(v).lower() in {"true", "1", "yes"}
                                   else Qt.CheckState.Unchecked)
            else:
                item.setText("" if v is None else str(v))
                if col.type in ("number", "currency", "percent", "integer", "float"):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, item)
        self.table.blockSignals(False)
        self._refresh()
        self._emit()

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True) or [self.table.rowCount() - 1]
        for r in rows:
            if r >= 0:
                self.table.removeRow(r)
        self._refresh()
        self._emit()

    def _cell(self, r: int, c: int) -> Any:
        col = self.spec.columns[c]
        item = self.table.item(r, c)
        if item is None:
            return None
        if col.type == "boolean":
            return item.checkState() == Qt.CheckState.Checked
        text = item.text().strip()
        if text == "":
            return None
        if col.type in ("number", "currency", "percent", "integer", "float"):
            f = as_float(text.replace(",", ""))
            if f is None:
                return text  # kept so validation can name it
            return int(f) if f.is_integer() and col.type != "float" else f
        return text

    def rows(self) -> list[dict]:
        out = []
        for r in range(self.table.rowCount()):
            row = {col.key: self._cell(r, c) for c, col in enumerate(self.spec.columns)}
            if all(v is None or v is False for v in row.values()):
                continue  # an untouched row is not data
            out.append(row)
        return out

    def _read(self) -> Any:
        return self.rows()

    def _write(self, value: Any) -> None:
        self.table.setRowCount(0)
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            for _ in range(self.spec.min_rows or 1):
                self._add_row()
            raise TypeError("table expects a list of row objects")
        for row in value:
            self._add_row(row)
        for _ in range(max(0, (self.spec.min_rows or (0 if value else 1)) - len(value))):
            self._add_row()
        self._refresh()

    def _clear(self) -> None:
        pass  # _write already left the minimum number of blank rows

    def _extra_problem(self, value: Any) -> str | None:
        n = len(value)
        if self.spec.min_rows and n < self.spec.min_rows:
            return f"Needs at least {self.spec.min_rows} row{'s' if self.spec.min_rows != 1 else ''}."
        if self.spec.max_rows is not None and n > self.spec.max_rows:
            return f"At most {self.spec.max_rows} rows."
        for i, row in enumerate(value, 1):
            for col in self.spec.columns:
                v = row.get(col.key)
                if col.type in ("number", "currency", "percent") and isinstance(v, str):
                    return f"Row {i}: {col.label} must be a number."
        return None

    def validate(self) -> str | None:
        v = self.value()
        if self.spec.required and not v:
            return ("Needs at least %d row%s." % (self.spec.min_rows, "s" if self.spec.min_rows != 1 else "")
                    if self.spec.min_rows else "This field is required.")
        return super().validate()

    def focus_editor(self) -> None:
        self.table.setFocus()
