"""Reference fixtures (`reference/fixture_*.json`, tool-contract §6): strict loading, running each
as `POST /run {run_id, inputs}` on the validator's process within a time budget, and comparing
every expected output with its type's comparator and effective tolerance."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pixie_desktop.manifest.model import ToolSpec
from pixie_desktop.validation.comparators import FAIL, PASS, SKIP, compare
from pixie_desktop.validation.tolerance import ToleranceConfig, ToleranceError, load_tolerance

FIXTURE_KEYS = {"name", "inputs", "expected_outputs", "source", "tolerance", "skip_reason", "tags",
                "validator_timeout_override"}
OVERALL_BUDGET_S = 60.0

# (path, body, timeout) -> (http status, body bytes); the validator passes its ToolClient.post_json.
PostJson = Callable[[str, dict, float], tuple[int, bytes]]


class FixtureError(ValueError):
    pass


@dataclass
class Fixture:
    file: str
    name: str
    inputs: dict[str, Any]
    expected_outputs: dict[str, Any]
    tolerance: dict[str, Any] = field(default_factory=dict)
    skip_reason: str | None = None
    tags: list[str] = field(default_factory=list)
    timeout_override: float | None = None
    source: Any = None


@dataclass
class FixtureResult:
    file: str
    name: str
    status: str  # pass | fail | skip | warn
    message: str
    outputs: dict[str, list[str]] = field(default_factory=dict)  # per-output-key messages
    inputs: dict[str, Any] | None = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "name": self.name, "status": self.status, "message": self.message,
                "outputs": self.outputs}


def fixture_files(reference_dir: Path) -> list[Path]:
    return sorted(reference_dir.glob("fixture_*.json")) if reference_dir.is_dir() else []


def load_fixture(path: Path, spec: ToolSpec) -> Fixture:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"{path.name}: cannot be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise FixtureError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path.name}: must be a JSON object")
    unknown = sorted(set(data) - FIXTURE_KEYS)
    if unknown:
        raise FixtureError(f"{path.name}: unknown key(s) {', '.join(unknown)}")
    for key in ("name", "inputs", "expected_outputs"):
        if key not in data:
            raise FixtureError(f"{path.name}: missing required key '{key}'")
    if not isinstance(data["inputs"], dict) or not isinstance(data["expected_outputs"], dict):
        raise FixtureError(f"{path.name}: inputs and expected_outputs must be objects")
    declared = {o.key for o in spec.outputs}
    undeclared = sorted(set(data["expected_outputs"]) - declared)
    if undeclared:
        raise FixtureError(f"{path.name}: expected_outputs names undeclared output(s) {', '.join(undeclared)}")
    tol = data.get("tolerance") or {}
    if not isinstance(tol, dict) or not all(isinstance(v, dict) for v in tol.values()):
        raise FixtureError(f"{path.name}: tolerance must map output keys to objects")
    timeout = data.get("validator_timeout_override")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise FixtureError(f"{path.name}: validator_timeout_override must be a positive number of seconds")
    tags = data.get("tags") or []
    return Fixture(path.name, str(data["name"]), data["inputs"], data["expected_outputs"], tol,
                   data.get("skip_reason"), [str(t) for t in tags] if isinstance(tags, list) else [],
                   float(timeout) if timeout else None, data.get("source"))


def compare_outputs(spec: ToolSpec, fixture: Fixture, actual: Any, cfg: ToleranceConfig) -> FixtureResult:
    """Compare one fixture's expectations with a live response (no I/O; unit-testable)."""
    res = FixtureResult(fixture.file, fixture.name, PASS, "", inputs=fixture.inputs, actual=actual)
    if not isinstance(actual, dict):
        res.status, res.message = FAIL, "the response is not a JSON object"
        return res
    fails: list[str] = []
    warns: list[str] = []
    skipped = 0
    types = {o.key: o.type for o in spec.outputs}
    for key, expected in fixture.expected_outputs.items():
        if key not in actual:
            policy = cfg.options["on_missing_expected_key"]
            msg = f"output '{key}' is missing from the response"
            if policy != "ignore":
                res.outputs[key] = [msg]
                (fails if policy == "fail" else warns).append(msg)
            continue
        tol = cfg.effective(types[key], key, fixture.tolerance)
        tol["_truncate"] = cfg.options["truncate_diff_chars"]
        verdict = compare(types[key], expected, actual[key], tol)
        if verdict.status == SKIP:
            skipped += 1
            res.outputs[key] = [f"skipped: {verdict.message}"]
        elif verdict.status == FAIL:
            msg = f"output '{key}' ({types[key]}): {verdict.message}"
            res.outputs[key] = [msg]
            fails.append(msg)
    # Outputs not covered by the fixture are fine (expectations may cover a subset); keys the
    # tool did not declare at all are what on_extra_output_key is about.
    undeclared = [k for k in actual if k not in types and k not in ("run_id", "id", "_pixie")]
    if undeclared and cfg.options["on_extra_output_key"] != "ignore":
        msg = f"undeclared output key(s) in the response: {', '.join(undeclared[:10])}"
        (fails if cfg.options["on_extra_output_key"] == "fail" else warns).append(msg)
    if fails:
        res.status, res.message = FAIL, "; ".join(fails)
    elif warns:
        res.status, res.message = "warn", "; ".join(warns)
    elif skipped and skipped == len(fixture.expected_outputs):
        res.status, res.message = SKIP, "every expected output is of a type that is not compared"
    else:
        res.message = f"{len(fixture.expected_outputs) - skipped} output(s) match"
    return res


@dataclass
class FixturesOutcome:
    status: str
    message: str
    results: list[FixtureResult]
    first_failure: FixtureResult | None = None

    @property
    def details(self) -> dict[str, Any]:
        return {"fixtures": [r.to_dict() for r in self.results]}


def run_fixtures(spec: ToolSpec, tool_dir: Path, post_json: PostJson, *, tag: str | None = None,
                 budget_s: float | None = None) -> FixturesOutcome:
    ref = tool_dir / "reference"
    files = fixture_files(ref)
    if not files:
        return FixturesOutcome(SKIP, "no reference fixtures (reference/fixture_*.json)", [])
    try:
        cfg = load_tolerance(ref)
    except ToleranceError as exc:
        return FixturesOutcome(FAIL, f"tolerance.yaml is invalid: {exc}", [])
    fixtures: list[Fixture] = []
    load_errors: list[FixtureResult] = []
    for path in files:
        try:
            fixtures.append(load_fixture(path, spec))
        except FixtureError as exc:
            load_errors.append(FixtureResult(path.name, path.stem, FAIL, str(exc)))
    if tag:
        fixtures = [f for f in fixtures if tag in f.tags]
    if not fixtures and not load_errors:
        return FixturesOutcome(SKIP, f"no fixture has the tag '{tag}'", [])
    budget = float(budget_s or spec.validator_timeout_override or OVERALL_BUDGET_S)
    start = time.monotonic()
    results = list(load_errors)
    for fx in fixtures:
        if fx.skip_reason:
            results.append(FixtureResult(fx.file, fx.name, SKIP, f"skipped: {fx.skip_reason}"))
            continue
        remaining = budget - (time.monotonic() - start)
        if remaining <= 0:
            results.append(FixtureResult(fx.file, fx.name, FAIL,
                                         f"not run: the {budget:g} s fixture budget was used up"))
            continue
        timeout = fx.timeout_override or spec.validator_timeout_override or spec.max_runtime_seconds + 5
        timeout = min(float(timeout), remaining)
        notes = input_notes(spec, fx.inputs)
        run_id = str(uuid.uuid4())
        try:
            status, body = post_json("/run", {"run_id": run_id, "inputs": fx.inputs}, timeout)
        except Exception as exc:  # noqa: BLE001 - any transport problem is this fixture's failure
            results.append(FixtureResult(fx.file, fx.name, FAIL, f"/run failed: {type(exc).__name__}: {exc}",
                                         inputs=fx.inputs))
            continue
        if status != 200:
            text = body[:300].decode("utf-8", "replace")
            results.append(FixtureResult(fx.file, fx.name, FAIL, f"/run returned HTTP {status}: {text}",
                                         inputs=fx.inputs))
            continue
        try:
            actual = json.loads(body)
        except ValueError:
            results.append(FixtureResult(fx.file, fx.name, FAIL, "/run did not return JSON", inputs=fx.inputs))
            continue
        if isinstance(actual, dict) and isinstance(actual.get("outputs"), dict) and \
                not set(fx.expected_outputs) & set(actual):
            actual = actual["outputs"]
        results.append(with_input_notes(compare_outputs(spec, fx, actual, cfg), notes))
    return summarise(results)


def input_notes(spec: ToolSpec, inputs: dict[str, Any]) -> list[str]:
    """What `pixie run` would say about these inputs (runtime/inputs.py, one rule for both):
    required inputs left out (run warns too) and inputs run refuses (named, with the reason)."""
    from pixie_desktop.runtime.inputs import InputError, check_inputs, input_warnings

    notes = [msg for _k, msg in input_warnings(spec, inputs)]
    try:
        check_inputs(spec, inputs)
    except InputError as exc:
        notes += [f"`pixie run` refuses this input: {msg}" for _k, msg in exc.problems]
    return notes


def with_input_notes(res: FixtureResult, notes: list[str]) -> FixtureResult:
    """A fixture that matched but whose inputs `run` warns about or refuses is a warning, not a
    clean pass, so `validate` never quietly accepts what `run` treats differently."""
    if not notes:
        return res
    text = "; ".join(notes)
    if res.status == PASS:
        res.status, res.message = "warn", text
    else:
        res.message = f"{res.message}; {text}" if res.message else text
    return res


def summarise(results: list[FixtureResult]) -> FixturesOutcome:
    fails = [r for r in results if r.status == FAIL]
    n = len(results)
    if fails:
        first = fails[0]
        msg = f"{len(fails)} of {n} fixture(s) failed — {first.file}: {first.message}"
        return FixturesOutcome(FAIL, msg, results, first)
    if results and all(r.status == SKIP for r in results):
        return FixturesOutcome("warn", f"all {n} fixture(s) were skipped", results)
    warns = [r for r in results if r.status == "warn"]
    if warns:
        return FixturesOutcome("warn", f"{n - len(warns)} of {n} fixture(s) clean; {warns[0].file}: "
                                       f"{warns[0].message}", results)
    passed = sum(1 for r in results if r.status == PASS)
    return FixturesOutcome(PASS, f"{passed} fixture(s) match" + (f", {n - passed} skipped" if n > passed else ""),
                           results)
