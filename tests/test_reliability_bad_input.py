"""Bad input never crashes and never escapes: fuzzed tool.json (discovery, parsing, coherence,
input checks and validator samples), fuzzed /run responses (response parsing, media
materialisation, spill, registration, conformance), hostile artefact filenames, and a file
input over max_size_mb refused before the tool is ever called."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pixie_desktop.manifest.model import INPUT_TYPES, OUTPUT_TYPES

DATA = Path(__file__).resolve().parent / "data"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                        st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30))
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)
field_names = st.sampled_from(["key", "type", "label", "default", "required", "options", "min", "max", "step",
                               "range", "columns", "max_size_mb", "multiple", "accept", "show_if", "endpoint",
                               "language", "format", "precision", "streaming", "layout", "placeholder",
                               "max_length", "schema", "default_center", "bogus"])


def _io(types):
    return st.fixed_dictionaries(
        {"key": st.one_of(st.text(max_size=6), json_scalar), "type": st.one_of(st.sampled_from(types), json_scalar),
         "label": st.one_of(st.text(max_size=6), json_scalar)},
        optional={k: json_value for k in ["default", "options", "min", "max", "columns", "show_if", "streaming"]},
    ).flatmap(lambda d: st.dictionaries(field_names, json_value, max_size=3).map(lambda extra: {**extra, **d}))


tool_docs = st.one_of(
    json_value,
    st.fixed_dictionaries(
        {"id": st.one_of(st.text(max_size=12), json_scalar), "name": st.one_of(st.text(max_size=12), json_scalar),
         "inputs": st.one_of(st.lists(_io(INPUT_TYPES), max_size=4), json_value),
         "outputs": st.one_of(st.lists(_io(OUTPUT_TYPES), max_size=4), json_value)},
        optional={"layout": json_value, "secrets": json_value, "max_runtime_seconds": json_value,
                  "max_memory_mb": json_value, "concurrent": json_value, "retain_runs": json_value,
                  "warm_keep_seconds": json_value, "tags": json_value, "entrypoint": json_value}),
)


@FUZZ
@given(doc=tool_docs, raw=st.one_of(st.none(), st.binary(max_size=40)))
def test_fuzzed_tool_json_never_raises(tmp_path_factory, doc, raw):
    from pixie_desktop.runtime.inputs import InputError, check_inputs
    from pixie_desktop.catalog.discovery import Discovery
    from pixie_desktop.manifest.parse import SpecError, coherence_problems, parse_tool_dict
    from pixie_desktop.validation.samples import sample_inputs

    tools = tmp_path_factory.mktemp("fuzz-tools")
    folder = tools / "fuzzed"
    folder.mkdir()
    text = json.dumps(doc, allow_nan=True) if raw is None else raw
    (folder / "tool.json").write_bytes(text.encode() if isinstance(text, str) else text)
    [info] = Discovery(tools).scan()
    assert info.folder == "fuzzed"
    assert info.ok == (info.spec is not None) and (info.ok or info.error)
    try:
        spec = parse_tool_dict(doc)
    except SpecError as exc:
        assert exc.problems
        return
    assert isinstance(coherence_problems(spec), list)
    samples = sample_inputs(spec)
    try:
        check_inputs(spec, samples)
    except InputError as exc:
        assert exc.problems


@pytest.fixture(scope="module")
def all_outputs_spec():
    from pixie_desktop.manifest.parse import parse_tool_file

    return parse_tool_file(DATA / "all-outputs.tool.json")


def _response(spec):
    keys = [o.key for o in spec.outputs]
    media = st.one_of(json_value, st.sampled_from(["data:image/png;base64,iVBORw0KGgo=", "data:,hello",
                                                   "data:text/plain;base64,@@@", "data:;base64,",
                                                   "file:///etc/passwd", "http://x/y.png"]))
    filename = st.sampled_from(["../../x", "/etc/passwd", "a\x00b.txt", "n" * 300 + ".txt", "CON", "nul.txt",
                                "aux", "..", "", "ok.csv"])
    file_value = st.fixed_dictionaries({"filename": st.one_of(filename, json_scalar),
                                        "data": st.one_of(media, json_scalar)},
                                       optional={"mime": json_scalar})
    body = st.dictionaries(st.sampled_from(keys), st.one_of(json_value, media, file_value), max_size=len(keys))
    return st.one_of(body, body.map(lambda b: {"outputs": b}), json_value)


def _fake_request(status, body):
    import threading

    class R:
        pass

    r = R()
    r.done = threading.Event()
    r.done.set()
    r.status, r.body, r.exc = status, body, None
    return r


def test_fuzzed_run_responses_never_break_the_output_pipeline(ctx, all_outputs_spec, tmp_path):
    from pixie_desktop.runtime.runner import Runner
    from pixie_desktop.catalog.discovery import ToolInfo
    from pixie_desktop.store import artefacts_repo, runs_repo
    from pixie_desktop.validation.conformance import check_outputs

    tool = ToolInfo(folder="all-outputs", path=tmp_path, tool_id="all-outputs", name="All outputs",
                    spec=all_outputs_spec, error=None, discovery_hash="x")
    runner = Runner(ctx.settings)
    ctx.settings.values["inline_output_max_bytes"] = 2048  # make spilling common
    root = Path(ctx.settings.artefacts_root).resolve()

    @FUZZ
    @given(body=_response(all_outputs_spec), status=st.sampled_from([200, 200, 200, 201, 422, 500]),
           garbage=st.one_of(st.none(), st.binary(max_size=50)))
    def check(body, status, garbage):
        raw = garbage if garbage is not None else json.dumps(body, allow_nan=True).encode()
        outputs, error = runner._parse(tool, _fake_request(status, raw), None, None)  # noqa: SLF001
        assert (outputs is None) != (error is None)
        if outputs is not None:
            check_outputs(all_outputs_spec, outputs)
        run_id = str(uuid.uuid4())
        runs_repo.create_run(ctx.conn, run_id, tool.tool_id, {})
        folder = root / tool.tool_id / run_id
        folder.mkdir(parents=True)
        res = runner._finish(ctx.conn, tool, run_id, "ok" if outputs is not None else "error", outputs, error,  # noqa: SLF001
                             {}, folder, [], 0.0, lambda ev: None)
        rec = runs_repo.get_run(ctx.conn, run_id)
        assert rec.status == res.status and rec.status in ("ok", "error")
        for art in artefacts_repo.for_run(ctx.conn, run_id):
            path = (root / art.rel_path).resolve()
            assert folder in path.parents and path.is_file()
            assert "\x00" not in art.filename and len(art.filename.encode()) <= 255
            assert art.filename.split(".")[0].upper() not in {"CON", "NUL", "AUX", "PRN"}
        for dirpath, _dirs, names in os.walk(root):
            assert Path(dirpath).resolve() == root or root in Path(dirpath).resolve().parents

    check()
    runner.shutdown()


HOSTILE = ["../../x", "/etc/passwd", "a\x00b.txt", "n" * 300 + ".txt", "CON", "nul.txt", "aux", "AUX.tar.gz",
           "..", ".", "", "COM1.log", "trailing. ", "x" * 250 + "." + "e" * 40, "dir/../../../../escape.txt",
           "C:\\Windows\\system32\\evil.dll", "лонг" * 80 + ".txt"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_output_names_are_sanitised_into_the_run_folder(tmp_path, name):
    from pixie_desktop.artefacts.spill import materialise_media
    from pixie_desktop.artefacts.storage import sanitize_filename
    from pixie_desktop.manifest.parse import parse_tool_dict

    spec = parse_tool_dict({"id": "t", "name": "t", "inputs": [],
                            "outputs": [{"key": "f", "type": "file", "label": "F"}]})
    folder = tmp_path / "arts" / "run"
    folder.mkdir(parents=True)
    outputs = {"f": {"filename": name, "data": "data:text/plain;base64,aGk="}}
    [written] = materialise_media(outputs, spec, folder)
    assert written.parent == folder and written.read_bytes() == b"hi"
    assert written.name == sanitize_filename(name or "f.txt")
    assert "\x00" not in written.name and "/" not in written.name and "\\" not in written.name
    assert len(written.name.encode()) <= 255 and written.name not in (".", "..")
    assert written.name.split(".")[0].upper() not in {"CON", "NUL", "AUX", "PRN", "COM1"}
    assert list((tmp_path / "arts").iterdir()) == [folder]


@pytest.mark.parametrize("name", HOSTILE)
def test_sdk_artefact_names_are_sanitised_too(tmp_path, name):
    from pixie_desktop.sdk import RunContext

    ctx = RunContext.__new__(RunContext)
    ctx.artefacts_dir = tmp_path / "arts" / "run"
    path = ctx.artefact(name, b"hi")
    assert path.parent == ctx.artefacts_dir and path.read_bytes() == b"hi"
    assert len(path.name.encode()) <= 255 and path.name not in (".", "..")
    assert path.name.split(".")[0].upper() not in {"CON", "NUL", "AUX", "PRN", "COM1"}
    assert [p.name for p in (tmp_path / "arts").iterdir()] == ["run"]


def test_file_over_max_size_is_refused_before_the_tool_is_called(ctx, tools_dir, runner):
    from conftest import write_tool

    from pixie_desktop.runtime.inputs import InputError
    from pixie_desktop.store import runs_repo, tool_state_repo

    hits = tools_dir / "hits.txt"
    write_tool(tools_dir, "upload", {
        "id": "upload", "name": "Upload",
        "inputs": [{"key": "doc", "type": "file", "label": "Doc", "max_size_mb": 1}],
        "outputs": [{"key": "n", "type": "number", "label": "N"}]},
        main_py=f"open({str(hits)!r}, 'a').write('spawned\\n')\n"
                "from pixie_desktop import sdk\ntool = sdk.Tool(__file__)\n"
                "@tool.handler\ndef run(inputs, ctx):\n    return {'n': len(inputs['doc'])}\n"
                "if __name__ == '__main__':\n    tool.serve()\n")
    import base64

    big = "data:application/octet-stream;base64," + base64.b64encode(b"\0" * (1024 * 1024 + 10)).decode()
    with pytest.raises(InputError) as err:
        runner.run(ctx.find_tool("upload"), {"doc": big})
    assert "limit is 1 MB" in str(err.value.problems)
    assert runs_repo.count_runs(ctx.conn) == 0
    assert tool_state_repo.get(ctx.conn, "upload").last_inputs_json is None
    assert runner.pool.spawn_count == 0 and not hits.exists()
    small = "data:text/plain;base64," + base64.b64encode(b"x" * 100).decode()
    assert runner.run(ctx.find_tool("upload"), {"doc": small}).status == "ok"
    assert hits.read_text() == "spawned\n"
