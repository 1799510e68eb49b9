"""Unit tests for the runtime's pure parts: secrets (.env editing, redaction), artefact storage
(sanitising, safe joins, atomic writes), input checking, response normalisation, media
materialising, spill/load, and the SSE frame relay."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from pixie_desktop.artefacts import spill
from pixie_desktop.artefacts.storage import (atomic_write, guess_mime, run_dir, safe_join, sanitize_filename,
                                             sha256_file)
from pixie_desktop.runtime.inputs import InputError, check_inputs
from pixie_desktop.runtime.secrets import (delete_secret, read_env, redact, redact_obj, secret_values,
                                           write_secret)
from pixie_desktop.manifest.parse import parse_tool_dict


# -- secrets ----------------------------------------------------------------------------------

def test_write_secret_keeps_comments_order_and_mode(tmp_path):
    env = tmp_path / ".env"
    env.write_text("# my keys\nB=1\n\nexport A='old'\n# tail\nA=dup\n")
    write_secret(tmp_path, "A", 'new "value" \\ x')
    write_secret(tmp_path, "C", "third")
    text = env.read_text()
    assert text.splitlines()[0] == "# my keys" and "# tail" in text
    assert text.index("B=1") < text.index("A=") < text.index("C=")
    assert text.count("A=") == 1
    assert read_env(tmp_path) == {"B": "1", "A": 'new "value" \\ x', "C": "third"}
    if os.name == "posix":
        assert stat.S_IMODE(env.stat().st_mode) == 0o600
    delete_secret(tmp_path, "A")
    delete_secret(tmp_path, "missing")
    assert read_env(tmp_path) == {"B": "1", "C": "third"}
    with pytest.raises(ValueError):
        write_secret(tmp_path, "bad key", "x")


def test_redaction(tmp_path):
    (tmp_path / ".env").write_text('TOKEN=abcd1234\nSHORT=ab\nQ="with\\"quote"\n')
    vals = secret_values(tmp_path)
    assert "abcd1234" in vals and "ab" not in vals
    assert redact("x abcd1234 y", vals) == "x ••• y"
    assert redact('{"k": "with\\"quote"}', vals) == '{"k": "•••"}'
    obj = {"a": ["abcd1234", 3, {"abcd1234": "ok"}], "n": None}
    assert redact_obj(obj, vals) == {"a": ["•••", 3, {"•••": "ok"}], "n": None}


# -- storage ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "passwd"), ("/abs/path.txt", "path.txt"), ("a\\b\\c.png", "c.png"),
    ("..", "file"), ("", "file"), ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("a\x00b.txt", "a_b.txt"),
    ("trailing. ", "trailing"), ("ok name.csv", "ok name.csv"),
])
def test_sanitize_filename(raw, expected):
    assert sanitize_filename(raw) == expected


@hsettings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_sanitize_filename_is_always_one_safe_component(name):
    out = sanitize_filename(name)
    assert out and "/" not in out and "\\" not in out and "\x00" not in out
    assert out not in (".", "..") and len(out.encode()) <= 255


def test_safe_join_and_run_dir(ctx, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    assert safe_join(root, "a", "b.txt") == (root / "a" / "b.txt").resolve()
    for bad in (("..", "x"), ("/etc/passwd",), ("a/../../x",)):
        with pytest.raises(ValueError):
            safe_join(root, *bad)
    (root / "link").symlink_to("/tmp")
    with pytest.raises(ValueError):
        safe_join(root, "link", "x")
    d = run_dir(ctx.settings, "calc", "run-1")
    assert d == (ctx.settings.artefacts_root / "calc" / "run-1").resolve() and d.is_dir()
    if os.name == "posix":
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for tool_id, run_id in (("_thumbs", "r"), ("../x", "r"), ("ok", "../r")):
        with pytest.raises(ValueError):
            run_dir(ctx.settings, tool_id, run_id)


def test_atomic_write_and_hash(tmp_path):
    p = tmp_path / "sub" / "f.bin"
    atomic_write(p, b"hello")
    assert p.read_bytes() == b"hello"
    assert sha256_file(p) == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert not [x for x in p.parent.iterdir() if x.name != "f.bin"]
    assert guess_mime("a.PNG") == "image/png" and guess_mime("x.parquet").endswith("parquet")
    assert guess_mime("noext") == "application/octet-stream"


# -- inputs -----------------------------------------------------------------------------------

SPEC = parse_tool_dict({
    "id": "t", "name": "T", "outputs": [],
    "inputs": [
        {"key": "n", "type": "number", "label": "N"},
        {"key": "f", "type": "number", "label": "F", "step": 0.5, "required": False, "default": 1},
        {"key": "s", "type": "slider", "label": "S", "min": 0, "max": 10, "required": False},
        {"key": "sel", "type": "select", "label": "Sel", "required": False,
         "options": [{"value": 1, "label": "one"}, {"value": 2, "label": "two"}]},
        {"key": "cb", "type": "checkbox", "label": "CB"},
        {"key": "tags", "type": "tags", "label": "Tags", "required": False},
        {"key": "j", "type": "json", "label": "J", "required": False},
        {"key": "img", "type": "image", "label": "Img", "required": False, "max_size_mb": 1},
        {"key": "txt", "type": "text", "label": "Txt", "required": False, "max_length": 5},
    ]})


def test_check_inputs_coerces_like_the_form():
    out = check_inputs(SPEC, {"n": "3", "s": "2", "sel": "2", "cb": "yes", "tags": "a, b",
                              "j": '{"x": 1}', "img": "data:image/png;base64,AAAA"})
    assert out == {"n": 3, "f": 1, "s": 2.0, "sel": 2, "cb": True, "tags": ["a", "b"], "j": {"x": 1},
                   "img": "data:image/png;base64,AAAA"}
    assert isinstance(out["n"], int) and isinstance(out["s"], float)
    assert check_inputs(SPEC, {"n": 2.5})["n"] == 2.5
    assert check_inputs(SPEC, {"n": 1})["cb"] is False  # unchecked checkbox = false


def test_check_inputs_reports_every_problem():
    big = "data:image/png;base64," + "A" * (2 * 1024 * 1024)
    with pytest.raises(InputError) as err:
        check_inputs(SPEC, {"n": "", "sel": 3, "cb": "maybe", "img": big, "txt": "toolong", "zzz": 1})
    problems = dict(err.value.problems)
    assert set(problems) == {"n", "sel", "cb", "img", "txt", "zzz"}
    assert "required" in problems["n"] and "limit is 1 MB" in problems["img"]


# -- outputs ----------------------------------------------------------------------------------

def test_normalise_response_accepts_both_shapes():
    assert spill.normalise_response({"outputs": {"a": 1}}, ["a"]) == {"a": 1}
    assert spill.normalise_response({"a": 1, "outputs": 2}, ["a"]) == {"a": 1, "outputs": 2}
    with pytest.raises(ValueError):
        spill.normalise_response([1, 2], ["a"])


def test_materialise_media_and_collect(tmp_path):
    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [], "outputs": [
        {"key": "pic", "type": "image", "label": "P"},
        {"key": "grid", "type": "image_grid", "label": "G"},
        {"key": "cmp", "type": "image_compare", "label": "C"},
        {"key": "doc", "type": "file", "label": "D"},
        {"key": "url", "type": "image", "label": "U"}]})
    png = "data:image/png;base64,iVBORw0KGgo="
    outputs = {"pic": png, "grid": {"images": [png, {"url": "data:image/gif;base64,R0lG", "alt": "g"}]},
               "cmp": {"before": png, "after": {"url": png}},
               "doc": {"filename": "../x/report.csv", "data": "data:text/csv;base64,YSxiCg=="},
               "url": "https://example.com/a.png"}
    written = spill.materialise_media(outputs, spec, tmp_path)
    assert outputs["pic"].startswith("file://") and outputs["url"] == "https://example.com/a.png"
    assert outputs["grid"]["images"][1]["alt"] == "g" and outputs["grid"]["images"][1]["url"].endswith(".gif")
    assert outputs["doc"]["filename"] == "report.csv" and outputs["doc"]["size"] == 4
    assert len(written) == 3  # identical PNG bytes are written once and reused
    (tmp_path / ".hidden").write_text("x")
    (tmp_path / "half.partial").write_text("x")
    (tmp_path / "pic").mkdir()
    (tmp_path / "pic" / "0.png").write_bytes(b"x")
    keys = {p.name: k for p, k in spill.collect_files(tmp_path, ["pic", "grid", "cmp", "doc"])}
    assert ".hidden" not in keys and "half.partial" not in keys
    assert keys["0.png"] == "pic" and keys["pic.png"] == "pic"


def test_spill_and_load(ctx, tmp_path):
    from pixie_desktop.store import runs_repo

    small, path, n = spill.spill_if_large({"a": 1}, tmp_path, 1024)
    assert small == '{"a": 1}' and path is None and n == 8
    text, path, n = spill.spill_if_large({"a": "x" * 5000}, tmp_path, 1024)
    assert text is None and path.name == "outputs.json" and n > 5000
    rec = runs_repo.create_run(ctx.conn, "r1", "t", {})
    assert spill.load_outputs(ctx.conn, ctx.settings, rec) is None


# -- SSE relay --------------------------------------------------------------------------------

class _FakeProc:
    client = None


def _relay(spec_outputs):
    from pixie_desktop.runtime.runner import _StreamRelay

    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [], "outputs": spec_outputs})
    events = []
    relay = _StreamRelay.__new__(_StreamRelay)
    relay.emit, relay.run_id = events.append, "r"
    relay.types = {o.key: o.type for o in spec.outputs}
    relay.first_stream_key = next((o.key for o in spec.outputs if o.type == "stream_text"), None)
    relay.first_progress_key = next((o.key for o in spec.outputs if o.type == "progress"), None)
    relay.first_log_key = next((o.key for o in spec.outputs if o.type == "log"), None)
    relay.text, relay.lines, relay.values, relay.error = {}, {}, {}, None
    return relay, events


def test_relay_is_liberal_in_frames():
    relay, events = _relay([{"key": "reply", "type": "stream_text", "label": "R"},
                            {"key": "p", "type": "progress", "label": "P"},
                            {"key": "log", "type": "log", "label": "L"},
                            {"key": "n", "type": "number", "label": "N"}])
    assert not relay._handle("reply", "Hel")
    assert not relay._handle("output:reply", "42")  # raw text even when it parses as JSON
    assert not relay._handle("message", '{"chunk": "!", "done": false}')
    assert not relay._handle("message", '{"output_key": "p", "value": 50}')
    assert not relay._handle("log", '{"lines": [{"level": "warn", "message": "careful"}]}')
    assert not relay._handle("message", '{"output_key": "n", "value": 7}')
    assert not relay._handle("error", '{"message": "oops"}')
    assert relay._handle("done", "{}")
    assert relay._handle("message", '{"chunk": "", "done": true}')
    assert relay.text["reply"] == "Hel42!"
    assert relay.values["p"]["value"] == 0.5 and relay.values["n"] == 7 and relay.error == "oops"
    merged = relay.merge_into({"reply": "", "n": None})
    assert merged["reply"] == "Hel42!" and merged["log"]["lines"][0]["level"] == "warn" and merged["n"] == 7
    assert [e.kind for e in events].count("stream") == 3


def test_files_named_by_an_output_value_are_filed_under_that_output(tmp_path):
    """A `file` output named `our-first-home.html` (not starting with its key) and a file the
    tool wrote and pointed at with a file:// URL are both registered under their output key."""
    import base64

    from pixie_desktop.artefacts import spill
    from pixie_desktop.manifest.parse import parse_tool_dict

    spec = parse_tool_dict({"id": "t", "name": "T", "inputs": [], "outputs": [
        {"key": "report", "type": "file", "label": "Report"},
        {"key": "chart", "type": "image", "label": "Chart"}]})
    folder = tmp_path / "run-folder"
    folder.mkdir()
    (folder / "drawn-by-tool.png").write_bytes(b"\x89PNG")
    (folder / "stray.txt").write_text("not referenced")
    outputs = {"report": {"filename": "our-first-home.html",
                          "data": "data:text/html;base64," + base64.b64encode(b"<p>hi</p>").decode()},
               "chart": (folder / "drawn-by-tool.png").as_uri()}
    spill.materialise_media(outputs, spec, folder)
    declared = ["report", "chart"]
    known = spill.referenced_files(outputs, folder, declared)
    keys = {p.name: k for p, k in spill.collect_files(folder, declared, known=known)}
    assert keys == {"our-first-home.html": "report", "drawn-by-tool.png": "chart", "stray.txt": ""}
    outside = spill.referenced_files({"chart": "file:///etc/passwd"}, folder, declared)
    assert outside == {}
