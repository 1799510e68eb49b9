"""The per-run artefact quota (max_artefact_bytes_per_run) is enforced while the run is going:
a tool that keeps writing is stopped, the run ends `error` with a message naming the setting,
and what it wrote is kept and registered."""

from __future__ import annotations

import time

from conftest import write_tool
from pixie_desktop.store import artefacts_repo

WRITER = '''
import time
from pathlib import Path
from pixie_desktop import sdk

tool = sdk.Tool(__file__)


@tool.handler
def run(inputs, ctx):
    folder = Path(ctx.artefacts_dir)
    for i in range(400):  # 400 x 64 KiB = 25 MB, far past the test's quota, over ~8 s
        (folder / f"chunk-{i:03d}.bin").write_bytes(b"x" * 65536)
        time.sleep(0.02)
        if ctx.cancelled:
            break
    return {"n": 400}


if __name__ == "__main__":
    tool.serve()
'''


def test_a_run_that_writes_past_its_artefact_quota_is_stopped(ctx, tools_dir):
    from pixie_desktop.runtime.runner import Runner

    write_tool(tools_dir, "writer", {"id": "writer", "name": "Writer", "inputs": [],
                                     "outputs": [{"key": "n", "type": "number", "label": "N"}]}, main_py=WRITER)
    ctx.settings.values["max_artefact_bytes_per_run"] = 1024 * 1024  # 1 MiB
    runner = Runner(ctx.settings)
    try:
        t0 = time.monotonic()
        res = runner.run(ctx.find_tool("writer"), {})
        took = time.monotonic() - t0
    finally:
        runner.shutdown()
    assert res.status == "error"
    assert "max_artefact_bytes_per_run" in res.error and "the files it wrote are kept" in res.error
    assert took < 6  # stopped within about a second of crossing the quota, not after all 400 chunks
    rows = artefacts_repo.for_run(ctx.conn, res.run_id)
    assert rows and sum(r.size_bytes for r in rows) > 1024 * 1024
