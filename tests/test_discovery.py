"""Discovery lists every folder (broken ones with their error), hashes them, skips re-parsing,
syncs tool_state; `pixie-desktop list` prints them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import write_tool
from pixie_desktop.catalog.discovery import Discovery, find_tool, sync_tool_state
from pixie_desktop.store import tool_state_repo

GOOD = {"id": "good-tool", "name": "Good", "inputs": [{"key": "x", "type": "number", "label": "X"}],
        "outputs": [{"key": "y", "type": "number", "label": "Y"}, {"key": "z", "type": "text", "label": "Z"}]}


def make_three(tools: Path) -> None:
    write_tool(tools, "a-good", GOOD)
    write_tool(tools, "b-malformed", '{"id": "bad", "name": ')
    write_tool(tools, "c-unknown-key", {**GOOD, "id": "unk", "flavour": "mint"})
    (tools / ".hidden").mkdir()
    (tools / "not-a-tool").mkdir()


def test_lists_good_and_broken(tools_dir: Path):
    make_three(tools_dir)
    found = Discovery(tools_dir).scan()
    assert [t.folder for t in found] == ["a-good", "b-malformed", "c-unknown-key"]
    good, bad, unk = found
    assert good.ok and good.tool_id == "good-tool" and good.error is None
    assert not bad.ok and "invalid JSON" in bad.error and bad.tool_id == "b-malformed"
    assert not unk.ok and "flavour: unknown key" in unk.error
    assert find_tool(found, "good-tool") is good and find_tool(found, "a-good") is good


def test_skips_reparse_when_unchanged(tools_dir: Path):
    make_three(tools_dir)
    disc = Discovery(tools_dir)
    disc.scan()
    assert disc.parse_count == 3
    disc.scan()
    assert disc.parse_count == 3
    f = tools_dir / "a-good" / "tool.json"
    f.write_text(json.dumps({**GOOD, "name": "Renamed tool"}))
    os.utime(f, ns=(1, 1))  # a different mtime guarantees a different hash
    found = disc.scan()
    assert disc.parse_count == 4 and found[0].name == "Renamed tool"


def test_duplicate_ids_and_unsafe_ids(tools_dir: Path):
    write_tool(tools_dir, "one", GOOD)
    write_tool(tools_dir, "two", GOOD)
    write_tool(tools_dir, "three", {**GOOD, "id": "a/../escape"})
    found = {t.folder: t for t in Discovery(tools_dir).scan()}
    assert found["one"].ok
    assert not found["two"].ok and "already used by the tool in folder 'one'" in found["two"].error
    assert not found["three"].ok and "cannot be used as a folder name" in found["three"].error


def test_sync_tool_state(tools_dir: Path, conn):
    make_three(tools_dir)
    found = Discovery(tools_dir).scan()
    sync_tool_state(conn, found)
    sync_tool_state(conn, found)
    states = tool_state_repo.all_states(conn)
    assert set(states) == {"good-tool", "b-malformed", "c-unknown-key"}
    assert states["good-tool"].discovery_hash == found[0].discovery_hash


def test_cli_list_table_and_json(tools_dir: Path):
    make_three(tools_dir)
    env = dict(os.environ)
    out = subprocess.run([sys.executable, "-m", "pixie_desktop", "list"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "FOLDER", "STATUS"]
    body = "\n".join(lines[2:])
    assert "good-tool" in body and "b-malformed" in body and "c-unknown-key" in body
    assert body.count("parse error") == 2 and " ok" in body
    js = subprocess.run([sys.executable, "-m", "pixie_desktop", "list", "--json"], capture_output=True,
                        text=True, env=env, timeout=60)
    data = json.loads(js.stdout)
    assert [d["folder"] for d in data] == ["a-good", "b-malformed", "c-unknown-key"]
    assert data[0]["error"] is None and data[0]["n_inputs"] == 1 and data[0]["n_outputs"] == 2
    assert data[1]["error"] and data[2]["error"]
    # the test's temp database was used, never the repo's
    assert (Path(env["PIXIE_DB_PATH"])).exists()


def test_cache_file_spares_the_next_process_the_parse(tools_dir: Path, tmp_path: Path):
    """A second Discovery (the next start) with the same cache file parses only what changed,
    and returns the same tools, broken ones and their errors included."""
    make_three(tools_dir)
    cache = tmp_path / "cache" / "discovery.pickle"
    first = Discovery(tools_dir, cache_file=cache)
    found = first.scan()
    assert first.parse_count == 3 and cache.is_file()

    again = Discovery(tools_dir, cache_file=cache)
    assert again.scan() == found and again.parse_count == 0

    f = tools_dir / "a-good" / "tool.json"
    f.write_text(json.dumps({**GOOD, "name": "Renamed tool"}))
    os.utime(f, ns=(1, 1))
    (tools_dir / "b-malformed" / "tool.json").unlink()
    third = Discovery(tools_dir, cache_file=cache)
    listed = third.scan()
    assert third.parse_count == 1 and [t.folder for t in listed] == ["a-good", "c-unknown-key"]
    assert listed[0].name == "Renamed tool" and "flavour: unknown key" in listed[1].error
    fourth = Discovery(tools_dir, cache_file=cache)  # the rewritten cache has the change
    assert fourth.scan() == listed and fourth.parse_count == 0


def test_cache_file_damaged_or_for_another_folder_is_ignored(tools_dir: Path, tmp_path: Path):
    make_three(tools_dir)
    cache = tmp_path / "discovery.pickle"
    cache.write_bytes(b"not a pickle")
    disc = Discovery(tools_dir, cache_file=cache)
    assert [t.folder for t in disc.scan()] == ["a-good", "b-malformed", "c-unknown-key"] and disc.parse_count == 3

    other = tmp_path / "other-tools"
    other.mkdir()
    write_tool(other, "a-good", {**GOOD, "name": "Other"})
    elsewhere = Discovery(other, cache_file=cache)  # same cache file, other tools folder
    assert [t.name for t in elsewhere.scan()] == ["Other"] and elsewhere.parse_count == 1


def test_a_fifo_or_an_oversized_file_as_the_cache_is_ignored(tools_dir: Path, tmp_path: Path, monkeypatch):
    """A FIFO at the cache path would block the scan thread for good on open(); a file over the
    cap is not ours. Either way the scan parses as without a cache, and writes a real one."""
    import pixie_desktop.catalog.discovery as discovery

    make_three(tools_dir)
    fifo = tmp_path / "fifo.pickle"
    os.mkfifo(fifo)
    disc = Discovery(tools_dir, cache_file=fifo)
    assert len(disc.scan()) == 3 and disc.parse_count == 3  # returned: not blocked on the FIFO
    assert fifo.is_file()  # replaced by the cache it wrote

    monkeypatch.setattr(discovery, "CACHE_MAX_BYTES", 10)
    big = Discovery(tools_dir, cache_file=fifo)  # a valid cache now, but over the (lowered) cap
    assert len(big.scan()) == 3 and big.parse_count == 3


def test_app_context_keeps_the_discovery_cache_in_the_data_dir(tmp_path: Path):
    from pixie_desktop.context import open_context

    root = tmp_path / "data"
    write_tool(root / "tools", "a-good", GOOD)
    env = {"PIXIE_ROOT": str(root)}
    ctx = open_context(root, environ=env, reconcile_on_start=False)
    try:
        assert [t.tool_id for t in ctx.tools() if t.tool_id == "good-tool"] == ["good-tool"]
        assert ctx.discovery.cache_file == ctx.settings.cache_dir / "discovery.pickle"
        assert ctx.discovery.cache_file.is_file()
    finally:
        ctx.close()
