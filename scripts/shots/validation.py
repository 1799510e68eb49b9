"""Screenshots of the validation report dialog, the settings dialog, the secrets editor and the
workspace manager. Reports come from real validator passes on the stdlib fixture tool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from scripts.shots._helpers import grab, settle

REPO = Path(__file__).resolve().parents[2]


def _fixture_tool(tools_dir: Path, folder: str, behaviour: dict, changes: dict | None = None) -> None:
    dest = tools_dir / folder
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "tests" / "fixtures" / "tools" / "validate-sqrt", dest,
                    ignore=shutil.ignore_patterns("__pycache__"))
    spec = json.loads((dest / "tool.json").read_text())
    spec.update({"id": folder, **(changes or {})})
    (dest / "tool.json").write_text(json.dumps(spec, indent=2))
    (dest / "behaviour.json").write_text(json.dumps(behaviour))


def shoot(out_dir: Path) -> list[Path]:
    from pixie_desktop.context import open_context
    from pixie_desktop.ui import theme
    from pixie_desktop.validation import report as report_mod
    from pixie_desktop.validation.validator import ValidateOptions, validate_tool

    theme.apply_theme()
    ctx = open_context()
    saved: list[Path] = []
    _fixture_tool(ctx.settings.tools_dir, "square-root", {"offset": 0.004, "ignore_sigterm": True},
                  {"name": "Square root", "secrets": [
                      {"key": "OPENAI_API_KEY", "description": "Key for the optional explanation step",
                       "required": True},
                      {"key": "CACHE_URL", "description": "Where results are cached (optional)"}]})
    (ctx.settings.tools_dir / "square-root" / ".env").write_text("# square-root secrets\nCACHE_URL=redis://localhost:6379/0\n")
    tool = ctx.find_tool("square-root")
    rep = validate_tool(tool, ctx.settings, ValidateOptions(shutdown_grace=0.3))
    report_mod.save(ctx.conn, rep)

    from pixie_desktop.ui.views.validation_dialog import ValidationReportDialog

    dlg = ValidationReportDialog.for_tool(ctx, "square-root")
    saved.append(grab(dlg, out_dir / "validation-report.png", (780, 640)))
    dlg.close()

    try:
        from pixie_desktop.ui.views.settings_dialog import SettingsDialog

        from pixie_desktop.config import save_setting

        save_setting(ctx.settings, ctx.conn, "warm_keep_seconds", 120)
        sd = SettingsDialog(ctx.settings, ctx.conn)
        saved.append(grab(sd, out_dir / "settings-dialog.png", (760, 680)))
        sd.close()
    except ImportError:
        pass
    try:
        from pixie_desktop.ui.views.secrets_editor import SecretsEditorDialog

        se = SecretsEditorDialog(tool)
        saved.append(grab(se, out_dir / "secrets-editor.png", (620, 380)))
        se.close()
    except ImportError:
        pass
    try:
        from pixie_desktop.store import workspaces_repo
        from pixie_desktop.ui.views.workspace_dialogs import WorkspaceManagerDialog

        for name, colour, members in (("Finance", "#2f9e5b", ["square-root"]), ("Images", "#5563d1", []),
                                      ("Daily chores", "#e07a2f", ["square-root"])):
            ws = workspaces_repo.create(ctx.conn, name, colour)
            for m in members:
                workspaces_repo.add_tool(ctx.conn, ws.id, m)
        wd = WorkspaceManagerDialog(ctx.conn)
        saved.append(grab(wd, out_dir / "workspace-manager.png", (520, 400)))
        wd.close()
    except ImportError:
        pass
    try:
        from pixie_desktop.store import tags_repo
        from pixie_desktop.ui.widgets.tag_editor import TagsDialog

        tags_repo.add_tag(ctx.conn, "square-root", "maths")
        tags_repo.add_tag(ctx.conn, "square-root", "quick-check")
        tool.spec.tags = ["example", "stdlib"]
        td = TagsDialog(ctx.conn, tool)
        td.editor.edit.setText("Data Cleaning!")
        td.editor.add_from_field()
        saved.append(grab(td, out_dir / "tag-editor.png", (480, 230)))
        td.close()
    except ImportError:
        pass
    settle(50)
    ctx.close()
    return saved
