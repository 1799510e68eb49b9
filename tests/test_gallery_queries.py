"""Gallery SQL: every filter and sort, keyset pages that neither skip nor repeat rows, and the
SQL mime-kind CASE agreeing with the Python classifier."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pixie_desktop.artefacts import queries
from pixie_desktop.artefacts.queries import ArtefactQuery
from pixie_desktop.artefacts.thumbnails import mime_kind, thumb_rel_path, is_current, generator_for
from pixie_desktop.store import artefacts_repo, workspaces_repo, tool_state_repo

T0 = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _ts(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def seeded(seeder):
    seeder.run("r1", "alpha")
    seeder.run("r2", "beta")
    ids = {
        "a_png": seeder.artefact("r1", "zebra.png", b"p" * 300, tool_id="alpha", mime="image/png", created_at=_ts(1),
                                 tags="cats,holiday"),
        "a_pdf": seeder.artefact("r1", "Report.pdf", b"d" * 900, tool_id="alpha", mime="application/pdf",
                                 created_at=_ts(2), label="quarterly numbers"),
        "b_csv": seeder.artefact("r2", "apple.csv", b"c" * 50, tool_id="beta", mime="text/csv", created_at=_ts(3),
                                 tags="holiday-2025"),
        "b_svg": seeder.artefact("r2", "mango.svg", b"<svg/>", tool_id="beta", mime="image/svg+xml",
                                 created_at=_ts(4)),
        "b_txt": seeder.artefact("r2", "notes_100%.txt", b"t" * 10, tool_id="beta", mime="text/plain",
                                 created_at=_ts(5)),
    }
    return ids


def _ids(conn, q, limit=100):
    return [r.record.id for r in queries.page(conn, q, None, limit)]


def test_sorts(ctx, seeded):
    s = seeded
    assert _ids(ctx.conn, ArtefactQuery()) == [s["b_txt"], s["b_svg"], s["b_csv"], s["a_pdf"], s["a_png"]]
    assert _ids(ctx.conn, ArtefactQuery(sort="oldest")) == [s["a_png"], s["a_pdf"], s["b_csv"], s["b_svg"], s["b_txt"]]
    assert _ids(ctx.conn, ArtefactQuery(sort="name")) == [s["b_csv"], s["b_svg"], s["b_txt"], s["a_pdf"], s["a_png"]]
    assert _ids(ctx.conn, ArtefactQuery(sort="size")) == [s["a_pdf"], s["a_png"], s["b_csv"], s["b_txt"], s["b_svg"]]
    assert _ids(ctx.conn, ArtefactQuery(sort="tool")) == [s["a_pdf"], s["a_png"], s["b_txt"], s["b_svg"], s["b_csv"]]


def test_filters(ctx, seeded):
    s, c = seeded, ctx.conn
    assert set(_ids(c, ArtefactQuery(tool_id="alpha"))) == {s["a_png"], s["a_pdf"]}
    assert _ids(c, ArtefactQuery(tag="holiday")) == [s["a_png"]]  # whole tag, not "holiday-2025"
    assert _ids(c, ArtefactQuery(tag="holiday-2025")) == [s["b_csv"]]
    assert set(_ids(c, ArtefactQuery(kinds=("image", "svg")))) == {s["a_png"], s["b_svg"]}
    assert _ids(c, ArtefactQuery(kinds=("table",))) == [s["b_csv"]]
    assert _ids(c, ArtefactQuery(text="QUARTERLY")) == [s["a_pdf"]]  # label, case-insensitive
    assert _ids(c, ArtefactQuery(text="zeb png")) == [s["a_png"]]  # every word must match
    assert _ids(c, ArtefactQuery(text="100%")) == [s["b_txt"]]  # LIKE wildcards are literal
    assert _ids(c, ArtefactQuery(text="_")) == [s["b_txt"]]
    assert _ids(c, ArtefactQuery(date_from=_ts(2), date_to=_ts(4))) == [s["b_csv"], s["a_pdf"]]
    assert _ids(c, ArtefactQuery(run_id="r1", sort="oldest")) == [s["a_png"], s["a_pdf"]]
    artefacts_repo.set_starred(c, s["b_csv"], True)
    assert _ids(c, ArtefactQuery(starred=True)) == [s["b_csv"]]
    ws = workspaces_repo.create(c, "Work", "#ff0000")
    workspaces_repo.add_tool(c, ws.id, "beta")
    assert set(_ids(c, ArtefactQuery(workspace_id=ws.id))) == {s["b_csv"], s["b_svg"], s["b_txt"]}
    assert queries.count(c, ArtefactQuery(workspace_id=ws.id)) == 3


def test_trash_view_and_joined_colours(ctx, seeded):
    s, c = seeded, ctx.conn
    artefacts_repo.soft_delete(c, [s["a_png"]])
    assert s["a_png"] not in _ids(c, ArtefactQuery())
    assert _ids(c, ArtefactQuery(trash=True)) == [s["a_png"]]
    assert queries.total_count(c) == 4 and queries.total_count(c, trash=True) == 1
    tool_state_repo.set_colour(c, "beta", "#00aa00")
    ws2 = workspaces_repo.create(c, "Second", "#0000ff")
    ws1 = workspaces_repo.create(c, "First", "#ff0000")
    workspaces_repo.reorder(c, [ws1.id, ws2.id])
    workspaces_repo.add_tool(c, ws2.id, "beta")
    workspaces_repo.add_tool(c, ws1.id, "beta")
    row = queries.page(c, ArtefactQuery(tool_id="beta"), None, 1)[0]
    assert row.tool_colour == "#00aa00"
    assert row.workspace_colour == "#ff0000"  # first workspace by sort order
    assert row.kind == "text"


@pytest.mark.parametrize("sort", list(queries.SORTS))
def test_keyset_pages_cover_everything_once(ctx, seeder, sort):
    ids = []
    for i in range(37):  # ties on created_at/size/name force the id tie-breaker
        tool = "t1" if i % 2 else "t2"
        seeder.run(f"r{i}", tool)
        ids.append(seeder.artefact(f"r{i}", f"f{i % 5}.txt" if i % 3 else f"F{i % 5}.txt", b"x" * (i % 4),
                                   tool_id=tool, created_at=_ts(i // 3)))
    q = ArtefactQuery(sort=sort)
    got, after = [], None
    while True:
        page = queries.page(ctx.conn, q, after, 8)
        if not page:
            break
        got += [r.record.id for r in page]
        after = page[-1].sort_key
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))
    assert got == _ids(ctx.conn, q, 1000)


@pytest.mark.parametrize("mime,kind", [
    ("image/png", "image"), ("image/svg+xml", "svg"), ("application/pdf", "pdf"), ("video/mp4", "video"),
    ("audio/wav", "audio"), ("text/csv", "table"), ("text/plain", "text"), ("application/json", "text"),
    ("application/geo+json", "text"), ("application/octet-stream", "other"), ("IMAGE/JPEG", "image"),
])
def test_mime_kind_sql_matches_python(conn, mime, kind):
    assert mime_kind(mime) == kind
    assert conn.execute(f"SELECT {queries.mime_kind_sql('m')} FROM (SELECT ? AS m)", (mime,)).fetchone()[0] == kind


def test_thumb_paths_are_content_addressed():
    sha = "ab" * 32
    assert thumb_rel_path(sha, 256) == f"_thumbs/ab/{sha}-256.png"
    assert is_current(f"_thumbs/ab/{sha}-256.png", sha, 256)
    assert not is_current(f"_thumbs/ab/{sha}-256.png", "cd" * 32, 256)  # content changed
    with pytest.raises(ValueError):
        thumb_rel_path("../../etc/passwd", 256)
    assert generator_for("video", ffmpeg_available=False) is None
    assert generator_for("table") == "text" and generator_for("audio") is None


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_per_tool_merge_equals_plain_sort(ctx, seeder, sort):
    for i in range(30):
        tool = f"tool{i % 4}"
        seeder.run(f"m{i}", tool)
        seeder.artefact(f"m{i}", f"x{i}.txt", tool_id=tool, created_at=_ts(i % 7))  # ties across tools
    artefacts_repo.soft_delete(ctx.conn, [3, 4])
    q = ArtefactQuery(sort=sort)
    tools = queries.tools_with_artefacts_fast(ctx.conn)
    assert tools == ["tool0", "tool1", "tool2", "tool3"]
    after = None
    for _ in range(5):
        merged_sql, merged_args = queries.page_sql(q, after, 7, tools)
        plain_sql, plain_args = queries.page_sql(q, after, 7)
        merged = [r[0] for r in ctx.conn.execute(merged_sql, merged_args)]
        plain = [r[0] for r in ctx.conn.execute(plain_sql, plain_args)]
        assert merged == plain
        if not plain:
            break
        rec = artefacts_repo.get(ctx.conn, plain[-1])
        after = (rec.created_at, rec.id)
