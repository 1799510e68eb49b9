"""Issue 11, medium 5: secrets are redacted across stream-chunk boundaries, before error text is
truncated, and in artefact file names. Fixture: tests/fixtures/tools/hostile with API_TOKEN in
its .env."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixie_desktop.runtime.secrets import MASK

TOKEN = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def leaky(ctx, install, runner, tools_dir):
    install("hostile")
    (tools_dir / "hostile" / ".env").write_text(f"API_TOKEN={TOKEN}\n")
    return ctx.find_tool("hostile")


def _db_text(ctx) -> str:
    return "\n".join(str(tuple(r)) for t in ("runs", "artefacts")
                     for r in ctx.conn.execute(f"SELECT * FROM {t}").fetchall())


def test_a_secret_split_across_stream_chunks_never_reaches_the_listener(ctx, leaky, runner):
    chunks: list[str] = []
    res = runner.run(leaky, {"mode": "splitsecret"},
                     on_event=lambda ev: chunks.append(ev.value) if ev.kind == "stream" else None)
    assert res.status == "ok", res.error
    shown = "".join(chunks)
    assert TOKEN not in shown and TOKEN[: len(TOKEN) // 2] not in shown and TOKEN[len(TOKEN) // 2:] not in shown
    assert shown == f"the key is {MASK} ok"  # nothing lost: the held-back tail is flushed at the end
    assert TOKEN not in res.outputs["answer"] and TOKEN not in _db_text(ctx)


def test_stream_redactor_unit():
    from pixie_desktop.runtime.secrets import StreamRedactor

    r = StreamRedactor(["abcdef"])
    out = [r.feed("k", c) for c in ("xx ab", "cd", "ef yy", "a")]
    out.append(r.flush().get("k", ""))
    assert "".join(out) == f"xx {MASK} yya" and all("abc" not in o and "def" not in o for o in out)
    assert StreamRedactor([]).feed("k", "plain") == "plain"


def test_error_text_is_redacted_before_it_is_truncated(ctx, leaky, runner):
    res = runner.run(leaky, {"mode": "secret500"})  # the token straddles the 500-character cut
    assert res.status == "error"
    assert TOKEN[:8] not in res.error and TOKEN not in _db_text(ctx)
    from pixie_desktop.runtime.secrets import redact_then_cut

    assert redact_then_cut("x" * 8 + TOKEN + "y" * 8, [TOKEN], 12) == "x" * 8 + MASK + "y"


def test_artefact_file_names_are_redacted(ctx, leaky, runner):
    res = runner.run(leaky, {"mode": "secretname"})
    assert res.status == "ok", res.error
    names = [a.filename for a in res.artefacts]
    assert names == ["dump-REDACTED.txt"]
    folder = Path(ctx.settings.artefacts_root) / "hostile" / res.run_id
    assert [p.name for p in folder.iterdir()] == ["dump-REDACTED.txt"]
    assert TOKEN not in _db_text(ctx)
