"""The base of every output renderer and the registry `OUTPUT_RENDERERS` used by
`create_renderer`.

`OutputRenderer.set_value` never raises: None shows a quiet "No value" state, and a value of
the wrong shape (a subclass raises `ShapeError`) or any drawing failure shows a fallback card
with the raw JSON (pretty, truncated) and a one-line explanation such as
"expected {x, series}, got a list"."""

from __future__ import annotations

import logging

import json
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from pixie_desktop.manifest.jsonkind import describe_kind
from pixie_desktop.manifest.model import OutputSpec

log = logging.getLogger(__name__)


OUTPUT_RENDERERS: dict[str, type["OutputRenderer"]] = {}
FALLBACK_CHARS = 4000


class ShapeError(ValueError):
    """The value does not have the shape this output type needs."""


def failure_reason(exc: BaseException) -> str:
    """A readable fallback reason for any exception raised while drawing a value: shape
    problems are already worded for people; anything else is a drawing failure, named as such
    (with the technical detail after it) rather than a bare Python exception line."""
    if isinstance(exc, ShapeError):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "the value is nested too deeply"
    detail = str(exc).strip() or type(exc).__name__
    return f"could not draw this value ({type(exc).__name__}: {detail})"


def register(*types: str) -> Callable[[type["OutputRenderer"]], type["OutputRenderer"]]:
    def deco(cls: type["OutputRenderer"]) -> type["OutputRenderer"]:
        for t in types:
            OUTPUT_RENDERERS[t] = cls
        return cls
    return deco


def kind_of(value: Any) -> str:
    return describe_kind(value, object_keys=True)


def need_dict(value: Any, *keys: str) -> dict:
    """`value` as a dict holding every key in `keys`, else ShapeError naming the expected shape."""
    shape = "{" + ", ".join(keys) + "}"
    if not isinstance(value, dict):
        raise ShapeError(f"expected {shape}, got {kind_of(value)}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ShapeError(f"expected {shape}, missing {', '.join(missing)}")
    return value


def need_list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise ShapeError(f"expected {what} to be a list, got {kind_of(value)}")
    return value


def num(value: Any, what: str = "value") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        f = None
        if isinstance(value, str):
            try:
                f = float(value)
            except ValueError:  # not numeric text: reported as a shape error below
                pass
        if f is None:
            raise ShapeError(f"expected {what} to be a number, got {kind_of(value)}")
    else:
        try:
            f = float(value)
        except OverflowError:
            raise ShapeError(f"{what} is too large to draw") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ShapeError(f"{what} is not a finite number")
    return f


def text_of(value: Any) -> str:
    """Text-family values: a raw string, or a dict's .text / .value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for k in ("text", "value", "content"):
            if isinstance(value.get(k), str):
                return value[k]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ShapeError(f"expected a string, got {kind_of(value)}")


def media_source(value: Any) -> str:
    """Media values: a raw URL/path string or a dict's .url / .data / .src."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, dict):
        for k in ("url", "data", "src", "value"):
            if isinstance(value.get(k), str) and value[k].strip():
                return value[k].strip()
    raise ShapeError(f"expected a data URL, http(s) URL or file path, got {kind_of(value)}")


def load_media(src: str) -> tuple[str, bytes] | None:
    """(mime, bytes) for a data URL; None for anything else. Local files and remote URLs are
    never read here (see `safe_media`: files of the run are read on a worker, remote ones never).
    Raises ShapeError for a malformed or oversized data URL."""
    from pixie_desktop.ui.outputs import safe_media

    if safe_media.classify(src) != "data":
        return None
    try:
        return safe_media.decode_data_url(src)
    except safe_media.ResourceRefused as exc:
        raise ShapeError(str(exc)) from exc


def active_theme() -> Any:
    """The theme the app is showing now. `theme.current()` alone follows the OS scheme, which is
    wrong when the user chose light or dark; `apply_theme` sets the app palette before it tells
    listeners, so the palette says which one is applied."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.ui import theme

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return theme.current()
    return theme.current(dark=app.palette().color(QPalette.ColorRole.Window).lightness() < 128)


def pretty_json(value: Any, limit: int = FALLBACK_CHARS) -> str:
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    if len(text) > limit:
        text = text[:limit] + f"\n… ({len(text) - limit} more characters)"
    return text


def plain_labels(widget: QWidget) -> None:
    """Every QLabel under `widget` shows plain text unless it was marked rich on purpose
    (`setProperty("richText", True)`, for labels whose HTML we build from escaped text). A
    label's default AutoText turns a tool's "<img src=/dev/zero>" into rich text, and Qt then
    reads that file synchronously while laying the label out."""
    for lab in widget.findChildren(QLabel):
        if not lab.property("richText") and lab.textFormat() != Qt.TextFormat.PlainText:
            lab.setTextFormat(Qt.TextFormat.PlainText)


class FallbackView(QFrame):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Fallback")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 8, 10, 8)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600;")
        self.raw = QPlainTextEdit(self)
        self.raw.setReadOnly(True)
        self.raw.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw.setMaximumHeight(160)
        lay.addWidget(self.title)
        lay.addWidget(self.raw)

    def show_value(self, value: Any, why: str) -> None:
        self.title.setText(f"Can't draw this value — {why}. Showing the raw data instead.")
        self.raw.setPlainText(pretty_json(value))


class OutputRenderer(QWidget):
    """One output card's body. Subclasses implement `_build()` (once) and `_render(value)`."""

    #: preferred minimum body height for layout; charts/maps ask for more
    min_height = 0

    def follow_theme(self) -> None:
        """Call `retheme()` on every theme change while this card lives. The listener holds the
        card weakly and is removed when the card is destroyed."""
        import weakref

        from pixie_desktop.ui import theme as theme_mod

        ref = weakref.ref(self)

        def changed(_theme: Any) -> None:
            card = ref()
            if card is not None:
                card.retheme()

        remove = theme_mod.on_theme_changed(changed)
        self.destroyed.connect(lambda *_: remove())

    def retheme(self) -> None:
        """Redraw in the current theme's colours (cards that draw their own colours override)."""

    def __init__(self, spec: OutputSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.current: Any = None
        from pixie_desktop.ui.outputs.safe_media import DENY_ALL

        #: where local files may come from (the panel shares its run's scope with every card)
        self.scope = DENY_ALL
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.body = QWidget(self)
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(6)
        self.fallback = FallbackView(self)
        self.empty = QLabel("No value", self)
        self.empty.setObjectName("Muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setMinimumHeight(36)
        lay.addWidget(self.body)
        lay.addWidget(self.fallback)
        lay.addWidget(self.empty)
        self._built = False
        self.error: str | None = None
        plain_labels(self)
        self._show("empty")

    # -- subclass hooks ----------------------------------------------------------------
    def _build(self) -> None:
        """Create the body widgets (called lazily, on the first value)."""

    def _render(self, value: Any) -> None:
        raise NotImplementedError

    def _reset(self) -> None:
        """Drop the shown value (for streaming types before fresh chunks)."""

    # -- public ------------------------------------------------------------------------
    def _show(self, which: str) -> None:
        self.body.setVisible(which == "body")
        self.fallback.setVisible(which == "fallback")
        self.empty.setVisible(which == "empty")

    def _ensure_built(self) -> None:
        if not self._built:
            self._built = True
            self._build()
            plain_labels(self)  # before any tool text reaches a label
            if self.min_height:
                self.body.setMinimumHeight(self.min_height)

    def set_value(self, value: Any) -> None:
        self.current = value
        self.error = None
        try:
            if value is None:
                self._show("empty")
                return
            self._ensure_built()
            self._render(value)
            plain_labels(self)  # labels a renderer made while drawing this value
            self._show("body")
        except Exception as exc:  # noqa: BLE001 - a renderer bug must never take the window down
            self._fail(value, failure_reason(exc))

    def _fail(self, value: Any, why: str) -> None:
        self.error = why
        try:
            self.fallback.show_value(value, why)
        except Exception:  # noqa: BLE001
            self.fallback.title.setText("Can't draw this value.")
        self._show("fallback")

    def clear(self) -> None:
        self.current = None
        self.error = None
        try:
            if self._built:
                self._reset()
        except Exception:  # noqa: BLE001 - a renderer that cannot reset still shows "empty" below
            log.exception("renderer reset failed")
        self._show("empty")

    def append_stream(self, chunk: Any) -> None:
        """Default for non-streaming types: a chunk replaces the value."""
        if isinstance(chunk, dict) and "value" in chunk and set(chunk) <= {"value", "output_key", "done"}:
            chunk = chunk["value"]
        self.set_value(chunk)

    def copy_text(self) -> str:
        """Text for the card's Copy button."""
        v = self.current
        return v if isinstance(v, str) else pretty_json(v, 1_000_000)


class UnknownRenderer(OutputRenderer):
    """Any type we do not know: readable text or pretty JSON."""

    def _build(self) -> None:
        self.view = QPlainTextEdit(self.body)
        self.view.setReadOnly(True)
        self.view.setMaximumHeight(240)
        self.body_layout.addWidget(self.view)

    def _render(self, value: Any) -> None:
        self.view.setPlainText(value if isinstance(value, str) else pretty_json(value))


def create_renderer(spec: OutputSpec, parent: QWidget | None = None) -> OutputRenderer:
    from pixie_desktop.ui.outputs import _load_all

    _load_all()
    cls = OUTPUT_RENDERERS.get(spec.type, UnknownRenderer)
    return cls(spec, parent)
