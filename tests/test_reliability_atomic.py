"""Atomic writes: artefact files and a tool's `.env` go through temp file + fsync + rename, so a
failure mid-write (simulated: the write, the fsync or the rename raises) leaves the old file
intact and no temp file behind; ENOSPC while spilling or registering a run's files ends the run
`error` with a clear message and not a single half-registered row."""

from __future__ import annotations

import errno
import os

import pytest

from pixie_desktop.artefacts import storage
from pixie_desktop.runtime import secrets
from pixie_desktop.store import artefacts_repo, runs_repo


def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("fail_at", ["write", "fsync", "replace"])
def test_atomic_write_failure_keeps_the_old_file(tmp_path, fail_at):
    folder = tmp_path / "arts"
    folder.mkdir()
    target = folder / "chart.png"
    target.write_bytes(b"old contents")
    with pytest.MonkeyPatch.context() as mp:
        if fail_at == "write":
            real_fdopen = os.fdopen

            class HalfWriter:
                def __init__(self, fh):
                    self.fh = fh

                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    self.fh.close()

                def write(self, data):
                    self.fh.write(data[: len(data) // 2])
                    _enospc()

            mp.setattr(storage.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
        else:
            mp.setattr(storage.os, fail_at, _enospc)
        with pytest.raises(OSError):
            storage.atomic_write(target, b"new contents that never fully arrive")
    assert target.read_bytes() == b"old contents"
    assert sorted(p.name for p in folder.iterdir()) == ["chart.png"]


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_env_write_failure_keeps_the_old_env(tmp_path, fail_at):
    tool_dir = tmp_path / "tool"
    secrets.write_secret(tool_dir, "API_TOKEN", "old-token-1234")
    before = (tool_dir / ".env").read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(storage.os, fail_at, _enospc)  # .env goes through storage.atomic_write
        with pytest.raises(OSError):
            secrets.write_secret(tool_dir, "API_TOKEN", "new-token-5678")
        with pytest.raises(OSError):
            secrets.delete_secret(tool_dir, "API_TOKEN")
    assert (tool_dir / ".env").read_bytes() == before
    assert secrets.read_env(tool_dir) == {"API_TOKEN": "old-token-1234"}
    assert sorted(p.name for p in tool_dir.iterdir()) == [".env"]
    if os.name == "posix":
        assert (tool_dir / ".env").stat().st_mode & 0o777 == 0o600


def test_enospc_while_spilling_a_large_output(ctx, install, runner, monkeypatch):
    import pixie_desktop.artefacts.spill as spill_mod

    def half_then_full(path, data):
        # the real failure mode: a temp file half written, then the disk is full
        data = data if isinstance(data, bytes) else b"".join(data)  # a big spill comes in chunks
        (path.parent / (path.name + ".partial")).write_bytes(data[: len(data) // 2])
        _enospc()

    monkeypatch.setattr(spill_mod, "atomic_write", half_then_full)
    install("bad-tool")
    res = runner.run(ctx.find_tool("bad-tool"), {"mode": "huge", "size_mb": 1})
    assert res.status == "error"
    assert res.error == "could not save the run's outputs: [Errno 28] No space left on device"
    rec = runs_repo.get_run(ctx.conn, res.run_id)
    assert rec.status == "error" and rec.outputs_json is None
    assert "outputs_oversize" not in rec.meta and rec.total_artefact_bytes == 0
    assert artefacts_repo.for_run(ctx.conn, res.run_id, include_deleted=True) == []


def test_failure_registering_the_second_file_registers_none(ctx, install, runner, monkeypatch):
    real = storage.sha256_file
    calls = {"n": 0}

    def flaky(path):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.EIO, "Input/output error")
        return real(path)

    monkeypatch.setattr(storage, "sha256_file", flaky)
    install("misbehave")
    res = runner.run(ctx.find_tool("misbehave"), {"mode": "media"})
    assert calls["n"] == 2
    assert res.status == "error" and "could not register the run's files" in res.error
    assert artefacts_repo.for_run(ctx.conn, res.run_id, include_deleted=True) == []
    assert runs_repo.get_run(ctx.conn, res.run_id).total_artefact_bytes == 0
