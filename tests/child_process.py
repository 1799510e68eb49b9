"""Running one test in a fresh interpreter, for tests whose failure mode is a hang or an abort
(a UI thread blocked reading /dev/zero, std::bad_alloc): the parent fails on a timeout or a bad
exit instead of blocking or killing the suite. Tests meant only for the child are marked
`child_only` and deselected in the parent run (tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

child_only = pytest.mark.child_only


def run_in_child(test_file: str, name: str, *, timeout: float = 150, memory_bytes: int = 3 * 1024 ** 3) -> None:
    """Run `test_file::name` in a child pytest with an address-space cap; fail on a hang or crash."""
    env = dict(os.environ, PIXIE_RENDER_CHILD="1", QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", f"{test_file}::{name}"]

    def cap_memory() -> None:  # a regression reads /dev/zero: fail fast, do not eat the machine
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    proc = subprocess.Popen(cmd, cwd=str(Path(test_file).resolve().parent.parent), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=cap_memory)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"{name} hung (UI thread blocked) for {timeout:.0f} s:\n{out.decode(errors='replace')[-3000:]}")
    text = out.decode(errors="replace")
    assert proc.returncode == 0, f"{name} failed or crashed (rc={proc.returncode}):\n{text[-4000:]}"
    assert " passed" in text, text[-2000:]
