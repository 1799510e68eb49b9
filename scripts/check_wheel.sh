#!/usr/bin/env bash
# Build the wheel and prove it works on its own, away from the checkout:
#   1. `pip wheel --no-deps` builds it; its file list must hold resources/ and the bundled tools
#      (as pixie_desktop/resources and pixie_desktop/bundled_tools) and nothing from a tool's
#      .venv, .env or __pycache__;
#   2. it is installed into a fresh venv in a temp dir (dependencies from the usual pip config);
#   3. with HOME and the XDG dirs pointing into the temp dir and no PIXIE_* variables, the
#      installed `pixie-desktop` lists the bundled tools (seeded into the user data dir on first
#      start), runs `calculator` (6 × 7 = 42), and the GUI starts offscreen through the real
#      entry point and paints its main window with the tools in the sidebar.
# Heavy (a full PySide6 install), so it is not part of .ci/run. Usage: bash scripts/check_wheel.sh
# [--keep] (--keep leaves the temp dir for a look).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"
keep=0
[ "${1:-}" = "--keep" ] && keep=1
tmp="$(mktemp -d "${TMPDIR:-/tmp}/pixie-wheel.XXXXXX")"
cleanup() { if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
step() { echo "› $*"; }

step "building the wheel"
# From a clean copy of the working tree: setuptools reuses a stale build/ folder, and a tool's
# .venv or the repo's pixie.db and artefacts have no business near a build.
"$py" - "$here" "$tmp/src" <<'EOF'
import shutil, sys
from pathlib import Path
src = Path(sys.argv[1])
top = {".git", ".venv", "build", "dist", "artefacts", "screenshots", ".cache", ".pytest_cache", ".hypothesis"}
def ignore(folder, names):
    at_top = Path(folder) == src
    return [n for n in names if n in (".venv", "__pycache__") or n.endswith(".egg-info")
            or (at_top and (n in top or n.startswith("pixie.db")))]
shutil.copytree(src, sys.argv[2], ignore=ignore)
EOF
"$py" -m pip wheel --quiet --no-deps --wheel-dir "$tmp/dist" "$tmp/src" >&2
wheel="$(ls "$tmp"/dist/pixie_desktop-*.whl)"
echo "  $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

step "checking its contents"
"$py" - "$wheel" <<'EOF'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["pixie_desktop/resources/icons/pixie-desktop.svg", "pixie_desktop/resources/icons/chevron-down.svg",
        "pixie_desktop/resources/pixie-desktop.desktop.in", "pixie_desktop/resources/world_outline.json",
        "pixie_desktop/bundled_tools/calculator/tool.json", "pixie_desktop/bundled_tools/calculator/main.py",
        "pixie_desktop/sdk.py", "pixie_desktop/py.typed"]
missing = [n for n in need if n not in names]
bad = [n for n in names if any(part in (".venv", ".env", "__pycache__") for part in n.split("/"))
       or n.split("/")[0] in ("tools", "resources", "tests")]
tools = sorted({n.split("/")[2] for n in names if n.startswith("pixie_desktop/bundled_tools/") and n.endswith("/tool.json")})
print(f"  {len(names)} files; bundled tools: {', '.join(tools)}")
if missing or bad:
    sys.exit(f"wheel contents wrong: missing {missing}, should not ship {bad[:10]}")
EOF

step "installing it into a fresh venv"
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet "$wheel" >&2
app="$tmp/venv/bin/pixie-desktop"

# A clean user: nothing from the caller's environment or home may leak in.
for var in $(env | grep -o '^PIXIE_[A-Z_]*' || true); do unset "$var"; done
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" XDG_CONFIG_HOME="$tmp/home/.config" \
       XDG_CACHE_HOME="$tmp/home/.cache" XDG_STATE_HOME="$tmp/home/.local/state" \
       XDG_RUNTIME_DIR="$tmp/run" QT_QPA_PLATFORM=offscreen PYTHONNOUSERSITE=1
mkdir -p "$HOME" && mkdir -m 700 "$tmp/run"
cd "$tmp"   # so the checkout can never be imported by accident

step "pixie-desktop list --json"
"$app" list --json > "$tmp/list.json"
"$tmp/venv/bin/python" - "$tmp/list.json" "$tmp/venv" <<'EOF'
import json, sys
from pathlib import Path
import pixie_desktop
from pixie_desktop.config import app_root, running_from_checkout
assert Path(pixie_desktop.__file__).resolve().is_relative_to(Path(sys.argv[2]).resolve()), pixie_desktop.__file__
assert not running_from_checkout()
rows = json.loads(Path(sys.argv[1]).read_text())
ids = sorted(r.get("id") or r.get("tool_id") for r in rows)
print(f"  data root {app_root()}; tools: {', '.join(ids)}")
assert {"calculator", "csv-summary", "image-thumbnail", "slow-counter"} <= set(ids), rows
EOF

step "pixie-desktop run calculator -i a=6 -i op=multiply -i b=7 --json"
"$app" run calculator -i a=6 -i op=multiply -i b=7 --json --quiet > "$tmp/run.json"
"$tmp/venv/bin/python" - "$tmp/run.json" <<'EOF'
import json, sys
out = json.loads(open(sys.argv[1]).read())
print(f"  status {out['status']}, result {out['outputs'].get('result')}, {out.get('duration_s')} s")
assert out["status"] == "ok" and out["outputs"]["result"] == 42, out
EOF

step "GUI offscreen: start through pixie_desktop.__main__, wait for the tools, grab the window"
timeout 120 "$tmp/venv/bin/python" - "$tmp/window.png" <<'EOF'
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(["pixie-desktop"])
result = {}
started = time.monotonic()


def check():
    wins = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow" and w.isVisible()]
    if not wins or wins[0].tools_model.rowCount() < 4:
        if time.monotonic() - started < 60:
            QTimer.singleShot(200, check)
            return
        result["error"] = f"no main window with 4 tools after 60 s ({wins})"
        app.quit()
        return
    QTimer.singleShot(1500, lambda: grab(wins[0]))  # let the sidebar and home settle first


def grab(win):
    img = win.grab().toImage()
    img.save(sys.argv[1])
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    result.update(size=(img.width(), img.height()), colours=len(colours), tools=win.tools_model.rowCount())
    win.close()
    app.quit()


QTimer.singleShot(200, check)
from pixie_desktop.__main__ import main

rc = main([])
print(f"  exit {rc}; {result}")
if "error" in result or rc != 0 or result.get("colours", 0) < 10:
    sys.exit(f"GUI check failed: {result}")
EOF
echo "  screenshot: $tmp/window.png$([ "$keep" = 1 ] || echo ' (removed; --keep to look)')"
echo "wheel OK"
