"""Option pickers: select (searchable when asked), multiselect (a checkable list) and radio.

Wire typing follows the reference's form coercion: a select's value is re-typed to the type of
the first option's value, a radio always sends a string, a multiselect sends the declared
option values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QButtonGroup, QComboBox, QListWidget, QListWidgetItem, QRadioButton

from pixie_desktop.ui.inputs.base import InputWidget, register


def retype(value: Any, like: Any) -> Any:
    """`value` converted to the type of `like` (bool/int/float/str), as the host's coercion does."""
    if value is None:
        return None
    try:
        if isinstance(like, bool):
            if isinstance(value, bool):
                return value
            return str(value).strip().lower() in {"true", "on", "1", "yes"}
        if isinstance(like, int):
            if isinstance(value, bool):
                return int(value)
            f = float(value)
            return int(f) if f.is_integer() else f
        if isinstance(like, float):
            return float(value)
    except (TypeError, ValueError):
        return str(value)
    return value if isinstance(value, str) else _str(value)


def _str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _same(a: Any, b: Any) -> bool:
    return _str(a) == _str(b)


@register("select")
class SelectInput(InputWidget):
    def _build(self) -> None:
        if self.spec.searchable:
            from superqt import QSearchableComboBox

            self.combo: QComboBox = QSearchableComboBox(self)
        else:
            self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setMinimumWidth(180)
        self._blank = not self.spec.required or not self.spec.options
        if self._blank:
            self.combo.addItem("— choose —", None)
        for opt in self.spec.options:
            self.combo.addItem(str(opt.label), opt.value)
        self.combo.currentIndexChanged.connect(self._emit)
        self.add_body(self.combo)

    def _first_type(self) -> Any:
        return self.spec.options[0].value if self.spec.options else ""

    def _read(self) -> Any:
        data = self.combo.currentData()
        return None if data is None else retype(data, self._first_type())

    def _write(self, value: Any) -> None:
        if value is None:
            self.combo.setCurrentIndex(0)
            return
        for i in range(self.combo.count()):
            d = self.combo.itemData(i)
            if d is not None and _same(d, value):
                self.combo.setCurrentIndex(i)
                return
        raise ValueError("not one of the options")

    def focus_editor(self) -> None:
        self.combo.setFocus()


ROW_HEIGHT = 26  # px: one option of a multiselect


@register("multiselect")
class MultiSelectInput(InputWidget):
    def _build(self) -> None:
        self.list = QListWidget(self)
        for opt in self.spec.options:
            item = QListWidgetItem(str(opt.label))
            item.setData(Qt.ItemDataRole.UserRole, opt.value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setSizeHint(QSize(0, ROW_HEIGHT))  # rows were 14 px high in a list sized for 26 px rows
            self.list.addItem(item)
        rows = max(1, min(6, len(self.spec.options)))
        self.list.setFixedHeight(rows * ROW_HEIGHT + 8)
        self.list.itemChanged.connect(self._emit)
        self.add_body(self.list)

    def _read(self) -> Any:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(item.data(Qt.ItemDataRole.UserRole))
        return out

    def _write(self, value: Any) -> None:
        if value is None:
            value = []
        if isinstance(value, (str, int, float)):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise TypeError("multiselect expects a list")
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = any(_same(item.data(Qt.ItemDataRole.UserRole), v) for v in value)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def focus_editor(self) -> None:
        self.list.setFocus()


@register("radio")
class RadioInput(InputWidget):
    def _build(self) -> None:
        from superqt import QFlowLayout

        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        flow = QFlowLayout()
        flow.setContentsMargins(0, 0, 0, 0)
        self.buttons: list[tuple[QRadioButton, Any]] = []
        for opt in self.spec.options:
            b = QRadioButton(str(opt.label), self)
            self.group.addButton(b)
            self.buttons.append((b, opt.value))
            flow.addWidget(b)
            b.toggled.connect(self._emit)
        self._outer.addLayout(flow)

    def _read(self) -> Any:
        for b, v in self.buttons:
            if b.isChecked():
                return _str(v)
        return None

    def _write(self, value: Any) -> None:
        if value is None:
            self.group.setExclusive(False)
            for b, _ in self.buttons:
                b.setChecked(False)
            self.group.setExclusive(True)
            return
        for b, v in self.buttons:
            if _same(v, value):
                b.setChecked(True)
                return
        raise ValueError("not one of the options")

    def focus_editor(self) -> None:
        if self.buttons:
            self.buttons[0][0].setFocus()
