"""Run search: the FTS5 index kept by SQLite triggers (any writer is indexed), the filters, the
backfill of an older database, spilled outputs' summaries and `pixie-desktop runs --search`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path


from pixie_desktop.artefacts.input_blobs import (compact_inputs, data_url_name, expand_inputs, file_names,
                                                 wire_inputs, with_name)
from pixie_desktop.ops import search as search_ops
from pixie_desktop.queries import search as sq
from pixie_desktop.queries.search import RunFilter
from pixie_desktop.store import runs_repo
from pixie_desktop.store.db import connect, dumps, init_db, open_db


def ids(runs) -> list[str]:
    return [r.id for r in runs]


def find(conn, text: str = "", **kw) -> list[str]:
    return sorted(ids(sq.search(conn, RunFilter(text=text, **kw))))


def all_pages(conn, flt: RunFilter, limit: int) -> list[str]:
    """Every match's id, walking keyset pages of `limit` the way the History view does."""
    seen: list[str] = []
    after = None
    while page := sq.page(conn, flt, after=after, limit=limit):
        seen += ids(page)
        after = page[-1]
    return seen


def add_run(conn, run_id: str, tool: str = "t", *, inputs=None, outputs=None, error=None, status="ok",
            label=None, started="2026-05-01T10:00:00+00:00", starred=False):
    runs_repo.create_run(conn, run_id, tool, inputs or {}, started_at=started)
    if status != "running":
        runs_repo.finish_run(conn, run_id, status, outputs_json=None if outputs is None else dumps(outputs),
                             error_text=error)
    if label:
        runs_repo.set_label(conn, run_id, label)
    if starred:
        runs_repo.set_starred(conn, run_id, True)


def raw_insert(path: Path, run_id: str, **cols) -> None:
    """What another process (the reference web app) does: a plain sqlite3 connection, no app code."""
    other = sqlite3.connect(path)
    row = {"id": run_id, "tool_id": "t", "started_at": "2026-05-02T00:00:00+00:00", "inputs_json": "{}",
           "status": "ok", **cols}
    other.execute(f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
    other.commit()
    other.close()


def test_search_by_label_input_text_output_text_and_error(conn):
    add_run(conn, "a", label="quarterly sales report")
    add_run(conn, "b", inputs={"prompt": "summarise the Gettysburg address"})
    add_run(conn, "c", outputs={"summary": "Photosynthesis converts light", "n": 42})
    add_run(conn, "d", status="error", error="ValueError: column 'revenue' missing")
    assert find(conn, "quarterly") == ["a"]
    assert find(conn, "gettysburg") == ["b"]          # case-insensitive
    assert find(conn, "photosynth") == ["c"]           # prefix
    assert find(conn, "revenue missing") == ["d"]      # every word, any order
    assert find(conn, "revenue quarterly") == []
    assert find(conn, "") == ["a", "b", "c", "d"]


def test_search_by_input_file_name(conn, isolated_env):
    from pixie_desktop.manifest.model import ToolSpec  # noqa: F401 - spec type only

    class Spec:
        file_inputs = [type("I", (), {"key": "doc"})(), type("I", (), {"key": "pics"})()]

    root = isolated_env["artefacts"]
    raw = "data:text/csv;base64," + "QSxCCjEsMgo="
    inputs = {"doc": with_name(raw, "Budget 2026; final,v2.csv"),
              "pics": [with_name("data:image/png;base64,AAAA", "holiday-beach.png")]}
    recorded = compact_inputs(Spec(), inputs, root)
    assert file_names(recorded["doc"]) == ["Budget 2026; final,v2.csv"]
    # the tool is sent the contract's plain data URL; reloading brings the name back
    assert wire_inputs(Spec(), inputs)["doc"] == raw
    assert data_url_name(expand_inputs(recorded, root)["doc"]) == "Budget 2026; final,v2.csv"
    add_run(conn, "f", inputs=recorded)
    add_run(conn, "g", inputs={"doc": "data:text/csv;base64,QSxCCjEsMgo="})
    assert find(conn, "budget") == ["f"]
    assert find(conn, "beach.png") == ["f"]
    assert find(conn, "base64") == []                 # data URL payloads are not indexed


def test_filters_tool_status_starred_and_dates(conn):
    add_run(conn, "a", "alpha", outputs={"x": "apple"}, started="2026-01-10T00:00:00+00:00", starred=True)
    add_run(conn, "b", "beta", outputs={"x": "apple"}, started="2026-03-10T00:00:00+00:00")
    add_run(conn, "c", "alpha", outputs={"x": "apple"}, status="error", error="apple",
            started="2026-06-10T00:00:00+00:00")
    assert find(conn, "apple", tool_id="alpha") == ["a", "c"]
    assert find(conn, "apple", status="error") == ["c"]
    assert find(conn, "apple", starred=True) == ["a"]
    assert find(conn, "apple", since="2026-03-01") == ["b", "c"]
    assert find(conn, "apple", since="2026-02-01", until="2026-04-01") == ["b"]
    assert find(conn, tool_id="beta") == ["b"]        # filters without words
    runs_repo.update_meta(conn, "c", batch_id="B1")
    conn.execute("UPDATE runs SET meta_json = '{broken' WHERE id = 'b'")  # never breaks the query
    assert find(conn, "apple", batch_id="B1") == ["c"] and find(conn, batch_id="B2") == []
    assert sq.count(conn, RunFilter(text="apple", tool_id="alpha")) == 2


def test_keyset_pages_are_newest_first_and_complete(conn):
    for i in range(25):
        add_run(conn, f"r{i:02d}", label=f"batch item {i}", started=f"2026-01-01T00:00:{i:02d}+00:00")
    assert all_pages(conn, RunFilter(text="batch"), 10) == [f"r{i:02d}" for i in reversed(range(25))]


def test_user_text_never_reaches_fts_syntax(conn):
    add_run(conn, "a", label='say "hi" OR NEAR(x) AND -y *')
    for text in ('"', 'OR', 'NEAR(', '-y', '*', "a'b", "hi\" OR \"x"):
        sq.search(conn, RunFilter(text=text))  # never an FTS syntax error
    assert find(conn, '"hi"') == ["a"]


def test_index_follows_insert_update_delete(conn):
    add_run(conn, "a", label="first words")
    assert find(conn, "first") == ["a"]
    runs_repo.set_label(conn, "a", "second words")
    assert find(conn, "first") == [] and find(conn, "second") == ["a"]
    runs_repo.set_starred(conn, "a", True)               # not a searched column: still found
    assert find(conn, "second") == ["a"]
    runs_repo.delete_runs(conn, ["a"])
    assert find(conn, "second") == []
    assert conn.execute("SELECT COUNT(*) FROM run_search_docs").fetchone()[0] == 0
    conn.execute("INSERT INTO run_search(run_search) VALUES ('integrity-check')")


def test_a_running_run_is_found_before_it_is_indexed(conn):
    """A running run has no doc (one FTS insert when it ends, not three writes), yet search
    finds it by the same words, folded like the index folds them, in every query shape."""
    add_run(conn, "done", inputs={"city": "Zürich harbour"}, started="2026-05-01T10:00:00+00:00")
    add_run(conn, "live", inputs={"city": "Zurich lake", "api": {"mime": "text/plain"}}, status="running",
            label="Evening batch", started="2026-05-01T11:00:00+00:00")
    docs = {r[0] for r in conn.execute("SELECT run_id FROM run_search_docs")}
    assert docs == {"done"}
    assert [r[0] for r in conn.execute("SELECT run_id FROM run_search_running")] == ["live"]
    assert find(conn, "zurich") == ["done", "live"]          # accents and case folded on both paths
    assert find(conn, "ZÜR lak") == ["live"]                   # every word, each a prefix
    assert find(conn, "evening") == ["live"] and find(conn, "eve batch") == ["live"]
    assert find(conn, "urich") == []                           # a prefix, not a substring
    assert find(conn, "plain") == []                           # bookkeeping leaves are not words
    assert find(conn, "zurich", status="ok") == ["done"]       # filters apply to running runs too
    assert ids(sq.search(conn, RunFilter(text="zurich"))) == ["live", "done"]  # newest first
    assert sq.count(conn, RunFilter(text="zurich")) == 2
    assert sq.matches(conn, RunFilter(text="lake"), "live") and not sq.matches(conn, RunFilter(text="harbour"), "live")
    runs_repo.finish_run(conn, "live", "ok", outputs_json=dumps({"note": "calm water"}))
    assert conn.execute("SELECT COUNT(*) FROM run_search_running").fetchone()[0] == 0
    assert find(conn, "calm lake") == ["live"] and sq.count(conn, RunFilter(text="zurich")) == 2
    assert sq.unindexed_count(conn) == 0
    conn.execute("INSERT INTO run_search(run_search) VALUES ('integrity-check')")


def test_running_runs_merge_into_pages_in_start_order(conn):
    for i in range(12):
        add_run(conn, f"r{i:02d}", label=f"item {i}", started=f"2026-01-01T00:00:{2 * i:02d}+00:00",
                status="running" if i % 3 == 0 else "ok")
    assert all_pages(conn, RunFilter(text="item"), 4) == [f"r{i:02d}" for i in reversed(range(12))]


def test_running_matches_never_scan_every_run(conn):
    """The running-run half of a search reads the few running rows, then each one's run: a plan
    that walked `runs` instead cost a full scan per keystroke at 100k runs (benchmarks/search.py)."""
    for i in range(30):
        add_run(conn, f"r{i:02d}", label=f"item {i}", started=f"2026-01-01T00:00:{i:02d}+00:00",
                status="running" if i < 2 else "ok")
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    try:
        for flt in (RunFilter(text="item"), RunFilter(text="item", tool_id="t", status="running"),
                    RunFilter(text="item", since="2026-01-01")):
            sq.search(conn, flt)
            sq.count(conn, flt)
            sq.matches(conn, flt, "r00")
    finally:
        conn.set_trace_callback(None)
    running = [sql for sql in seen if "run_search_running p" in sql]
    assert running
    for sql in running:
        plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert plan.split(" | ")[0].split()[:2] in (["SCAN", "p"], ["SEARCH", "p"]) and "SCAN r " not in plan, plan


def test_a_running_runs_words_are_worked_out_once(conn, monkeypatch):
    """Searching again while a run with a long input is going reuses its tokens (a pasted 6 MB
    text cost 0.7 s per keystroke); a change to its searched columns is seen at once."""
    from pixie_desktop.store import search_repo

    made: list[int] = []
    real = search_repo.doc_tokens
    monkeypatch.setattr(search_repo, "doc_tokens", lambda texts: made.append(1) or real(texts))
    add_run(conn, "live", inputs={"text": " ".join(f"w{i} lorem" for i in range(20_000))}, status="running")
    assert find(conn, "w19999") == ["live"] and find(conn, "lorem") == ["live"] and find(conn, "w2x") == []
    assert len(made) == 1
    runs_repo.set_label(conn, "live", "renamed quokka")
    assert find(conn, "quokka") == ["live"] and len(made) == 2


def test_older_triggers_database_lists_its_running_runs(conn):
    """A database indexed by the older triggers (a running run had a doc) is brought in line
    when the new triggers are installed: the run is listed as running and its doc removed."""
    for name in ("runs_search_ai", "runs_search_ai_running", "runs_search_au", "runs_search_ad"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE run_search_running")
    add_run(conn, "old", label="legacy running", status="running")
    conn.execute("INSERT INTO run_search_docs (doc, run_id, label) VALUES (7, 'old', 'legacy running')")
    init_db(conn)
    assert [r[0] for r in conn.execute("SELECT run_id FROM run_search_running")] == ["old"]
    assert conn.execute("SELECT COUNT(*) FROM run_search_docs").fetchone()[0] == 0
    assert find(conn, "legacy") == ["old"]
    conn.execute("INSERT INTO run_search(run_search) VALUES ('integrity-check')")


def test_rows_written_by_another_process_are_found(conn, db_path):
    raw_insert(db_path, "ext", label="from the web app", inputs_json='{"inputs": {"city": "Reykjavik"}}',
               outputs_json='{"temp": "freezing"}')
    raw_insert(db_path, "bad", inputs_json="not json {", meta_json="{also bad", outputs_json="[1,")
    assert find(conn, "reykjavik") == ["ext"]
    assert find(conn, "freezing web") == ["ext"]
    other = sqlite3.connect(db_path)
    other.execute("UPDATE runs SET error_text = 'boom overflow' WHERE id = 'bad'")
    other.commit()
    assert find(conn, "overflow") == ["bad"]
    other.execute("DELETE FROM runs WHERE id = 'ext'")
    other.commit()
    other.close()
    assert find(conn, "reykjavik") == []


def test_spilled_outputs_are_found_by_their_summary(conn, isolated_env):
    root = isolated_env["artefacts"]
    folder = root / "t" / "s1"
    folder.mkdir(parents=True)
    (folder / "outputs.json").write_text(json.dumps({"report": "nebula spectrum " + "x " * 50_000}))
    runs_repo.create_run(conn, "s1", "t", {})
    runs_repo.finish_run(conn, "s1", "ok", meta_update={"outputs_oversize": True,
                                                         "outputs_path": "t/s1/outputs.json"})
    assert find(conn, "nebula") == []
    conn.execute("DELETE FROM settings WHERE key = 'search_index_version'")
    result = search_ops.backfill(conn, root)
    assert result.finished and result.summarised == 1
    assert find(conn, "nebula spectrum") == ["s1"]
    assert len(runs_repo.get_run(conn, "s1").meta["search_text"]) <= 32_768


def test_backfill_indexes_an_older_database_with_progress_and_cancel(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, tool_id TEXT NOT NULL, started_at TIMESTAMP NOT NULL, "
                "finished_at TIMESTAMP, inputs_json TEXT NOT NULL, outputs_json TEXT, error_text TEXT, "
                "status TEXT NOT NULL)")
    old.executemany("INSERT INTO runs VALUES (?, 't', ?, NULL, ?, NULL, NULL, 'ok')",
                    [(f"r{i}", f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}", json.dumps({"inputs": {"w": f"word{i}"}}))
                     for i in range(1200)])
    old.commit()
    old.close()
    conn = open_db(path)
    assert sq.needs_backfill(conn) and sq.unindexed_count(conn) == 1200
    assert find(conn, "word7") == []
    calls = iter(range(10**6))
    cancelled = search_ops.backfill(conn, None, batch=500, cancelled=lambda: next(calls) >= 1)
    assert not cancelled.finished and cancelled.indexed == 500 and sq.needs_backfill(conn)
    seen: list[float | None] = []
    done = search_ops.backfill(conn, None, batch=500, progress=lambda f, _t: seen.append(f))
    assert done.finished and not sq.needs_backfill(conn) and sq.unindexed_count(conn) == 0
    assert seen[-1] == 1.0 and seen == sorted(x for x in seen if x is not None)
    assert find(conn, "word777") == ["r777"]
    assert search_ops.backfill_if_needed(conn, None) is None


def test_fresh_database_needs_no_backfill_and_init_is_idempotent(tmp_path):
    conn = connect(tmp_path / "x.db")
    init_db(conn)
    assert not sq.needs_backfill(conn)
    dump = list(conn.iterdump())
    init_db(conn)
    assert list(conn.iterdump()) == dump


def test_a_changed_trigger_is_replaced(conn):
    conn.execute("DROP TRIGGER runs_search_ai")
    conn.execute("CREATE TRIGGER runs_search_ai AFTER INSERT ON runs BEGIN SELECT 1; END")
    init_db(conn)
    add_run(conn, "a", label="zeppelin")
    assert find(conn, "zeppelin") == ["a"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pixie_desktop", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_runs_search_json(conn):
    add_run(conn, "a", "alpha", label="invoice march", started="2026-03-02T00:00:00+00:00")
    add_run(conn, "b", "alpha", outputs={"t": "invoice april"}, status="error", error="x",
            started="2026-04-02T00:00:00+00:00")
    add_run(conn, "c", "beta", label="nothing")
    proc = cli("runs", "--search", "invoice", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [d["id"] for d in data] == ["b", "a"]
    assert set(data[0]) == {"id", "tool_id", "status", "started_at", "label"}
    assert data[1] == {"id": "a", "tool_id": "alpha", "status": "ok",
                       "started_at": "2026-03-02T00:00:00+00:00", "label": "invoice march"}
    one = json.loads(cli("runs", "--search", "invoice", "--status", "error", "--since", "2026-04-01",
                         "--tool", "alpha", "--json").stdout)
    assert [d["id"] for d in one] == ["b"]
    runs_repo.update_meta(conn, "c", batch_id="batch-7")
    assert [d["id"] for d in json.loads(cli("runs", "--batch", "batch-7", "--json").stdout)] == ["c"]
    table = cli("runs", "--search", "nomatchword")
    assert table.returncode == 0 and "No matching runs" in table.stdout


ECHO_MAIN = '''
import sys
from pathlib import Path
sys.path.insert(0, %r)
from pixie_desktop import sdk

tool = sdk.Tool(__file__)


@tool.handler
def run(inputs, ctx):
    return {"head": inputs["doc"].split(",", 1)[0]}


if __name__ == "__main__":
    tool.serve()
'''


def test_tool_receives_plain_data_url_and_run_records_the_name(ctx, tools_dir, runner, tmp_path):
    from conftest import write_tool
    from pixie_desktop.catalog.discovery import Discovery, find_tool

    repo = str(Path(__file__).resolve().parent.parent)
    write_tool(tools_dir, "echo-head", {"id": "echo-head", "name": "Echo head", "description": "x",
                                        "inputs": [{"key": "doc", "type": "file", "label": "Doc"}],
                                        "outputs": [{"key": "head", "type": "text", "label": "Head"}]},
               main_py=ECHO_MAIN % repo)
    tool = find_tool(Discovery(tools_dir).scan(), "echo-head")
    assert tool is not None and tool.ok, tool and tool.error
    url = with_name("data:text/plain;base64,aGVsbG8=", "Quarterly notes.txt")
    result = runner.run(tool, {"doc": url})
    assert result.status == "ok", result.error
    assert result.outputs["head"] == "data:text/plain;base64"     # the contract's form, no name=
    assert find(ctx.conn, "quarterly notes") == [result.run_id]
    assert file_names(runs_repo.get_run(ctx.conn, result.run_id).inputs["doc"]) == ["Quarterly notes.txt"]
