"""The launcher's readiness pipe (runtime/launcher.py `PIXIE_READY_FD`, sdk._signal_ready): an SDK
tool says "listening" through it so the spawn wait ends at once; a tool that signals too early, or
closes the pipe unused, is still polled until /healthz answers; the pipe never leaks into the tool."""

from __future__ import annotations

import json
import os

import pytest

from conftest import write_tool
from pixie_desktop import sdk
from pixie_desktop.runtime.launcher import READY_FD_ENV, spawn

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the readiness pipe is POSIX only")

SPEC = {"id": "ready", "name": "Ready", "inputs": [], "outputs": [{"key": "text", "type": "text", "label": "T"}]}

SDK_TOOL = """{prelude}
from pixie_desktop import sdk
tool = sdk.Tool(__file__)

@tool.handler
def run(inputs, ctx):
    import stat
    pipes = []
    for name in os.listdir("/proc/self/fd"):
        try:
            if int(name) > 2 and stat.S_ISFIFO(os.fstat(int(name)).st_mode):
                pipes.append(name)
        except OSError:
            pass
    return {{"text": json.dumps({{"env": os.environ.get("PIXIE_READY_FD"), "pipes": pipes}})}}

if __name__ == "__main__":
    tool.serve()
"""

EARLY = """import json, os, time
fd = int(os.environ.pop("PIXIE_READY_FD"))
os.write(fd, b"1")  # "ready" long before it listens
os.close(fd)
time.sleep(0.5)
"""

CLOSES = """import json, os, time
os.close(int(os.environ.pop("PIXIE_READY_FD")))  # EOF: the launcher must fall back to polling
time.sleep(0.5)
"""


@pytest.mark.parametrize("prelude", ["import json, os", EARLY, CLOSES], ids=["sdk", "early", "closes"])
def test_spawn_waits_until_healthy_whatever_the_pipe_says(ctx, tools_dir, prelude):
    write_tool(tools_dir, "ready", SPEC, SDK_TOOL.format(prelude=prelude))
    proc = spawn(ctx.find_tool("ready"), ctx.settings)
    try:
        assert proc.client.get("/healthz")[0] == 200
        status, body = proc.client.post_json("/run", {"run_id": "r1", "inputs": {}})
        assert status == 200
        seen = json.loads(json.loads(body)["text"])
        # the SDK consumed the variable and closed its end: nothing of the pipe reaches the handler
        assert seen == {"env": None, "pipes": []}
    finally:
        proc.stop(grace=2)


def test_signal_ready_writes_only_to_a_pipe(tmp_path, monkeypatch):
    r, w = os.pipe()
    try:
        monkeypatch.setenv(READY_FD_ENV, str(w))
        sdk._signal_ready()
        assert os.read(r, 10) == b"1"  # one byte, and the write end is closed: EOF next
        assert os.read(r, 10) == b""
        assert READY_FD_ENV not in os.environ
    finally:
        os.close(r)
    target = tmp_path / "file"
    with open(target, "wb") as f:
        monkeypatch.setenv(READY_FD_ENV, str(f.fileno()))
        sdk._signal_ready()  # a regular file: left alone
    assert target.read_bytes() == b""
    for junk in ("", "x", "-1", "1", "99999"):
        monkeypatch.setenv(READY_FD_ENV, junk)
        sdk._signal_ready()  # stdin/stdout/stderr, garbage and closed descriptors are ignored
        assert READY_FD_ENV not in os.environ
