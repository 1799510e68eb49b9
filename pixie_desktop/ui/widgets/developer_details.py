"""Developer mode's view of a run (issue 13, item 6): the run id, the tool's process id and port,
how long it took, and the raw JSON of the inputs and outputs exactly as stored — what a tool
author needs when a form or an output card hides a detail. Shown as a "Developer" tab on the tool
page (and reusable by the History detail) only while the `developer_mode` setting is on.

Tool output is untrusted: everything is shown as plain text in a read-only editor, cut at
`MAX_CHARS` so a huge answer cannot stall the UI thread."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

MAX_CHARS = 200_000


def developer_mode_on(settings: Any) -> bool:
    values = getattr(settings, "values", None)
    return bool(values.get("developer_mode", False)) if isinstance(values, dict) else False


def _pretty(raw: str | None) -> str:
    if not raw:
        return "(none)"
    try:
        text = json.dumps(json.loads(raw), indent=2, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = raw
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS] + f"\n… cut at {MAX_CHARS:,} characters"
    return text


def describe_run(record: Any, process: dict | None = None) -> str:
    """The developer text for one run record (runs_repo.RunRecord) and, while its tool is warm,
    the pool's entry for it ({"pid", "port", …})."""
    meta = getattr(record, "meta", {}) or {}
    lines = [f"run id      {record.id}",
             f"tool        {record.tool_id}",
             f"status      {record.status}",
             f"started     {record.started_at}",
             f"finished    {record.finished_at or '—'}"]
    if meta.get("duration_s") is not None:
        lines.append(f"duration    {meta['duration_s']} s")
    lines.append(f"tool pid    {meta.get('tool_pid', '—')}")
    if process:
        lines.append(f"port        {process.get('port', '—')} (process {process.get('pid', '—')} is "
                     f"{'warm' if process.get('alive') else 'stopped'})")
    else:
        lines.append("port        — (no process kept warm for this tool now)")
    if meta.get("owner_pid") is not None:
        lines.append(f"app pid     {meta['owner_pid']}")
    if getattr(record, "error_text", None):
        lines += ["", "error", record.error_text]
    lines += ["", "inputs (raw JSON)", _pretty(getattr(record, "inputs_json", None)),
              "", "outputs (raw JSON)", _pretty(getattr(record, "outputs_json", None))]
    extra = {k: v for k, v in meta.items() if k not in ("duration_s", "tool_pid", "owner_pid")}
    if extra:
        lines += ["", "meta", json.dumps(extra, indent=2, ensure_ascii=False, default=str)]
    return "\n".join(lines)


class DeveloperDetails(QWidget):
    """A read-only, monospaced, selectable dump of one run."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DeveloperDetails")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        self.hint = QLabel("Run the tool to see its run id, process, port and raw JSON here.")
        self.hint.setObjectName("Muted")
        self.hint.setWordWrap(True)
        lay.addWidget(self.hint)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("DeveloperText")
        self.text.setAccessibleName("Developer details of the run")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        lay.addWidget(self.text, 1)

    def show_run(self, record: Any, process: dict | None = None) -> None:
        self.hint.setVisible(record is None)
        self.text.setPlainText(describe_run(record, process) if record is not None else "")
