"""Scalar fields: text, textarea, number, slider (single and range), checkbox, toggle, colour and
hidden. Each follows the contract's UI wire value (§2.2): numbers become int only when integral
with an integral/absent step, sliders are always floats, check boxes are plain bools."""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox, QColorDialog, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget,
)

from pixie_desktop.ui.inputs.base import InputWidget, LineTextValue, PlainTextValue, as_float, register

TRUTHY = {"true", "on", "1", "yes", "y", "t"}
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in TRUTHY
    return False


@register("text")
class TextInput(LineTextValue, InputWidget):
    def _build(self) -> None:
        self.edit = QLineEdit(self)
        if self.spec.placeholder:
            self.edit.setPlaceholderText(self.spec.placeholder)
        self.edit.textChanged.connect(self._emit)
        self.edit.returnPressed.connect(lambda: None)
        self.add_body(self.edit)

    def _extra_problem(self, value: Any) -> str | None:
        n = self.spec.max_length
        if n is not None and len(value) > n:
            return f"At most {n} characters ({len(value)} now)."
        return None

    def focus_editor(self) -> None:
        self.edit.setFocus()


@register("textarea")
class TextAreaInput(PlainTextValue, InputWidget):
    def _build(self) -> None:
        self.edit = QPlainTextEdit(self)
        if self.spec.placeholder:
            self.edit.setPlaceholderText(self.spec.placeholder)
        if self.spec.monospace:
            self.edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(90)
        self.edit.setMaximumHeight(180)
        self.edit.textChanged.connect(self._emit)
        self.add_body(self.edit)

    _extra_problem = TextInput._extra_problem

    def focus_editor(self) -> None:
        self.edit.setFocus()


class _NumberBox(QDoubleSpinBox):
    """A spin box that can be blank (its minimum is a sentinel shown as empty) and prints
    numbers without trailing zeros."""

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        text = f"{value:.{self.decimals()}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text


@register("number")
class NumberInput(InputWidget):
    def _build(self) -> None:
        s = self.spec
        self.step = as_float(s.step)
        self.lo = as_float(s.min)
        self.hi = as_float(s.max)
        step = self.step if self.step and self.step > 0 else 1.0
        self.box = _NumberBox(self)
        self.box.setDecimals(self._decimals())
        lo = self.lo if self.lo is not None else -1e12
        self.sentinel = lo - step
        self.box.setRange(self.sentinel, self.hi if self.hi is not None else 1e12)
        self.box.setSingleStep(step)
        self.box.setSpecialValueText(" ")
        self.box.setKeyboardTracking(True)
        self.box.setAccelerated(True)
        self.box.setCorrectionMode(QDoubleSpinBox.CorrectionMode.CorrectToNearestValue)
        if s.unit:
            self.box.setSuffix(f" {s.unit}")
        self.box.valueChanged.connect(self._emit)
        self.box.setMinimumWidth(140)
        hint = []
        if self.lo is not None:
            hint.append(f"min {self._fmt(self.lo)}")
        if self.hi is not None:
            hint.append(f"max {self._fmt(self.hi)}")
        items: list[QWidget] = [self.box]
        if hint:
            lab = QLabel(" · ".join(hint), self)
            lab.setObjectName("Muted")
            items.append(lab)
        self.add_wrapping_row(*items)  # the limits wrap under the box in a narrow column

    def _decimals(self) -> int:
        if self.step is None:
            return 6
        if float(self.step).is_integer():
            return 0
        text = f"{self.step:.10f}".rstrip("0")
        return min(10, max(1, len(text.split(".")[1])))

    @staticmethod
    def _fmt(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else f"{v:g}"

    def _read(self) -> Any:
        v = self.box.value()
        if v <= self.sentinel:
            return None
        step_integral = self.step is None or float(self.step).is_integer()
        if float(v).is_integer() and step_integral:
            return int(v)
        return float(round(v, self.box.decimals()))

    def _write(self, value: Any) -> None:
        if value is None or value == "":
            self.box.setValue(self.sentinel)
            return
        f = as_float(value)
        if f is None:
            raise TypeError("number expects a number")
        self.box.setValue(f)

    def _extra_problem(self, value: Any) -> str | None:
        if self.lo is not None and value < self.lo:
            return f"Must be at least {self._fmt(self.lo)}."
        if self.hi is not None and value > self.hi:
            return f"Must be at most {self._fmt(self.hi)}."
        return None

    def focus_editor(self) -> None:
        self.box.setFocus()


@register("slider")
class SliderInput(InputWidget):
    def _build(self) -> None:
        from superqt import QLabeledDoubleRangeSlider, QLabeledDoubleSlider

        s = self.spec
        self.lo = as_float(s.min) if as_float(s.min) is not None else 0.0
        self.hi = as_float(s.max) if as_float(s.max) is not None else 100.0
        if self.hi < self.lo:
            self.lo, self.hi = self.hi, self.lo
        step = as_float(s.step)
        self.step = step if step and step > 0 else (self.hi - self.lo) / 100 or 1.0
        cls = QLabeledDoubleRangeSlider if s.range else QLabeledDoubleSlider
        self.slider = cls(Qt.Orientation.Horizontal, self)
        self.slider.setRange(self.lo, self.hi)
        self.slider.setSingleStep(self.step)
        try:
            decimals = 0 if float(self.step).is_integer() else min(6, len(f"{self.step:g}".split(".")[-1]))
            self.slider.setDecimals(decimals)
        except Exception:  # noqa: BLE001 - older superqt without setDecimals
            pass
        self.slider.valueChanged.connect(self._emit)
        self.add_body(self.slider)
        rng = QLabel(f"{self.lo:g} … {self.hi:g}", self)
        rng.setObjectName("Muted")
        self.add_body(rng)

    def _snap(self, v: float) -> float:
        v = min(self.hi, max(self.lo, v))
        n = round((v - self.lo) / self.step)
        return float(round(min(self.hi, self.lo + n * self.step), 10))

    def _read(self) -> Any:
        v = self.slider.value()
        if self.spec.range:
            lo, hi = v
            return [self._snap(float(lo)), self._snap(float(hi))]
        return self._snap(float(v))

    def _write(self, value: Any) -> None:
        if self.spec.range:
            if value is None:
                self.slider.setValue((self.lo, self.hi))
                return
            if isinstance(value, (list, tuple)) and len(value) == 2:
                a, b = as_float(value[0]), as_float(value[1])
                if a is not None and b is not None:
                    self.slider.setValue((min(a, b), max(a, b)))
                    return
            raise TypeError("range slider expects [lo, hi]")
        if value is None:
            self.slider.setValue((self.lo + self.hi) / 2)
            return
        f = as_float(value)
        if f is None:
            raise TypeError("slider expects a number")
        self.slider.setValue(f)


@register("checkbox")
class CheckboxInput(InputWidget):
    owns_label = True

    def _build(self) -> None:
        self.box = QCheckBox(self.spec.label, self)
        self.box.toggled.connect(self._emit)
        self.add_body(self.box)

    def _read(self) -> Any:
        return bool(self.box.isChecked())

    def _write(self, value: Any) -> None:
        self.box.setChecked(to_bool(value))

    def value(self) -> Any:
        return bool(self.box.isChecked())

    def validate(self) -> str | None:
        return None  # false is a value; "required" cannot mean "must be ticked" without a message in the spec

    def focus_editor(self) -> None:
        self.box.setFocus()


@register("toggle")
class ToggleInput(CheckboxInput):
    def _build(self) -> None:
        try:
            from superqt import QToggleSwitch

            self.box = QToggleSwitch(self.spec.label, self)
        except Exception:  # noqa: BLE001 - superqt without the switch: a styled check box
            self.box = QCheckBox(self.spec.label, self)
        self.box.toggled.connect(self._emit)
        self.add_body(self.box)


@register("colour")
class ColourInput(InputWidget):
    def _build(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.swatch = QPushButton(self)
        self.swatch.setFixedSize(34, 28)
        self.swatch.setCursor(Qt.CursorShape.PointingHandCursor)
        self.swatch.setToolTip("Pick a colour")
        self.swatch.clicked.connect(self._pick)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("#rrggbb")
        self.edit.setMaximumWidth(120)
        self.edit.textChanged.connect(self._on_text)
        row.addWidget(self.swatch)
        row.addWidget(self.edit)
        row.addStretch(1)
        self._outer.addLayout(row)
        self._paint_swatch()

    @staticmethod
    def normalise(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        m = _HEX.match(value.strip())
        if not m:
            return None
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return "#" + h.lower()

    def _paint_swatch(self) -> None:
        hexv = self.normalise(self.edit.text())
        bg = hexv or "transparent"
        self.swatch.setStyleSheet(
            f"QPushButton {{ background: {bg}; border: 1px solid rgba(127,127,127,0.6); border-radius: 6px; }}")

    def _on_text(self, *_: Any) -> None:
        self._paint_swatch()
        ok = self.normalise(self.edit.text()) is not None or not self.edit.text()
        self.edit.setProperty("invalid", not ok)
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        self._emit()

    def _pick(self) -> None:
        start = QColor(self.normalise(self.edit.text()) or "#5563d1")
        colour = QColorDialog.getColor(start, self, f"Choose {self.spec.label}")
        if colour.isValid():
            self.edit.setText(colour.name())

    def _read(self) -> Any:
        text = self.edit.text().strip()
        return self.normalise(text) or text

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear()
            return
        n = self.normalise(value)
        if n is None:
            raise ValueError("colour expects #rrggbb")
        self.edit.setText(n)

    def _extra_problem(self, value: Any) -> str | None:
        return None if self.normalise(value) else "Use a colour like #3366cc."


@register("hidden")
class HiddenInput(InputWidget):
    visible_in_form = False

    def _build(self) -> None:
        self._value: Any = None
        self.hide()

    def _read(self) -> Any:
        return self._value

    def _write(self, value: Any) -> None:
        self._value = value

    def validate(self) -> str | None:
        return None  # the user cannot fix a hidden field


def _is_finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
