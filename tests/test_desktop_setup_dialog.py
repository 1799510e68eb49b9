"""Tool setup dialog: streams the installer's log, advances the phase bar, reports success,
and Cancel stops the installer (no process left) — with a fake `uv` so no network is needed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from pixie_desktop.ui import workers
from pixie_desktop.ui.views.tool_setup_dialog import ToolSetupDialog

FAKE_UV_OK = """#!/bin/sh
echo "Resolved 1 package in 3ms"
mkdir -p .venv/bin
printf '#!/bin/sh\\necho Python 3.99 ready\\n' > .venv/bin/python
chmod +x .venv/bin/python
echo "Installed 1 package in 5ms"
echo " + six==1.17.0"
"""
FAKE_UV_SLOW = """#!/bin/sh
echo "Resolving…"
sleep 30
"""


@pytest.fixture
def tool(tmp_path, monkeypatch):
    def make(script: str) -> Path:
        bindir = tmp_path / "bin"
        bindir.mkdir(exist_ok=True)
        uv = bindir / "uv"
        uv.write_text(script)
        uv.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
        d = tmp_path / "tool"
        d.mkdir(exist_ok=True)
        (d / "pyproject.toml").write_text('[project]\nname="t"\nversion="1"\ndependencies=["six"]\n')
        return d

    yield make
    workers.wait_for_all(10_000)


def test_streams_log_and_finishes(qtbot, tool):
    d = tool(FAKE_UV_OK)
    dlg = ToolSetupDialog(d, "Six echo")
    qtbot.addWidget(dlg)
    dlg.show()
    assert "uv sync" in dlg.method.text()
    with qtbot.waitSignal(dlg.finished_setup, timeout=15_000) as sig:
        dlg.start()
    result = sig.args[0]
    assert result.ok, result.error
    text = dlg.log.toPlainText()
    assert "Resolved 1 package" in text and "+ six==1.17.0" in text and "Python 3.99 ready" in text
    assert dlg.progress.value() == dlg.progress.maximum()
    assert dlg.phase_label.text() == "Environment ready"
    assert dlg.cancel_button.text() == "Close" and not dlg.running
    assert (d / ".venv" / "bin" / "python").is_file()


def test_cancel_stops_installer_and_cleans_up(qtbot, tool):
    d = tool(FAKE_UV_SLOW)
    dlg = ToolSetupDialog(d, "Slow")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    qtbot.waitUntil(lambda: "Resolving" in dlg.log.toPlainText(), timeout=10_000)
    assert dlg.phase_label.text().startswith("Step 1 of 2")
    with qtbot.waitSignal(dlg.finished_setup, timeout=10_000) as sig:
        qtbot.mouseClick(dlg.cancel_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].cancelled
    assert dlg.phase_label.text() == "Cancelled" and not (d / ".venv").exists()


def test_close_while_running_cancels_first(qtbot, tool):
    d = tool(FAKE_UV_SLOW)
    dlg = ToolSetupDialog(d, "Slow")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    qtbot.waitUntil(lambda: "Resolving" in dlg.log.toPlainText(), timeout=10_000)
    dlg.close()
    assert dlg.isVisible()  # stays until the installer has really stopped
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10_000)
    assert dlg.result is not None and dlg.result.cancelled


def test_failure_is_shown(qtbot, tool):
    d = tool("#!/bin/sh\necho 'error: No solution found: six==999'\nexit 2\n")
    dlg = ToolSetupDialog(d, "Broken")
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.finished_setup, timeout=10_000) as sig:
        dlg.start()
    assert not sig.args[0].ok
    assert dlg.phase_label.text() == "Setup failed" and "No solution found" in dlg.status.text()
