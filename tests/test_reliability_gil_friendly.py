"""Big tool answers are parsed and spilled GIL-friendly (issue 11, high 4) without changing results.

The cooperative parser (safejson, used above ~1 MB) and the piecewise spill encoder must give
exactly what the one-shot json paths give: same value, same error message, same limits, same
cleaning of lone surrogates and NaN/Infinity. Hypothesis compares them on random JSON and on
hostile text (broken syntax, deep nesting, constants, surrogates, odd whitespace)."""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixie_desktop.artefacts import spill
from pixie_desktop.runtime import safejson

ONE_SHOT = 10**12  # cooperative_bytes above any input: the one-shot path
COOPERATIVE = 0  # every input goes the cooperative way

text_values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from(
    ["\ud800", "\udfff", '"', "\\", "[", "{", "\n", "\x00"]), max_size=8)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | text_values
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=5)
                           | st.dictionaries(text_values, kids, max_size=5), max_leaves=40)


def _outcome(raw: bytes | str, cooperative_bytes: int, **limits: int) -> tuple[str, object]:
    try:
        return "ok", safejson.loads(raw, cooperative_bytes=cooperative_bytes, **limits)
    except safejson.UntrustedJSONError as exc:
        return "error", str(exc)


def _same(raw: bytes | str, **limits: int) -> None:
    coop = _outcome(raw, COOPERATIVE, **limits)
    one = _outcome(raw, ONE_SHOT, **limits)
    assert coop == one, (raw, coop, one)


def _dump(value: object, spaced: bool) -> str:
    seps = (" ,\n ", " :\t") if spaced else (",", ":")
    return json.dumps(value, ensure_ascii=False, separators=seps)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, spaced=st.booleans(), as_str=st.booleans(), ascii_only=st.booleans())
def test_cooperative_parse_equals_one_shot_on_random_json(value, spaced, as_str, ascii_only):
    text = json.dumps(value, ensure_ascii=True) if ascii_only else _dump(value, spaced)
    raw: bytes | str = text if as_str else text.encode("utf-8", "surrogatepass")
    _same(raw)
    _same(raw, max_depth=3, max_containers=6, max_values=10)
    coop = _outcome(raw, COOPERATIVE)
    assert coop[0] == "ok"
    # NaN/Infinity became null and no lone surrogate survived (either path, identically)
    assert not any(isinstance(v, float) and not math.isfinite(v) for v in _leaves(coop[1]))
    leftovers = json.dumps(coop[1], ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert safejson._ENCODED_SURROGATE.search(leftovers) is None


def _leaves(value: object) -> list[object]:
    stack, out = [value], []
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        else:
            out.append(v)
    return out


hostile_tokens = st.sampled_from(['[', ']', '{', '}', ',', ':', '"', '"a"', '1', '-0.5e3', 'NaN', '-Infinity',
                                  'Infinity', 'null', 'true', ' ', '\n', '\\', '"\\ud800"', '"\\udc00x"',
                                  '"\ud800"', '[[[[[[', ']]]]]]', '{"k": ', '01', '"\x01"', '\ufeff'])


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens=st.lists(hostile_tokens, max_size=30), as_str=st.booleans())
def test_cooperative_parse_equals_one_shot_on_hostile_text(tokens, as_str):
    text = "".join(tokens)
    raw: bytes | str = text if as_str else text.encode("utf-8", "surrogatepass")
    _same(raw)
    _same(raw, max_depth=2, max_containers=4, max_values=4)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=json_values, data=st.data())
def test_cooperative_parse_equals_one_shot_on_mutated_json(value, data):
    """Valid JSON with one character replaced, deleted or inserted: the near misses a walker
    in Python could wrongly accept (a missing comma, a stray colon, a cut string)."""
    text = _dump(value, data.draw(st.booleans()))
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    char = data.draw(st.sampled_from(list('[]{},:" \\0x-.eN')))
    how = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    if how == "insert":
        text = text[:at] + char + text[at:]
    else:
        text = text[:at] + (char if how == "replace" else "") + text[at + 1:]
    _same(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=100, deadline=None)
@given(depth=st.integers(min_value=1, max_value=12), at=st.integers(min_value=0, max_value=3))
def test_cooperative_parse_refuses_depth_like_one_shot(depth, at):
    inner = "[" * depth + "]" * depth
    text = '{"a": ' * at + f'[1, {inner}, "x"]' + "}" * at
    _same(text.encode(), max_depth=6)


def test_big_answer_takes_the_cooperative_path_and_keeps_the_guarantees(monkeypatch):
    rows = ", ".join(f'[{i}, "name \\ud800 {i}", NaN]' for i in range(60_000))
    text = '{"table": {"columns": ["n", "name", "x"], "rows": [' + rows + "]}}"
    raw = text.encode()
    assert len(raw) > safejson.COOPERATIVE_BYTES
    calls = []
    real = safejson._cooperative
    monkeypatch.setattr(safejson, "_cooperative", lambda *a: calls.append(1) or real(*a))
    value = safejson.loads(raw)
    assert calls, "an answer over COOPERATIVE_BYTES must be parsed cooperatively"
    assert value == safejson.loads(raw, cooperative_bytes=ONE_SHOT)
    assert value["table"]["rows"][7] == [7, "name \ufffd 7", None]
    deep = b'{"table": {"rows": [' + b"[" * 300 + b"]" * 300 + b"," + raw[1:-1] + b"]}}"
    assert _outcome(deep, safejson.COOPERATIVE_BYTES) == ("error", "it nests deeper than 200 levels")


spill_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
                 | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6))
spill_keys = st.text(max_size=4) | st.integers() | st.none() | st.booleans() | st.floats(allow_nan=False)
spill_values = st.recursive(spill_scalars, lambda kids: st.lists(kids, max_size=4)
                            | st.tuples(kids, kids) | st.dictionaries(spill_keys, kids, max_size=4)
                            | st.dictionaries(st.text(max_size=4), kids, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(value=spill_values, walk_depth=st.integers(min_value=0, max_value=4))
def test_piecewise_spill_text_equals_one_shot_dumps(value, walk_depth):
    joined = "".join(spill.iter_serialise(value, walk_depth))
    assert joined == spill.serialise(value)


def test_spill_writes_big_outputs_chunk_by_chunk_with_the_same_bytes(tmp_path):
    outputs = {"table": {"columns": ["a", "b"], "rows": [[i, f"ü{i}", math.inf, object()] for i in range(50_000)]}}
    text, path, size = spill.spill_if_large(outputs, tmp_path, 65_536)
    expected = spill.serialise(outputs).encode("utf-8")
    assert text is None and path is not None and path.read_bytes() == expected and size == len(expected)
    assert not list(tmp_path.glob("*.partial"))
    small = {"a": [1, 2.5, None, "x"]}
    assert spill.spill_if_large(small, tmp_path / "small", 65_536) == (spill.serialise(small), None,
                                                                      len(spill.serialise(small)))
    assert not (tmp_path / "small").exists()


def test_gc_pause_only_for_big_answers_and_restores_collection():
    import gc

    assert gc.isenabled()
    with safejson.gc_paused_for_big_answer(10):
        assert gc.isenabled()  # small answers: nothing changes
    frozen = gc.get_freeze_count()
    try:
        with safejson.gc_paused_for_big_answer(safejson.COOPERATIVE_BYTES + 1):
            assert not gc.isenabled()
            with safejson.gc_paused_for_big_answer(safejson.COOPERATIVE_BYTES + 1):
                kept = [[i] for i in range(1000)]
            assert not gc.isenabled()  # the outer pause is still on
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(kept)  # the new lists are out of the GC's walks
    finally:
        gc.unfreeze()
