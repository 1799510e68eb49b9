"""New tool dialog: the id follows the name until edited, bad/taken ids disable Create, and
Create scaffolds a tool that discovery lists."""

from __future__ import annotations

from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.ui.views.new_tool_dialog import NewToolDialog, slugify


def test_slugify():
    assert slugify("CSV cleaner!") == "csv-cleaner"
    assert slugify("  42 Things  ") == "things"
    assert slugify("Über Tool") == "ber-tool"


def test_create_chat_tool(qtbot, tools_dir):
    dlg = NewToolDialog(tools_dir)
    qtbot.addWidget(dlg)
    assert not dlg.create_button.isEnabled()
    qtbot.keyClicks(dlg.name, "Echo Bot")
    assert dlg.tool_id.text() == "echo-bot" and dlg.create_button.isEnabled()
    dlg.chat_button.setChecked(True)
    dlg.description.setText("Talks back")
    with qtbot.waitSignal(dlg.created) as sig:
        dlg.create_button.click()
    assert sig.args[0] == "echo-bot" and sig.args[1] == tools_dir / "echo-bot"
    tools = {t.tool_id: t for t in Discovery(tools_dir).scan()}
    assert tools["echo-bot"].ok and tools["echo-bot"].spec.layout == "chat"
    assert tools["echo-bot"].name == "Echo Bot" and tools["echo-bot"].description == "Talks back"


def test_bad_and_taken_ids_block_create(qtbot, tools_dir):
    (tools_dir / "taken").mkdir()
    dlg = NewToolDialog(tools_dir)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.keyClicks(dlg.tool_id, "Bad Id")
    assert not dlg.create_button.isEnabled() and dlg.problem.isVisible()
    dlg.tool_id.clear()
    qtbot.keyClicks(dlg.tool_id, "taken")
    assert not dlg.create_button.isEnabled() and "already exists" in dlg.problem.text()
    # once edited by hand the id no longer follows the name
    qtbot.keyClicks(dlg.name, "Something else")
    assert dlg.tool_id.text() == "taken"
