"""The frozen app's hidden interpreter (pixie_desktop/frozen.py, packaging/entry.py): the
executable behaves like `python SCRIPT` / `-m MODULE` / `-c CODE` for tools, the launcher picks
it for zero-setup tools when frozen and keeps a tool's own `.venv` interpreter otherwise, and a
frozen app never tries to create a venv with its own executable. The real PyInstaller bundle is
checked by the `packaging` tests in tests/test_packaging.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pixie_desktop import frozen
from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.lifecycle import envsetup
from pixie_desktop.runtime import launcher

REPO = Path(__file__).resolve().parent.parent
ENTRY = REPO / "packaging" / "entry.py"


def hidden(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The packaging entry script in hidden mode, on this interpreter (as the bundle runs it)."""
    return subprocess.run([sys.executable, str(ENTRY), frozen.HIDDEN_FLAG, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_script_runs_as_main_with_its_args_and_folder_on_path(tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 'sibling'\n")
    (tmp_path / "main.py").write_text(
        "import sys, helper\nprint(__name__, sys.argv[1:], helper.VALUE)\nsys.exit(7)\n")
    proc = hidden(["main.py", "--port", "123"], tmp_path)
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout.strip() == "__main__ ['--port', '123'] sibling"


def test_module_and_code_forms_and_python_options(tmp_path):
    (tmp_path / "mod.py").write_text("import sys\nprint(__name__, sys.argv[1:])\n")
    proc = hidden(["-m", "mod", "x"], tmp_path)
    assert (proc.returncode, proc.stdout.strip()) == (0, "__main__ ['x']"), proc.stderr
    proc = hidden(["-I", "-u", "-c", "import sys; print(__name__, sys.argv)", "a"], tmp_path)
    assert (proc.returncode, proc.stdout.strip()) == (0, "__main__ ['-c', 'a']"), proc.stderr
    # the app's own modules are importable (tools use pixie_desktop.sdk)
    proc = hidden(["-c", "from pixie_desktop import sdk; print(sdk.Tool.__name__)"], tmp_path)
    assert proc.stdout.strip() == "Tool", proc.stderr


def test_errors_are_reported_like_python(tmp_path):
    (tmp_path / "boom.py").write_text("raise ValueError('kaput')\n")
    proc = hidden(["boom.py"], tmp_path)
    assert proc.returncode == 1 and "ValueError: kaput" in proc.stderr and "Traceback" in proc.stderr
    proc = hidden(["missing.py"], tmp_path)
    assert proc.returncode == 2 and "can't open file" in proc.stderr
    proc = hidden(["-Z", "x.py"], tmp_path)
    assert proc.returncode == 2 and "unknown option -Z" in proc.stderr
    proc = hidden(["-c"], tmp_path)
    assert proc.returncode == 2 and "Argument expected" in proc.stderr
    proc = hidden(["-c", "import sys; sys.exit('bye')"], tmp_path)
    assert proc.returncode == 1 and "bye" in proc.stderr


def test_python_command_and_launcher_argv_follow_sys_frozen(tmp_path, monkeypatch):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "tool.json").write_text('{"id": "plain", "name": "Plain"}')
    (plain / "main.py").write_text("")
    own = tmp_path / "own"
    (own / ".venv" / "bin").mkdir(parents=True)
    (own / "tool.json").write_text('{"id": "own", "name": "Own"}')
    (own / "main.py").write_text("")
    (own / ".venv" / "bin" / "python").symlink_to(sys.executable)
    tools = {t.tool_id: t for t in Discovery(tmp_path).scan()}
    assert frozen.python_command() == [sys.executable]
    assert launcher.python_argv(tools["plain"]) == [sys.executable]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert frozen.python_command() == [sys.executable, frozen.HIDDEN_FLAG]
    assert launcher.python_argv(tools["plain"]) == [sys.executable, frozen.HIDDEN_FLAG]
    assert launcher.python_argv(tools["own"]) == [str(own / ".venv" / "bin" / "python")]


def test_frozen_app_makes_venvs_with_a_python_from_path(tmp_path, monkeypatch):
    tool = tmp_path / "needs-deps"
    tool.mkdir()
    (tool / "requirements.txt").write_text("requests\n")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(envsetup.shutil, "which", lambda name: None)  # also hides uv
    monkeypatch.setattr(frozen.shutil, "which", lambda name: None)
    with pytest.raises(envsetup.SetupError, match="install python3"):
        envsetup.plan_setup(tool, use_uv=False)
    monkeypatch.setattr(frozen.shutil, "which", lambda name: "/usr/bin/python3" if name == "python3" else None)
    steps = envsetup.plan_setup(tool, use_uv=False)
    assert steps[0].argv[:3] == ["/usr/bin/python3", "-m", "venv"]
    # a requires-python check never offers the frozen executable itself
    assert envsetup.find_python(">=3.8", which=lambda name: None) is None


def test_zero_setup_tool_runs_through_the_hidden_mode(ctx, install, runner, monkeypatch):
    """The calculator served by `<app> --pixie-run-python main.py --port N`, as in the bundle."""
    seen: list[list[str]] = []

    def command() -> list[str]:
        argv = [sys.executable, str(ENTRY), frozen.HIDDEN_FLAG]
        seen.append(argv)
        return argv

    monkeypatch.setattr(launcher, "python_command", command)
    install("calculator")
    res = runner.run(ctx.find_tool("calculator"), {"a": 6, "b": 7, "op": "multiply"})
    assert res.status == "ok", res.error
    assert res.outputs["result"] == 42 and len(seen) == 1
