"""Sweeper: soft delete → restore → delete → purge after retention removes rows, files and
thumbnails; starred artefacts and those of starred runs survive every step; traversal paths
never reach outside artefacts/; orphans are reconciled; disk audit is written."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from pixie_desktop.artefacts import sweeper, thumbnails
from pixie_desktop.store import artefacts_repo, runs_repo, tool_state_repo
from pixie_desktop.store.db import iso_ago


def _age_deletion(conn, ids, days):
    conn.execute(f"UPDATE artefacts SET deleted_at = ? WHERE id IN ({','.join('?' * len(ids))})",
                 (iso_ago(days * 86400), *ids))


def _thumb(root: Path, sha: str) -> Path:
    p = thumbnails.thumb_abs_path(root, sha, 256)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"\x89PNG fake")
    return p


def test_delete_restore_delete_purge_keeps_starred(ctx, seeder):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.run("r2")
    runs_repo.set_starred(conn, "r2", True)
    plain = seeder.artefact("r1", "plain.txt", b"plain")
    starred = seeder.artefact("r1", "star.txt", b"star")
    of_starred_run = seeder.artefact("r2", "kept.txt", b"kept")
    artefacts_repo.set_starred(conn, starred, True)
    recs = {i: artefacts_repo.get(conn, i) for i in (plain, starred, of_starred_run)}
    thumbs = {i: _thumb(root, r.sha256) for i, r in recs.items()}

    artefacts_repo.soft_delete(conn, [plain])
    artefacts_repo.restore(conn, [plain])
    assert artefacts_repo.get(conn, plain).deleted_at is None
    artefacts_repo.soft_delete(conn, [plain, starred, of_starred_run])
    # inside retention: nothing purged
    report = sweeper.sweep(conn, ctx.settings)
    assert report.purged == [] and artefacts_repo.get(conn, plain) is not None
    _age_deletion(conn, [plain, starred, of_starred_run], ctx.settings.soft_delete_retention_days + 1)
    before = runs_repo.get_run(conn, "r1").total_artefact_bytes

    dry = sweeper.sweep(conn, ctx.settings, dry_run=True)
    assert dry.purged == [plain] and (root / recs[plain].rel_path).exists()

    report = sweeper.sweep(conn, ctx.settings)
    assert report.purged == [plain] and not report.errors
    assert artefacts_repo.get(conn, plain) is None
    assert not (root / recs[plain].rel_path).exists()
    assert not thumbs[plain].exists()
    assert runs_repo.get_run(conn, "r1").total_artefact_bytes == before - len(b"plain")
    for keep in (starred, of_starred_run):
        assert artefacts_repo.get(conn, keep) is not None
        assert (root / recs[keep].rel_path).exists() and thumbs[keep].exists()


def test_unlink_error_keeps_row(ctx, seeder, monkeypatch):
    conn = ctx.conn
    seeder.run("r1")
    a = seeder.artefact("r1", "locked.txt", b"locked")
    artefacts_repo.soft_delete(conn, [a])
    _age_deletion(conn, [a], 30)
    real_unlink = Path.unlink

    def failing(self, *args, **kwargs):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", failing)
    report = sweeper.sweep(conn, ctx.settings)
    assert report.purged == [] and any("locked.txt" in e for e in report.errors)
    assert artefacts_repo.get(conn, a) is not None  # not silently orphaned


def test_traversal_rel_path_cannot_escape(ctx, seeder, tmp_path):
    conn = ctx.conn
    seeder.run("r1")
    victim = tmp_path / "victim.txt"
    victim.write_text("do not delete")
    rel = os.path.relpath(victim, ctx.settings.artefacts_root)
    assert rel.startswith("..")
    a = artefacts_repo.insert(conn, run_id="r1", tool_id="demo", output_key="", rel_path=rel, filename="../victim.txt",
                              mime="text/plain", size_bytes=13, sha256="ab" * 32)
    abs_rel = artefacts_repo.insert(conn, run_id="r1", tool_id="demo", output_key="", rel_path=str(victim),
                                    filename="victim.txt", mime="text/plain", size_bytes=13, sha256="cd" * 32)
    artefacts_repo.soft_delete(conn, [a, abs_rel])
    _age_deletion(conn, [a, abs_rel], 30)
    report = sweeper.sweep(conn, ctx.settings)
    assert victim.read_text() == "do not delete"
    assert set(report.purged) == {a, abs_rel}  # rows dropped, outside file untouched
    assert any("escapes" in e for e in report.errors)


def test_partials_orphans_and_disk_audit(ctx, seeder, tools_dir):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    live = seeder.artefact("r1", "live.txt", b"live")
    gone = seeder.artefact("r1", "gone.txt", b"gone")
    starred_gone = seeder.artefact("r1", "stargone.txt", b"sg")
    artefacts_repo.set_starred(conn, starred_gone, True)
    (root / "demo/r1/gone.txt").unlink()
    (root / "demo/r1/stargone.txt").unlink()
    (root / "demo/r1/extra.csv").write_text("a,b\n1,2\n")          # in a known run dir → registered
    (root / "stray/nowhere").mkdir(parents=True)
    (root / "stray/nowhere/junk.bin").write_bytes(b"junk")          # unknown → reported
    old_partial = root / "demo/r1/big.bin.partial"
    old_partial.write_bytes(b"x")
    os.utime(old_partial, (time.time() - 7200, time.time() - 7200))
    fresh_partial = root / "demo/r1/new.bin.partial"
    fresh_partial.write_bytes(b"x")
    stale_thumb = _thumb(root, "ef" * 32)
    venv = tools_dir / "demo" / ".venv"
    venv.mkdir(parents=True)
    (venv / "lib.so").write_bytes(b"v" * 1000)

    report = sweeper.sweep(conn, ctx.settings)
    assert not report.errors, report.errors
    assert report.partials_removed == ["demo/r1/big.bin.partial"]
    assert not old_partial.exists() and fresh_partial.exists()
    assert report.orphan_rows_marked == [gone] and report.orphan_rows_starred == [starred_gone]
    rec = artefacts_repo.get(conn, gone)
    assert rec.deleted_at and sweeper.MISSING_FILE_TAG in rec.tag_list
    assert artefacts_repo.get(conn, starred_gone).deleted_at is None
    assert report.orphan_files_registered == ["demo/r1/extra.csv"]
    assert [r.filename for r in artefacts_repo.for_run(conn, "r1")].count("extra.csv") == 1
    assert report.orphan_files_unknown == ["stray/nowhere/junk.bin"] and (root / "stray/nowhere/junk.bin").exists()
    assert not stale_thumb.exists() and report.thumbs_removed == 1
    st = tool_state_repo.get(conn, "demo")
    live_bytes = len(b"live") + len(b"sg") + len("a,b\n1,2\n")
    assert st.disk_bytes == live_bytes + 1000 and st.last_disk_audit
    assert artefacts_repo.get(conn, live).deleted_at is None

    fixed = sweeper.sweep(conn, ctx.settings, fix=True)
    assert fixed.orphan_files_removed == ["stray/nowhere/junk.bin"]
    assert not (root / "stray/nowhere/junk.bin").exists()


def test_prune_honours_retain_runs_stars_and_labels(ctx, seeder):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    for i in range(6):
        seeder.run(f"r{i}", started_at=f"2026-01-0{i + 1}T00:00:00+00:00")
        seeder.artefact(f"r{i}", "out.txt", f"run {i}".encode())
    runs_repo.set_starred(conn, "r0", True)
    runs_repo.set_label(conn, "r1", "keep me")
    starred_art = artefacts_repo.for_run(conn, "r2")[0].id
    artefacts_repo.set_starred(conn, starred_art, True)

    class Spec:
        retain_runs = 2

    class Tool:
        tool_id = "demo"
        spec = Spec()

    report = sweeper.sweep(conn, ctx.settings, tools=[Tool()])
    assert report.pruned_runs == ["r3"]  # r5, r4 newest kept; r0-r2 protected
    assert runs_repo.get_run(conn, "r3") is None and not (root / "demo/r3").exists()
    for keep in ("r0", "r1", "r2", "r4", "r5"):
        assert runs_repo.get_run(conn, keep) is not None and (root / f"demo/{keep}/out.txt").exists()


def test_cli_sweep_json(ctx, seeder, capsys):
    from pixie_desktop.cli import main

    seeder.run("r1")
    a = seeder.artefact("r1", "old.txt", b"old")
    artefacts_repo.soft_delete(ctx.conn, [a])
    _age_deletion(ctx.conn, [a], 30)
    assert main(["sweep", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dry_run"] is True and data["purged"] == [a]
    assert artefacts_repo.get(ctx.conn, a) is not None
    assert main(["sweep"]) == 0
    assert "purge 1 artefacts" in capsys.readouterr().out
    assert artefacts_repo.get(ctx.conn, a) is None
