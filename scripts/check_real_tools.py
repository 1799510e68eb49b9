"""Check how Pixie Desktop draws real tools' outputs — a developer's check, not part of the app.

    .venv/bin/python scripts/check_real_tools.py SOURCE [--run] [--shots DIR] [--only NAME]
    .venv/bin/python scripts/check_real_tools.py --clone [--run] ...

SOURCE is a local folder holding tool folders (each with a tool.json), for example the `tools/`
folder of a clone of the public Pixie repository. `--clone` makes that clone itself
(`git clone --depth 1 https://github.com/AlexKapadia/Pixie`, into a temp folder): it needs
network access to GitHub, which the development sandbox did not have.

The tools are copied into a temp folder (never into this repo's tools/, never committed), then
for each tool:
  1. tool.json is parsed with Pixie Desktop's own parser (errors are reported, not fatal);
  2. every reference/fixture_*.json's `expected_outputs` — the values the tool really sends —
     are rendered offscreen by the output renderers; a value that falls back to the raw-JSON card
     is reported with the renderer's reason;
  3. with --run, the tool is set up (`pixie-desktop setup-tool`, which needs its package
     registry) and run once with the fixture's inputs (`pixie-desktop run --json`), and the
     live outputs are rendered the same way.
With --shots DIR each rendered card is saved as DIR/<tool>/<output>.png to look at.

Exit status: 0 when every value was drawn, 1 otherwise. See docs/renderers.md."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PUBLIC_REPO = "https://github.com/AlexKapadia/Pixie"


def find_tools(source: Path) -> list[Path]:
    """Tool folders under `source`: itself, its children, or its tools/ child."""
    if (source / "tool.json").is_file():
        return [source]
    base = source / "tools" if (source / "tools").is_dir() else source
    return sorted(p for p in base.iterdir() if (p / "tool.json").is_file())


def clone_public(dest: Path) -> Path:
    subprocess.run(["git", "clone", "--depth", "1", PUBLIC_REPO, str(dest / "pixie")], check=True, timeout=300)
    return dest / "pixie" / "tools"


def render_outputs(spec, outputs: dict, shots: Path | None, folder: str) -> list[str]:
    """Render each declared output's value; return the problems found."""
    from pixie_desktop.ui.outputs import create_renderer

    problems = []
    for o in spec.outputs:
        if o.key not in outputs:
            continue
        card = create_renderer(o)
        card.resize(720, 400)
        card.set_value(outputs[o.key])
        if hasattr(card, "canvas") and card.error is None:
            card.canvas.draw()
        if card.error:
            problems.append(f"{o.key} ({o.type}): {card.error}")
        if shots is not None:
            out = shots / folder
            out.mkdir(parents=True, exist_ok=True)
            card.show()
            from PySide6.QtWidgets import QApplication

            QApplication.processEvents()
            card.grab().save(str(out / f"{o.key}.png"))
        card.close()
        card.deleteLater()
    return problems


def run_tool(tool_dir: Path, inputs: dict, env: dict) -> tuple[dict | None, str]:
    """(outputs, problem): the live outputs of one run, or None and why there are none."""
    cli = [sys.executable, "-m", "pixie_desktop"]
    setup = subprocess.run(cli + ["setup-tool", tool_dir.name], env=env, capture_output=True, text=True,
                           timeout=1800)
    if setup.returncode != 0:
        return None, "setup failed: " + (setup.stderr.strip() or setup.stdout.strip())[-300:]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(inputs, fh)
    proc = subprocess.run(cli + ["run", tool_dir.name, "--inputs-json", fh.name, "--json", "--quiet"],
                          env=env, capture_output=True, text=True, timeout=600)
    os.unlink(fh.name)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        return None, "run failed: " + proc.stderr.strip()[-300:]
    outputs = result.get("outputs") if isinstance(result, dict) else None
    if not isinstance(outputs, dict) or not outputs:
        return None, f"run {result.get('status') if isinstance(result, dict) else '?'}: {result.get('error') if isinstance(result, dict) else proc.stderr[-300:]}"
    return outputs, ""


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", type=Path, help="folder of tool folders (e.g. a clone's tools/)")
    ap.add_argument("--clone", action="store_true", help=f"git clone {PUBLIC_REPO} first (needs network)")
    ap.add_argument("--run", action="store_true", help="also set up and run each tool with its fixture inputs")
    ap.add_argument("--shots", type=Path, help="save each rendered card under this folder")
    ap.add_argument("--only", default="", help="only tools whose folder name contains this")
    args = ap.parse_args(argv)
    if not args.source and not args.clone:
        ap.error("give a SOURCE folder or --clone")

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="pixie-real-tools-"))
    env = {**os.environ, "PIXIE_ROOT": str(work), "PIXIE_TOOLS_DIR": str(work / "tools"),
           "PIXIE_DB_PATH": str(work / "pixie.db"), "PIXIE_ARTEFACTS_ROOT": str(work / "artefacts")}
    os.environ.update({k: env[k] for k in ("PIXIE_ROOT", "PIXIE_TOOLS_DIR", "PIXIE_DB_PATH", "PIXIE_ARTEFACTS_ROOT")})
    sys.path.insert(0, str(REPO))
    from PySide6.QtWidgets import QApplication

    from pixie_desktop.manifest.parse import parse_tool_file

    app = QApplication.instance() or QApplication(["pixie-real-tools"])  # noqa: F841
    source = clone_public(work) if args.clone else args.source.resolve()
    failures = 0
    try:
        for tool in find_tools(source):
            if args.only and args.only not in tool.name:
                continue
            dest = work / "tools" / tool.name
            shutil.copytree(tool, dest, ignore=shutil.ignore_patterns(".venv", ".env", "__pycache__", "uv.lock"))
            print(f"{tool.name}")
            try:
                spec = parse_tool_file(dest / "tool.json")
            except Exception as exc:  # noqa: BLE001 - report and go on with the next tool
                print(f"  tool.json does not parse: {exc}")
                failures += 1
                continue
            fixtures = sorted((dest / "reference").glob("fixture_*.json"))
            if not fixtures:
                print("  no reference fixtures")
            for fx in fixtures:
                data = json.loads(fx.read_text(encoding="utf-8"))
                problems = render_outputs(spec, data.get("expected_outputs") or {}, args.shots, tool.name)
                if not data.get("expected_outputs") and not args.run:
                    print(f"  {fx.name}: no expected outputs to draw (use --run)")
                if args.run:
                    live, why = run_tool(dest, data.get("inputs") or {}, env)
                    if live is None:
                        problems.append(why)
                    else:
                        shots_name = f"{tool.name}-{fx.stem}"
                        problems += [f"live {p}" for p in render_outputs(spec, live, args.shots, shots_name)]
                for p in problems:
                    print(f"  {fx.name}: {p}")
                failures += len(problems)
                if not problems and (args.run or data.get("expected_outputs")):
                    print(f"  {fx.name}: every value drawn")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
