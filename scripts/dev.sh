#!/usr/bin/env bash
# One entry point for people and CI:
#   bash scripts/dev.sh app    → create .venv if needed, install, launch Pixie Desktop
#   bash scripts/dev.sh test   → create .venv if needed, install, run the whole test suite headless
# Extra arguments are passed to the app / to pytest.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mode="${1:-app}"; shift || true
py="${PYTHON:-python3}"
venv="$here/.venv"
stamp="$venv/.pixie-installed"
if [ ! -x "$venv/bin/python" ]; then
  echo "› creating $venv" >&2
  "$py" -m venv "$venv"
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "› installing Pixie Desktop and its dependencies into .venv (first run takes a minute)" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
  "$venv/bin/python" -m pip install --quiet -e ".[test]" >&2
  touch "$stamp"
fi
case "$mode" in
  app)
    exec "$venv/bin/pixie-desktop" "$@" ;;
  test)
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    set +e
    "$venv/bin/python" -m pytest "$@"
    rc=$?
    set -e
    if [ "$rc" -eq 5 ]; then
      echo "pytest collected no tests: failing on purpose" >&2
      exit 1
    fi
    exit "$rc" ;;
  *)
    echo "usage: bash scripts/dev.sh [app|test] [args…]" >&2; exit 2 ;;
esac
