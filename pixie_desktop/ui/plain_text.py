"""Untrusted text (a tool's name or description, a run's error, a table cell, a file name) in
the places where Qt guesses the format: tooltips have no PlainText switch, and Qt shows any
tooltip that looks like markup as HTML, so a description `<img src="/dev/zero">` would make Qt
read /dev/zero when the pointer rests on it (the UI thread hangs, then memory runs out).
QLabels take `setTextFormat(Qt.TextFormat.PlainText)` instead."""

from __future__ import annotations


def plain_tooltip(text: str | None) -> str | None:
    """`text` as a tooltip Qt shows literally: unchanged when it cannot look like markup (no
    `<`), else escaped inside a paragraph that keeps its line breaks and spaces."""
    if not text or "<" not in text:
        return text
    # html.escape(text, quote=False), without importing html (and html.entities) at start-up
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return '<p style="white-space:pre-wrap">' + text + "</p>"
