"""Date and time fields: date ("YYYY-MM-DD"), time ("HH:MM"), datetime (local ISO
"YYYY-MM-DDTHH:MM:SS") and date_range ([start, end]).

Qt's date editors always hold a value; the contract needs "empty". `BlankableDateTimeEdit`
keeps its minimum at a sentinel shown as blank and jumps to today (or the spec minimum) the
first time the user touches it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDateTimeEdit, QHBoxLayout, QLabel, QToolButton, QWidget

from pixie_desktop.ui.inputs.base import InputWidget, register
from pixie_desktop.ui.widgets.icons import set_icon_button

_SENTINEL = QDateTime(QDate(1753, 1, 1), QTime(0, 0))


def parse_date(value: Any) -> QDate | None:
    if isinstance(value, (date, datetime)):
        return QDate(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()[:10]
    try:
        d = date.fromisoformat(text)
    except ValueError:
        return None
    return QDate(d.year, d.month, d.day)


def parse_datetime(value: Any) -> QDateTime | None:
    if not isinstance(value, str):
        return None
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        d = parse_date(text)
        return QDateTime(d, QTime(0, 0)) if d is not None else None
    return QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute, dt.second))


def parse_time(value: Any) -> QTime | None:
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":")
    try:
        h, m = int(parts[0]), int(parts[1])
        s = int(float(parts[2])) if len(parts) > 2 else 0
    except (ValueError, IndexError):
        return None
    t = QTime(h, m, s)
    return t if t.isValid() else None


class BlankableDateTimeEdit(QDateTimeEdit):
    """A date/time editor whose minimum is a sentinel drawn as an empty field."""

    def __init__(self, fmt: str, parent: QWidget | None = None, first: QDateTime | None = None):
        super().__init__(parent)
        self.setDisplayFormat(fmt)
        self.setCalendarPopup("yyyy" in fmt)
        self.setMinimumDateTime(_SENTINEL)
        self.setSpecialValueText(" ")
        self._first = first
        self.setMinimumWidth(150)

    def is_blank(self) -> bool:
        return self.dateTime() <= _SENTINEL

    def clear_value(self) -> None:
        self.setDateTime(_SENTINEL)

    def _wake(self) -> None:
        if self.is_blank():
            now = QDateTime.currentDateTime()
            start = self._first if self._first is not None and self._first > now else now
            self.setDateTime(QDateTime(start.date(), QTime(start.time().hour(), start.time().minute())))

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._wake()
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.text() or event.key() in (0x01000013, 0x01000015):  # typing, Up, Down
            self._wake()
        super().keyPressEvent(event)


def _clear_button(parent: QWidget, target: BlankableDateTimeEdit) -> QToolButton:
    b = QToolButton(parent)
    b.setObjectName("Small")
    b.setToolTip("Clear")
    set_icon_button(b, "x", "Clear", edge=12)  # ✕ is a missing-glyph box in some stock fonts
    b.clicked.connect(target.clear_value)
    return b


class _DateTimeBase(InputWidget):
    fmt = "yyyy-MM-dd"

    def _make_edit(self) -> BlankableDateTimeEdit:
        first = None
        if self.spec.type == "date" and parse_date(self.spec.min) is not None:
            first = QDateTime(parse_date(self.spec.min), QTime(0, 0))
        e = BlankableDateTimeEdit(self.fmt, self, first)
        if self.spec.type == "date":
            hi = parse_date(self.spec.max)  # the minimum is checked in validate(): the edit's own
            if hi is not None:              # minimum is the "blank" sentinel
                e.setMaximumDate(hi)
        e.dateTimeChanged.connect(self._emit)
        return e

    def _build(self) -> None:
        self.edit = self._make_edit()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(_clear_button(self, self.edit))
        row.addStretch(1)
        self._outer.addLayout(row)

    def focus_editor(self) -> None:
        self.edit.setFocus()


@register("date")
class DateInput(_DateTimeBase):
    fmt = "yyyy-MM-dd"

    def _read(self) -> Any:
        return None if self.edit.is_blank() else self.edit.date().toString("yyyy-MM-dd")

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear_value()
            return
        d = parse_date(value)
        if d is None:
            raise ValueError("date expects YYYY-MM-DD")
        self.edit.setDateTime(QDateTime(d, QTime(0, 0)))

    def _extra_problem(self, value: Any) -> str | None:
        lo = parse_date(self.spec.min)
        if lo is not None and parse_date(value) < lo:
            return f"On or after {self.spec.min}."
        return None


@register("time")
class TimeInput(_DateTimeBase):
    fmt = "HH:mm"

    def _read(self) -> Any:
        return None if self.edit.is_blank() else self.edit.time().toString("HH:mm")

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear_value()
            return
        t = parse_time(value)
        if t is None:
            raise ValueError("time expects HH:MM")
        self.edit.setDateTime(QDateTime(QDate(2000, 1, 1), t))


@register("datetime")
class DateTimeInput(_DateTimeBase):
    fmt = "yyyy-MM-dd HH:mm"

    def _read(self) -> Any:
        if self.edit.is_blank():
            return None
        return self.edit.dateTime().toString("yyyy-MM-ddTHH:mm:ss")

    def _write(self, value: Any) -> None:
        if value is None:
            self.edit.clear_value()
            return
        dt = parse_datetime(value)
        if dt is None:
            raise ValueError("datetime expects an ISO string")
        self.edit.setDateTime(dt)


@register("date_range")
class DateRangeInput(InputWidget):
    def _build(self) -> None:
        self.start = BlankableDateTimeEdit("yyyy-MM-dd", self)
        self.end = BlankableDateTimeEdit("yyyy-MM-dd", self)
        for e in (self.start, self.end):
            e.dateTimeChanged.connect(self._emit)
        arrow = QLabel("→", self)
        arrow.setObjectName("Muted")
        clear = QToolButton(self)
        clear.setObjectName("Small")
        clear.setToolTip("Clear")
        set_icon_button(clear, "x", f"Clear {self.spec.label}", edge=12)
        clear.clicked.connect(lambda: (self.start.clear_value(), self.end.clear_value()))
        self.start.setAccessibleName(f"{self.spec.label}: from")
        self.end.setAccessibleName(f"{self.spec.label}: to")
        # the end date wraps under the start in a narrow column
        self.add_wrapping_row((self.start, arrow), (self.end, clear))

    def _read(self) -> Any:
        if self.start.is_blank() and self.end.is_blank():
            return None
        a = None if self.start.is_blank() else self.start.date().toString("yyyy-MM-dd")
        b = None if self.end.is_blank() else self.end.date().toString("yyyy-MM-dd")
        return [a, b]

    def _write(self, value: Any) -> None:
        if value is None:
            self.start.clear_value()
            self.end.clear_value()
            return
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise TypeError("date_range expects [start, end]")
        a, b = parse_date(value[0]), parse_date(value[1])
        if a is None or b is None:
            raise ValueError("date_range expects two dates")
        self.start.setDateTime(QDateTime(a, QTime(0, 0)))
        self.end.setDateTime(QDateTime(b, QTime(0, 0)))

    def _extra_problem(self, value: Any) -> str | None:
        if value[0] is None or value[1] is None:
            return "Pick both a start and an end date."
        if value[1] < value[0]:
            return "The end date is before the start date."
        return None

    def focus_editor(self) -> None:
        self.start.setFocus()
