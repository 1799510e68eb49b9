"""Every storage setting does something (issue 13, item 6): `dedup_artefacts` stores identical
artefact files once (hard links; deleting one keeps the other's bytes, starred files stay
protected), and the total disk cap makes the sweeper purge the Trash and then the oldest
unstarred artefacts, never starred ones, and say so."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pixie_desktop.artefacts import sweeper
from pixie_desktop.artefacts.storage import register_file
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.store.db import iso_ago



def _file(root: Path, rel: str, data: bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def _register(ctx, run_id: str, name: str, data: bytes):
    root = Path(ctx.settings.artefacts_root)
    path = _file(root, f"demo/{run_id}/{name}", data)
    return register_file(ctx.conn, ctx.settings, run_id=run_id, tool_id="demo", output_key="out", path=path)


def test_dedup_links_identical_files_and_deleting_one_keeps_the_other(ctx, seeder):
    root = Path(ctx.settings.artefacts_root)
    ctx.settings.values["dedup_artefacts"] = True
    seeder.run("r1")
    seeder.run("r2")
    seeder.run("r3")
    data = os.urandom(4096)
    a = _register(ctx, "r1", "out.bin", data)
    b = _register(ctx, "r2", "copy.bin", data)
    c = _register(ctx, "r3", "other.bin", data[:-1] + b"x")
    sa, sb, sc = (os.stat(root / r.rel_path) for r in (a, b, c))
    assert (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino) and sa.st_nlink == 2
    assert sc.st_ino != sa.st_ino  # different bytes: its own file
    assert (root / b.rel_path).read_bytes() == data and b.sha256 == hashlib.sha256(data).hexdigest()
    # deleting the first keeps the second's bytes
    rep = sweeper.purge_records(ctx.conn, root, [a])
    assert rep.purged == [a.id] and not (root / a.rel_path).exists()
    assert (root / b.rel_path).read_bytes() == data


def test_dedup_off_keeps_separate_copies_and_edited_twin_is_not_reused(ctx, seeder):
    root = Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.run("r2")
    data = b"same bytes" * 100
    a = _register(ctx, "r1", "a.txt", data)
    b = _register(ctx, "r2", "b.txt", data)
    assert os.stat(root / a.rel_path).st_ino != os.stat(root / b.rel_path).st_ino
    ctx.settings.values["dedup_artefacts"] = True
    (root / a.rel_path).write_bytes(b"edited!!!!" * 100)  # same size, different bytes than its row says
    seeder.run("r3")
    c = _register(ctx, "r3", "c.txt", data)
    assert os.stat(root / c.rel_path).st_ino == os.stat(root / b.rel_path).st_ino  # b is the true twin
    assert os.stat(root / a.rel_path).st_ino != os.stat(root / c.rel_path).st_ino


def test_starred_twin_survives_when_its_unstarred_link_is_purged(ctx, seeder):
    root = Path(ctx.settings.artefacts_root)
    ctx.settings.values["dedup_artefacts"] = True
    seeder.run("r1")
    seeder.run("r2")
    data = b"precious" * 64
    starred = _register(ctx, "r1", "keep.txt", data)
    artefacts_repo.set_starred(ctx.conn, starred.id, True)
    twin = _register(ctx, "r2", "twin.txt", data)
    rep = sweeper.purge_records(ctx.conn, root, [twin, starred])
    assert rep.purged == [twin.id]
    assert not (root / twin.rel_path).exists()  # its own name goes: the bytes live on in the starred one
    assert (root / starred.rel_path).read_bytes() == data


def test_disk_cap_purges_trash_then_oldest_unstarred_and_says_so(ctx, seeder):
    root = Path(ctx.settings.artefacts_root)
    for i in range(5):
        seeder.run(f"r{i}")
    ids = [seeder.artefact(f"r{i}", f"f{i}.bin", bytes([i]) * 1000, created_at=iso_ago(1000 - i * 100))
           for i in range(5)]
    artefacts_repo.set_starred(ctx.conn, ids[0], True)  # the oldest, but starred
    artefacts_repo.soft_delete(ctx.conn, [ids[4]])      # the newest, but in the Trash
    ctx.settings.values["artefacts_total_disk_cap_bytes"] = 2500
    report = sweeper.sweep(ctx.conn, ctx.settings)
    assert sorted(report.cap_purged) == sorted([ids[4], ids[1], ids[2]])  # Trash first, then oldest unstarred
    assert report.cap_freed_bytes == 3000 and report.cap_still_over_bytes == 0
    left = {r[0] for r in ctx.conn.execute("SELECT id FROM artefacts")}
    assert left == {ids[0], ids[3]}
    assert (root / f"demo/r0/f0.bin").exists()
    notice = sweeper.cap_notice(report)
    assert "removed the 3 oldest unstarred artefacts" in notice and "Star a file to keep it" in notice
    assert "disk cap" in report.summary()


def test_disk_cap_zero_means_none_and_starred_only_is_reported(ctx, seeder):
    seeder.run("r1")
    runs_repo.set_starred(ctx.conn, "r1", True)
    ids = [seeder.artefact("r1", f"f{i}.bin", b"x" * 1000) for i in range(3)]
    report = sweeper.sweep(ctx.conn, ctx.settings)  # default cap 0: nothing
    assert report.cap_purged == [] and sweeper.cap_notice(report) == ""
    ctx.settings.values["artefacts_total_disk_cap_bytes"] = 1000
    report = sweeper.sweep(ctx.conn, ctx.settings)
    assert report.cap_purged == [] and report.cap_still_over_bytes == 2000
    assert "only starred files are left" in sweeper.cap_notice(report)
    assert {r[0] for r in ctx.conn.execute("SELECT id FROM artefacts")} == set(ids)
