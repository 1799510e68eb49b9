"""Layering guards: the import-linter contracts in pyproject.toml ([tool.importlinter]) hold.

Each contract is checked on its own so a failure names the contract and shows import-linter's
report (which module imports what, on which line)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent

# Runs the console script's code in this interpreter, so the check needs no PATH set-up.
_LINT = ("import sys; from importlinter.cli import lint_imports; "
         "sys.exit(lint_imports(config_filename='pyproject.toml', limit_to_contracts=(sys.argv[1],), "
         "cache_dir=None, no_cache=True, no_logo=True))")


def lint(contract_id: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _LINT, contract_id], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env=_env())


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["COLUMNS"] = "200"  # rich wraps the report at 80 columns otherwise
    return env


class ContractBroken(AssertionError):
    """import-linter ran and found imports the contract forbids (not a config or crash error)."""


def assert_kept(contract_id: str) -> None:
    proc = lint(contract_id)
    if proc.returncode == 0:
        return
    if " BROKEN" in proc.stdout:
        raise ContractBroken(f"import-linter contract {contract_id!r} is broken:\n{proc.stdout}")
    raise AssertionError(f"import-linter could not check {contract_id!r}:\n{proc.stdout}\n{proc.stderr}")


def test_core_never_imports_qt_or_ui():
    assert_kept("core-qt-free")


def test_the_qt_layer_never_imports_the_store():
    assert_kept("views-no-store")
