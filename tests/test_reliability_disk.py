"""Issue 11, disk side: the sweeper and purge never follow a symlink, never delete outside the
artefacts root, and never remove a starred artefact's file whatever it became (class 9)."""

from __future__ import annotations

import os
from pathlib import Path

from pixie_desktop.artefacts import sweeper, thumbnails
from pixie_desktop.store import artefacts_repo, runs_repo
from pixie_desktop.store.db import iso_ago


def _age_deletion(conn, ids, days=30):
    conn.execute(f"UPDATE artefacts SET deleted_at = ? WHERE id IN ({','.join('?' * len(ids))})",
                 (iso_ago(days * 86400), *ids))


def _trash(conn, ids):
    artefacts_repo.soft_delete(conn, ids)
    _age_deletion(conn, ids)


# --- class 9: symlinks and starred files --------------------------------------------------------

def test_purge_removes_symlink_itself_never_its_outside_target(ctx, seeder, tmp_path):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    a = seeder.artefact("r1", "out.txt", b"x")
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep")
    link = root / "demo/r1/out.txt"
    link.unlink()
    link.symlink_to(victim)
    _trash(conn, [a])
    report = sweeper.sweep(conn, ctx.settings)
    assert victim.read_text() == "keep"
    assert not os.path.lexists(link), "the link inside the root is removed itself"
    assert report.purged == [a]


def test_purge_never_deletes_a_starred_file_reached_through_a_symlink(ctx, seeder):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.run("r2")
    starred = seeder.artefact("r2", "precious.txt", b"precious")
    artefacts_repo.set_starred(conn, starred, True)
    plain = seeder.artefact("r1", "plain.txt", b"plain")
    # the plain artefact's file became a link to the starred one
    (root / "demo/r1/plain.txt").unlink()
    (root / "demo/r1/plain.txt").symlink_to(root / "demo/r2/precious.txt")
    _trash(conn, [plain])
    sweeper.sweep(conn, ctx.settings)
    assert (root / "demo/r2/precious.txt").read_bytes() == b"precious"
    assert artefacts_repo.get(conn, starred) is not None


def test_purge_never_follows_a_linked_run_folder_into_a_starred_run(ctx, seeder):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.run("r2")
    runs_repo.set_starred(conn, "r2", True)
    seeder.artefact("r2", "same.txt", b"starred run")
    plain = seeder.artefact("r1", "same.txt", b"plain")
    # the run folder r1 was replaced by a link to the starred run's folder
    (root / "demo/r1/same.txt").unlink()
    (root / "demo/r1").rmdir()
    (root / "demo/r1").symlink_to(root / "demo/r2", target_is_directory=True)
    _trash(conn, [plain])
    report = sweeper.sweep(conn, ctx.settings)
    assert (root / "demo/r2/same.txt").read_bytes() == b"starred run"
    assert any("symlink" in e for e in report.errors)


def test_same_file_shared_with_a_starred_row_is_not_removed(ctx, seeder):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    starred = seeder.artefact("r1", "both.txt", b"both")
    artefacts_repo.set_starred(conn, starred, True)
    other = artefacts_repo.insert(conn, run_id="r1", tool_id="demo", output_key="dup", rel_path="demo/r1/./both.txt",
                                  filename="both.txt", mime="text/plain", size_bytes=4, sha256="ab" * 32)
    _trash(conn, [other])
    sweeper.sweep(conn, ctx.settings)
    assert (root / "demo/r1/both.txt").read_bytes() == b"both"


def test_starred_file_replaced_by_a_folder_or_link_survives_sweep_fix(ctx, seeder, tmp_path):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    as_dir = seeder.artefact("r1", "d.txt", b"d")
    as_link = seeder.artefact("r1", "l.txt", b"l")
    for i in (as_dir, as_link):
        artefacts_repo.set_starred(conn, i, True)
    (root / "demo/r1/d.txt").unlink()
    (root / "demo/r1/d.txt").mkdir()
    (root / "demo/r1/d.txt/inner.bin").write_bytes(b"inner")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("outside")
    (root / "demo/r1/l.txt").unlink()
    (root / "demo/r1/l.txt").symlink_to(outside)
    report = sweeper.sweep(conn, ctx.settings, fix=True)
    for i in (as_dir, as_link):
        rec = artefacts_repo.get(conn, i)
        assert rec is not None and rec.deleted_at is None and rec.starred
    assert sorted(report.orphan_rows_starred) == sorted([as_dir, as_link])
    assert outside.read_text() == "outside"
    assert (root / "demo/r1/d.txt").is_dir()
    artefacts_repo.soft_delete(conn, [as_dir, as_link])
    _age_deletion(conn, [as_dir, as_link])
    sweeper.empty_trash(conn, root)
    assert artefacts_repo.get(conn, as_dir) is not None and artefacts_repo.get(conn, as_link) is not None


def test_thumbnail_and_input_folders_linked_outside_are_not_emptied(ctx, seeder, tmp_path):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    outside = tmp_path / "photos"
    outside.mkdir()
    sha = "ef" * 32
    victims = [outside / f"{sha}-256.png", outside / ("ab" * 32)]
    for v in victims:
        v.write_bytes(b"user data")
    (root / thumbnails.THUMBS_DIRNAME).mkdir()
    (root / thumbnails.THUMBS_DIRNAME / sha[:2]).symlink_to(outside, target_is_directory=True)
    (root / "_inputs").mkdir()
    (root / "_inputs" / "ab").symlink_to(outside, target_is_directory=True)
    sweeper.sweep(conn, ctx.settings)
    for v in victims:
        assert v.read_bytes() == b"user data"


def test_orphan_file_fix_and_partials_never_follow_links(ctx, seeder, tmp_path):
    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    outside = tmp_path / "docs"
    outside.mkdir()
    (outside / "thesis.tex").write_text("years of work")
    old = outside / "x.partial"
    old.write_text("p")
    os.utime(old, (1, 1))
    (root / "stray").mkdir()
    (root / "stray" / "docs").symlink_to(outside, target_is_directory=True)
    sweeper.sweep(conn, ctx.settings, fix=True)
    assert (outside / "thesis.tex").read_text() == "years of work" and old.exists()


# --- class 10: missing / unmounted artefacts root -----------------------------------------------

def _unmount(root: Path) -> None:
    """What an unmounted drive looks like: the mount point is there, empty."""
    import shutil

    shutil.rmtree(root)
    root.mkdir()


def test_unmounted_root_trashes_and_purges_nothing_and_says_where(ctx, seeder):
    from pixie_desktop.artefacts.storage import ROOT_MARKER

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    assert (root / ROOT_MARKER).exists(), "created on first init"
    seeder.run("r1")
    live = seeder.artefact("r1", "live.txt", b"live")
    old = seeder.artefact("r1", "old.txt", b"old")
    _trash(conn, [old])
    _unmount(root)
    report = sweeper.sweep(conn, ctx.settings, fix=True)
    assert report.orphan_rows_marked == [] and report.purged == []
    assert artefacts_repo.get(conn, live).deleted_at is None
    assert artefacts_repo.get(conn, old) is not None
    assert str(root) in report.root_problem and ROOT_MARKER in report.root_problem
    assert report.summary().startswith("Nothing cleaned up")
    trash = sweeper.empty_trash(conn, root)
    assert trash.purged == [] and artefacts_repo.get(conn, old) is not None and trash.root_problem


def test_missing_root_is_not_recreated_and_doctor_says_where(ctx, seeder, capsys):
    import shutil

    from pixie_desktop.cli import main
    from pixie_desktop.context import open_context
    from pixie_desktop.doctor import run_doctor

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    live = seeder.artefact("r1", "live.txt", b"live")
    shutil.rmtree(root)
    other = open_context()
    try:
        assert not root.exists(), "an empty folder at the mount point would hide the drive"
        assert not other.artefacts_root_status.ok
    finally:
        other.close()
    report = run_doctor(conn, ctx.settings, [], fix=True)
    probs = [p for p in report.problems if p.check == "artefacts_root"]
    assert probs and str(root) in probs[0].message and "missing" in probs[0].message
    assert artefacts_repo.get(conn, live).deleted_at is None
    assert main(["sweep", "--fix"]) == 1
    out = capsys.readouterr().out
    assert str(root) in out and "missing" in out
    assert artefacts_repo.get(conn, live).deleted_at is None and not root.exists()


def test_root_from_before_the_marker_is_adopted(ctx, seeder):
    from pixie_desktop.artefacts.storage import ROOT_MARKER

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.artefact("r1", "live.txt", b"live")
    gone = seeder.artefact("r1", "gone.txt", b"gone")
    (root / "demo/r1/gone.txt").unlink()
    (root / ROOT_MARKER).unlink()
    report = sweeper.sweep(conn, ctx.settings)
    assert not report.root_problem and report.orphan_rows_marked == [gone]
    assert (root / ROOT_MARKER).exists()


def test_symlinked_tool_folder_works_for_writing_reading_and_purging(ctx, seeder, tmp_path):
    """A user may move one tool's artefacts to another disk (artefacts/<tool_id> → elsewhere):
    files are written, registered (under the link's name), read and purged through the link;
    a link below it pointing further out is still never followed for deletion."""
    from pixie_desktop.artefacts.storage import register_file, run_dir, safe_join

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    elsewhere = tmp_path / "big-disk" / "demo"
    elsewhere.mkdir(parents=True)
    (root / "demo").symlink_to(elsewhere, target_is_directory=True)
    seeder.run("r1")
    folder = run_dir(ctx.settings, "demo", "r1")
    (folder / "out.txt").write_bytes(b"through the link")
    rec = register_file(conn, ctx.settings, run_id="r1", tool_id="demo", output_key="o", path=folder / "out.txt")
    assert rec.rel_path == "demo/r1/out.txt"
    assert safe_join(root, rec.rel_path).read_bytes() == b"through the link"
    assert (elsewhere / "r1/out.txt").exists()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (elsewhere / "r1" / "sub").symlink_to(tmp_path, target_is_directory=True)
    far = artefacts_repo.insert(conn, run_id="r1", tool_id="demo", output_key="", rel_path="demo/r1/sub/victim.txt",
                                filename="victim.txt", mime="text/plain", size_bytes=4, sha256="cd" * 32)
    report = sweeper.sweep(conn, ctx.settings)
    assert not report.root_problem and report.orphan_rows_marked == [far]
    assert artefacts_repo.get(conn, rec.id).deleted_at is None
    _trash(conn, [rec.id, far])
    report = sweeper.sweep(conn, ctx.settings)
    assert set(report.purged) == {rec.id, far}
    assert not (elsewhere / "r1/out.txt").exists() and victim.read_text() == "keep"
    assert elsewhere.is_dir() and (root / "demo").is_symlink()


# --- class 11: sweep --fix after a database reset quarantines, never deletes -------------------

def test_sweep_fix_after_db_reset_quarantines_orphans_then_purges_after_retention(ctx, seeder, capsys):
    import time as _time

    from pixie_desktop.cli import main
    from pixie_desktop.doctor import run_doctor

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.artefact("r1", "result.csv", b"a,b\n1,2\n")
    seeder.artefact("r1", "plot.png", b"png")
    # database reset: every row gone, the files stay
    conn.execute("DELETE FROM artefacts")
    conn.execute("DELETE FROM runs")
    doctor = run_doctor(conn, ctx.settings, [])
    advice = [p.message for p in doctor.problems if p.check == "orphan_artefacts"]
    assert advice and all("moves it to artefacts/_quarantine/" in m for m in advice)

    assert main(["sweep", "--fix"]) == 0
    assert "_quarantine/" in capsys.readouterr().out
    day = _time.strftime("%Y-%m-%d", _time.gmtime())
    q = root / "_quarantine" / day
    assert (q / "demo/r1/result.csv").read_bytes() == b"a,b\n1,2\n"
    assert (q / "demo/r1/plot.png").read_bytes() == b"png"
    assert not (root / "demo/r1/result.csv").exists()
    # a second sweep neither re-quarantines nor removes them inside the retention period
    again = sweeper.sweep(conn, ctx.settings, fix=True)
    assert again.orphan_files_unknown == [] and (q / "demo/r1/result.csv").exists()
    # past retention, the dated folder is purged
    old = root / "_quarantine" / "2000-01-01"
    (old / "demo").mkdir(parents=True)
    (old / "demo" / "x.bin").write_bytes(b"x")
    done = sweeper.sweep(conn, ctx.settings)
    assert done.quarantine_purged == ["_quarantine/2000-01-01"] and not old.exists()
    assert (q / "demo/r1/result.csv").exists()


def test_quarantine_never_moves_files_out_of_the_root(ctx, tmp_path):
    root = Path(ctx.settings.artefacts_root)
    outside = tmp_path / "outside-q"
    outside.mkdir()
    (root / "_quarantine").symlink_to(outside, target_is_directory=True)
    (root / "stray").mkdir()
    (root / "stray" / "f.txt").write_text("mine")
    report = sweeper.sweep(ctx.conn, ctx.settings, fix=True)
    assert (root / "stray" / "f.txt").read_text() == "mine" and not any(outside.iterdir())
    assert any("symlink" in e for e in report.errors)


def test_deleting_runs_from_history_never_follows_a_link_to_a_starred_file(ctx, seeder, tmp_path):
    from pixie_desktop.ui.views.history import delete_runs_and_files

    conn, root = ctx.conn, Path(ctx.settings.artefacts_root)
    seeder.run("r1")
    seeder.run("keep")
    starred = seeder.artefact("keep", "precious.txt", b"precious")
    artefacts_repo.set_starred(conn, starred, True)
    seeder.artefact("r1", "out.txt", b"x")
    outside = tmp_path / "outside.txt"
    outside.write_text("outside")
    seeder.artefact("r1", "far.txt", b"y")
    (root / "demo/r1/out.txt").unlink()
    (root / "demo/r1/out.txt").symlink_to(root / "demo/keep/precious.txt")
    (root / "demo/r1/far.txt").unlink()
    (root / "demo/r1/far.txt").symlink_to(outside)
    assert delete_runs_and_files(conn, ctx.settings, ["r1"]) == 1
    assert (root / "demo/keep/precious.txt").read_bytes() == b"precious"
    assert outside.read_text() == "outside"
    assert not os.path.lexists(root / "demo/r1/out.txt")


def test_only_the_artefacts_root_trusts_a_top_level_link(ctx, tmp_path):
    """A run folder (inside the marked root) never trusts a link, even with a marker dropped in it."""
    import pytest

    from pixie_desktop.artefacts.storage import ROOT_MARKER, run_dir, safe_join

    folder = run_dir(ctx.settings, "demo", "r1")
    (folder / ROOT_MARKER).write_text("")
    (folder / "evil").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(ValueError):
        safe_join(folder, "evil", "x")
