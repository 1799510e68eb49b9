"""`ToolForm`: the scrollable form for one tool — a labelled field per input (required asterisk,
help text, group headings), live `show_if`, inline validation, Ctrl+Enter to submit, file drops
anywhere on the form, and `values()` producing the `/run` inputs dict with the host's coercion
rules (§2.2): an optional input left empty takes its spec default, or is omitted."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pixie_desktop.manifest.model import InputSpec, ToolSpec
from pixie_desktop.ui.widgets.scrolling import scrolling_column
from pixie_desktop.ui.inputs.base import InputWidget, create_input, is_empty


def show_if_matches(actual: Any, expected: Any) -> bool:
    """Loose equality as the browser does it: values are compared as strings, booleans as
    true/false, and a list matches when it contains the expected value."""
    def norm(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return "" if v is None else str(v)

    if isinstance(actual, list) and not isinstance(expected, list):
        return any(norm(a) == norm(expected) for a in actual)
    if isinstance(expected, list):
        return isinstance(actual, list) and [norm(a) for a in actual] == [norm(e) for e in expected]
    return norm(actual) == norm(expected)


def _name_editors(widget: QWidget, label: str) -> None:
    """Give every editor inside an input the field's label as its accessible name (the label's
    buddy is the input's container, which a screen reader never focuses); parts that already
    have a name (map coordinates, the two ends of a date range) keep theirs."""
    from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox,
                                   QComboBox, QLineEdit, QPlainTextEdit, QTextEdit)

    kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractSlider, QAbstractItemView, QPlainTextEdit,
             QTextEdit, QAbstractButton)
    for w in [widget, *widget.findChildren(QWidget)]:
        if isinstance(w, kinds) and not w.accessibleName():
            if isinstance(w, QAbstractButton) and w.text():
                continue  # a button with text is named by it
            w.setAccessibleName(label)
    if not widget.accessibleName():
        widget.setAccessibleName(label)


class _Field(QFrame):
    """Label row + widget + help text for one input."""

    def __init__(self, spec: InputSpec, widget: InputWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.widget = widget
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 6)
        lay.setSpacing(5)
        if not widget.owns_label:
            row = QHBoxLayout()
            row.setSpacing(3)
            label = QLabel(spec.label, self)
            label.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
            label.setObjectName("FieldLabel")
            label.setBuddy(widget)
            row.addWidget(label)
            if spec.required:
                star = QLabel("*", self)
                star.setObjectName("RequiredMark")
                star.setToolTip("Required")
                row.addWidget(star)
            row.addStretch(1)
            lay.addLayout(row)
        lay.addWidget(widget)
        _name_editors(widget, spec.label)
        if spec.description:
            help_ = QLabel(spec.description, self)
            help_.setTextFormat(Qt.TextFormat.PlainText)  # tool text: never HTML (an <img> would be loaded)
            help_.setObjectName("HelpText")
            help_.setWordWrap(True)
            lay.addWidget(help_)


FORM_MAX_WIDTH = 960  # px: wider than the input column at 1920×1080, so only very wide windows see it


class ToolForm(QWidget):
    changed = Signal()
    submitted = Signal()

    def __init__(self, spec: ToolSpec, parent: QWidget | None = None, *,
                 autocomplete: Callable[[str, str], list[dict]] | None = None):
        super().__init__(parent)
        self.spec = spec
        self.widgets: dict[str, InputWidget] = {}
        self.fields: dict[str, _Field] = {}
        self.setAcceptDrops(True)

        self.scroll, body, self.body_layout = scrolling_column(self, "FormScroll", "FormBody", spacing=8)
        # on a 4K screen at 100 % the input column is ~1300 px: fields that wide are hard to read
        # across, so the form keeps to a comfortable width (left-aligned) and the rest stays empty
        body.setMaximumWidth(FORM_MAX_WIDTH)

        group: str | None = None
        for ispec in spec.inputs:
            w = create_input(ispec, body, autocomplete=autocomplete)
            self.widgets[ispec.key] = w
            w.changed.connect(self._on_changed)
            if not w.visible_in_form:
                w.hide()
                continue
            if ispec.group and ispec.group != group:
                heading = QLabel(ispec.group.upper(), body)
                heading.setTextFormat(Qt.TextFormat.PlainText)
                heading.setObjectName("GroupHeading")
                self.body_layout.addWidget(heading)
            group = ispec.group
            f = _Field(ispec, w, body)
            self.fields[ispec.key] = f
            self.body_layout.addWidget(f)
        if not self.fields:
            empty = QLabel("This tool takes no inputs — just run it.", body)
            empty.setObjectName("EmptyState")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.body_layout.addWidget(empty)
        self.body_layout.addStretch(1)
        # the column is never narrower than its widest field: the fields wrap and shrink down to
        # that, and the scroll area never scrolls sideways (so nothing may stick out of it)
        self.scroll.setMinimumWidth(body.minimumSizeHint().width()
                                    + self.scroll.verticalScrollBar().sizeHint().width())

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.submitted.emit)
        self._apply_show_if()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # editors pass Ctrl+Enter up to us when the shortcut is not active (no focus window)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    # -- visibility --------------------------------------------------------------------
    def _on_changed(self) -> None:
        self._apply_show_if()
        self.changed.emit()

    def is_shown(self, key: str) -> bool:
        """False when the input's show_if condition is not met (or a field it depends on is hidden)."""
        seen: set[str] = set()
        while True:
            ispec = self.spec.input(key)
            if ispec is None or ispec.show_if is None:
                return True
            if key in seen:
                return True  # a cycle: show rather than hide forever
            seen.add(key)
            other = self.widgets.get(ispec.show_if.key)
            if other is None:
                return True
            if not show_if_matches(other.value(), ispec.show_if.equals):
                return False
            key = ispec.show_if.key

    def _apply_show_if(self) -> None:
        for key, f in self.fields.items():
            f.setVisible(self.is_shown(key))

    # -- values ------------------------------------------------------------------------
    def values(self) -> dict:
        out: dict[str, Any] = {}
        for ispec in self.spec.inputs:
            w = self.widgets[ispec.key]
            v = w.value()
            if is_empty(v) and not isinstance(v, bool):
                if ispec.default is not None and not ispec.required:
                    out[ispec.key] = ispec.default
                continue  # optional with no default: omitted; required: validation reports it
            out[ispec.key] = v
        return out

    def set_values(self, values: dict) -> None:
        if not isinstance(values, dict):
            return
        for key, v in values.items():
            w = self.widgets.get(key)
            if w is not None:
                w.set_value(v)
        self._apply_show_if()
        self.changed.emit()

    def reset(self) -> None:
        for ispec in self.spec.inputs:
            self.widgets[ispec.key].set_value(ispec.default)
        self._apply_show_if()
        self.changed.emit()

    def validate(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        for ispec in self.spec.inputs:
            w = self.widgets[ispec.key]
            if not w.visible_in_form or not self.is_shown(ispec.key):
                w.set_error(None)
                continue
            msg = w.validate()
            w.set_error(msg)
            if msg:
                problems.append((ispec.key, msg))
        if problems:
            first = self.fields.get(problems[0][0])
            if first is not None:
                self.scroll.ensureWidgetVisible(first, 0, 40)
            self.widgets[problems[0][0]].focus_editor()
        return problems

    def widget_for(self, key: str) -> InputWidget | None:
        return self.widgets.get(key)

    # -- files -------------------------------------------------------------------------
    def drop_files(self, paths: list[Path]) -> str | None:
        paths = [Path(p) for p in paths]
        for ispec in self.spec.inputs:
            w = self.widgets[ispec.key]
            if ispec.is_file_like and self.is_shown(ispec.key) and w.accepts_files(paths):
                w.drop_files(paths)
                f = self.fields.get(ispec.key)
                if f is not None:
                    self.scroll.ensureWidgetVisible(f)
                return ispec.key
        return None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        md = event.mimeData()
        paths = [Path(u.toLocalFile()) for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []
        if paths and any(w.accepts_files(paths) for w in self.widgets.values()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        md = event.mimeData()
        paths = [Path(u.toLocalFile()) for u in md.urls() if u.isLocalFile()] if md.hasUrls() else []
        if paths and self.drop_files(paths) is not None:
            event.acceptProposedAction()
