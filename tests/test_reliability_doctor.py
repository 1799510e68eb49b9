"""`pixie-desktop doctor [--fix] [--json]`: finds a corrupt database, runs left `running` by a
dead process, orphan artefact rows/files, tools missing their venv and unparsable tool.json;
exits 1 while problems are left; --fix repairs the safe ones and leaves the rest reported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from conftest import write_tool

from pixie_desktop.cli import main
from pixie_desktop.doctor import run_doctor
from pixie_desktop.store import artefacts_repo, runs_repo

GOOD = {"id": "good", "name": "Good", "inputs": [], "outputs": [{"key": "n", "type": "number", "label": "N"}]}


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _healthy_setup(ctx, tools_dir):
    write_tool(tools_dir, "good", GOOD, main_py="print('hi')\n")
    runs_repo.create_run(ctx.conn, "done", "good", {})
    runs_repo.finish_run(ctx.conn, "done", "ok", outputs_json="{}")
    folder = ctx.settings.artefacts_root / "good" / "done"
    folder.mkdir(parents=True)
    (folder / "n.txt").write_text("1")
    from pixie_desktop.artefacts.storage import register_file

    register_file(ctx.conn, ctx.settings, run_id="done", tool_id="good", output_key="n", path=folder / "n.txt")


def _problems(ctx, tools_dir, capsys, *args):
    code = main(["doctor", "--json", *args])
    data = json.loads(capsys.readouterr().out)
    return code, data


def test_clean_install_is_all_good(ctx, tools_dir, capsys):
    _healthy_setup(ctx, tools_dir)
    code = main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "All good." in out and "integrity ok" in out
    code, data = _problems(ctx, tools_dir, capsys)
    assert code == 0 and data["ok"] and data["problems"] == []


def test_finds_and_fixes_what_is_safe(ctx, tools_dir, capsys):
    _healthy_setup(ctx, tools_dir)
    # stale running row of a dead app, with a finished file and a half write in its folder
    runs_repo.create_run(ctx.conn, "stale", "good", {}, meta={"owner_pid": _dead_pid()})
    sfolder = ctx.settings.artefacts_root / "good" / "stale"
    sfolder.mkdir(parents=True)
    (sfolder / "n.txt").write_text("half done")
    (sfolder / ".n.txt.abc.partial").write_text("x")
    # row whose file vanished; a file with no row in a finished run; a file of no known run
    (ctx.settings.artefacts_root / "good" / "done" / "n.txt").unlink()
    (ctx.settings.artefacts_root / "good" / "done" / "extra.csv").write_text("a,b\n")
    stray = ctx.settings.artefacts_root / "good" / "ghost-run" / "lost.png"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"png")
    # a tool needing a package the app lacks, with no .venv; one with a broken .venv; a broken tool.json
    write_tool(tools_dir, "needs-venv", {**GOOD, "id": "needs-venv"}, main_py="",
               extra={"pyproject.toml": '[project]\nname="x"\nversion="0"\n'
                                        'dependencies=["surely-not-installed-pkg-xyz>=1"]\n'})
    write_tool(tools_dir, "broken-venv", {**GOOD, "id": "broken-venv"}, main_py="")
    (tools_dir / "broken-venv" / ".venv").mkdir()
    write_tool(tools_dir, "garbled", '{"id": "garbled", "name": ', main_py="")

    code, data = _problems(ctx, tools_dir, capsys)
    assert code == 1 and not data["ok"]
    counts = data["counts"]
    assert counts["stale_runs"] == 1 and counts["unparsable_tools"] == 1 and counts["missing_venvs"] == 2
    subjects = {p["subject"] for p in data["problems"]}
    assert {"stale", "good/done/extra.csv", "good/ghost-run/lost.png", "needs-venv", "broken-venv",
            "garbled"} <= subjects
    assert counts["database"] == 0
    # report only: nothing changed yet
    assert runs_repo.get_run(ctx.conn, "stale").status == "running"
    assert (sfolder / ".n.txt.abc.partial").exists()

    code = main(["doctor", "--fix"])
    text = capsys.readouterr().out
    assert code == 1  # the tools and the unknown file still need a human
    assert "[fixed]" in text and "needs you" in text
    stale = runs_repo.get_run(ctx.conn, "stale")
    assert stale.status == "error" and "interrupted" in stale.error_text
    assert [a.filename for a in artefacts_repo.for_run(ctx.conn, "stale")] == ["n.txt"]
    assert not (sfolder / ".n.txt.abc.partial").exists()
    done = {a.filename: a for a in artefacts_repo.for_run(ctx.conn, "done", include_deleted=True)}
    assert done["n.txt"].deleted_at and "_missing-file" in done["n.txt"].tags
    assert "extra.csv" in done and done["extra.csv"].deleted_at is None
    assert stray.exists()  # never deleted by doctor: may be the user's
    code, data = _problems(ctx, tools_dir, capsys)
    left = {p["check"] for p in data["problems"]}
    assert left == {"orphan_artefacts", "missing_venvs", "unparsable_tools"}
    assert [p["subject"] for p in data["problems"] if p["check"] == "orphan_artefacts"] == ["good/ghost-run/lost.png"]

    # after the human fixes the rest, doctor is happy
    stray.unlink()
    shutil.rmtree(tools_dir / "needs-venv")
    shutil.rmtree(tools_dir / "broken-venv" / ".venv")
    (tools_dir / "garbled" / "tool.json").write_text(json.dumps({**GOOD, "id": "garbled"}))
    assert main(["doctor"]) == 0, capsys.readouterr().out


def test_doctor_does_not_hide_stale_runs_by_reconciling_first(ctx, capsys):
    runs_repo.create_run(ctx.conn, "stale", "t", {}, meta={"owner_pid": _dead_pid()})
    assert main(["doctor"]) == 1
    assert "still `running`" in capsys.readouterr().out
    assert runs_repo.get_run(ctx.conn, "stale").status == "running"


def test_corrupt_database_is_reported(db_path, capsys, isolated_env):
    from pixie_desktop.store.db import open_db

    conn = open_db(db_path)
    conn.executemany("INSERT INTO settings(key, value) VALUES (?, ?)", [(f"k{i}", "v" * 500) for i in range(400)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    for off in range(page * 3, min(len(data), page * 6)):  # scribble over b-tree pages
        data[off] = 0x5A
    db_path.write_bytes(bytes(data))
    code = main(["doctor", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and not out["ok"]
    assert out["counts"]["database"] == 1
    assert "malformed" in [p for p in out["problems"] if p["check"] == "database"][0]["message"]
    assert main(["doctor"]) == 1
    text = capsys.readouterr().out
    assert "!! database: damaged" in text and "restore it from a backup" in text


def test_run_doctor_core_api(ctx, tools_dir):
    _healthy_setup(ctx, tools_dir)
    report = run_doctor(ctx.conn, ctx.settings, ctx.tools())
    assert report.ok and set(report.checked) == {"database", "stale_runs", "survivors", "artefacts_root", "orphan_artefacts",
                                                 "missing_venvs", "unparsable_tools"}
    assert "All good." in report.render()
