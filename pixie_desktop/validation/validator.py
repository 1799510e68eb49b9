"""The validator: runs the tool contract's checks in order on one tool and returns a report dict.

Checks 1–9 stop at the first fail (the rest are listed as skipped so the report always shows
the full list); checks 10–11 run once 9 passed; `clean_shutdown` always runs while a spawned
process is alive; `timing` comes last. Every string in the report is redacted with the tool's
secret values. No Qt; safe to call from any thread (it opens no database connection)."""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pixie_desktop.catalog.discovery import ToolInfo, discovery_hash, venv_python
from pixie_desktop.manifest.parse import SpecError, coherence_problems, parse_tool_file
from pixie_desktop.store.db import now_iso
from pixie_desktop.validation import conformance, deps, fixtures, schema_diff
from pixie_desktop.validation.model import CHECK_NAMES, FAIL, PASS, SKIP, WARN, CheckList
from pixie_desktop.validation.samples import sample_body

log = logging.getLogger(__name__)

MAX_STORED_STRING = 4000  # long strings (data URLs) are shortened in stored reports


@dataclass
class ValidateOptions:
    health_timeout: float | None = None   # default: settings.spawn_timeout_seconds (30 s)
    sample_timeout: float | None = None   # default: validator_timeout_override or max_runtime+5
    stream_timeout: float = 10.0
    shutdown_grace: float = 5.0
    reference_only: bool = False          # skip checks 8–10, run the fixtures
    fixture_tag: str | None = None
    slow_spawn_ms: float = 3000.0         # `timing` warns above these
    slow_run_ms: float = 5000.0


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


class _Stop(Exception):
    """A check among 1–9 failed: finish the report early."""


def _redactor(tool: ToolInfo) -> Callable[[Any], Any]:
    try:
        from pixie_desktop.runtime.secrets import redact_obj, secret_values

        values = secret_values(tool)
    except Exception:  # noqa: BLE001 - runtime missing/unreadable .env: nothing to redact
        return lambda obj: obj
    return (lambda obj: redact_obj(obj, values)) if values else (lambda obj: obj)


def _shorten(obj: Any) -> Any:
    if isinstance(obj, str) and len(obj) > MAX_STORED_STRING:
        return obj[:MAX_STORED_STRING] + f"… ({len(obj)} characters)"
    if isinstance(obj, dict):
        return {k: _shorten(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_shorten(v) for v in obj]
    return obj


class _Run:
    """State of one validator pass."""

    def __init__(self, tool: ToolInfo, settings: Any, opts: ValidateOptions):
        self.tool, self.settings, self.opts = tool, settings, opts
        self.checks = CheckList()
        self.proc: Any = None
        self.client: Any = None
        self.sample_inputs: Any = None
        self.sample_output: Any = None
        self.spawn_log = ""
        self.spawn_ms: float | None = None
        self.run_ms: float | None = None
        self.shutdown_ms: float | None = None
        self.tool_id = tool.tool_id if tool.ok else tool.folder
        self.artefacts_tmp: Path | None = None
        self._spec = tool.spec
        self.sample_run_id: str | None = None

    # -- helpers ----------------------------------------------------------------------------
    def add(self, name: str, status: str, message: str, details: Any = None, *, stop: bool = True) -> None:
        self.checks.add(name, status, message, details)
        if status == FAIL and stop:
            raise _Stop()

    @property
    def spec(self):  # noqa: ANN201 - ToolSpec once check 2 passed
        return self._spec

    # -- checks 1–5: static ---------------------------------------------------------------
    def folder_structure(self) -> None:
        path = self.tool.path
        if not path.is_dir():
            self.add("folder_structure", FAIL, f"{path} is not a folder")
        missing: list[str] = []
        if not (path / "tool.json").is_file():
            missing.append("tool.json")
        entry = "main.py"
        try:
            raw = json.loads((path / "tool.json").read_text(encoding="utf-8"))
            if isinstance(raw, dict) and isinstance(raw.get("entrypoint"), str) and raw["entrypoint"]:
                entry = raw["entrypoint"]
        except (OSError, ValueError):  # unreadable tool.json is reported by its own check; assume main.py
            pass
        if not (path / entry).is_file():
            missing.append(entry)
        if missing:
            self.add("folder_structure", FAIL, f"missing {' and '.join(missing)} in {path.name}/",
                     {"missing": missing, "folder": str(path)})
        present = sorted(p.name for p in path.iterdir() if not p.name.startswith("."))[:40]
        note = "" if (path / "pyproject.toml").is_file() else " (no pyproject.toml: no dependencies declared)"
        exposed = non_loopback_binds(path / entry)
        if exposed:
            self.add("folder_structure", WARN,
                     f"{entry} binds {', '.join(exposed)}: a tool must listen on 127.0.0.1 only (anything "
                     "else lets other machines or local web pages drive it; tools without the Pixie SDK "
                     "rely on loopback binding alone)", {"files": present, "binds": exposed})
            return
        self.add("folder_structure", PASS, f"tool.json and {entry} present{note}", {"files": present})

    def tool_json_parses(self) -> None:
        try:
            spec = parse_tool_file(self.tool.path / "tool.json")
        except SpecError as exc:
            problems = [str(p) for p in exc.problems]
            first = problems[0] if problems else str(exc)
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            self.add("tool_json_parses", FAIL, f"{first}{more}", {"problems": problems})
            return
        if not self.tool.ok:  # parsed, but discovery refused it (unsafe or duplicate id)
            self.add("tool_json_parses", FAIL, self.tool.error or "tool.json was refused", {})
        self.tool_id = spec.id
        self._spec = spec
        self.add("tool_json_parses", PASS,
                 f"'{spec.name}' — {len(spec.inputs)} input(s), {len(spec.outputs)} output(s), layout {spec.layout}")

    def schemas_coherent(self) -> None:
        problems = coherence_problems(self.spec)
        if problems:
            self.add("schemas_coherent", FAIL, problems[0] + (f" (+{len(problems) - 1} more)" if len(problems) > 1
                                                             else ""), {"problems": problems})
        self.add("schemas_coherent", PASS, "input and output keys are unique; every show_if names an input")

    def dependencies(self) -> None:
        """Checks 4 and 5 share one interpreter probe."""
        py = deps.read_pyproject(self.tool.path)
        python = venv_python(self.tool.path)
        has_venv_dir = (self.tool.path / ".venv").is_dir()
        interpreter = python or Path(sys.executable)
        names = [r.name for r in py.requirements if r.applies and not r.direct]
        probe = deps.probe_interpreter(interpreter, names) if (python or names or not has_venv_dir) else None
        # -- 4 pyproject_ok
        if not py.exists:
            self.add("pyproject_ok", PASS, "no pyproject.toml — no dependencies declared; stdlib tools need none")
        elif py.error:
            self.add("pyproject_ok", FAIL, f"pyproject.toml {py.error}")
        else:
            direct = [r.raw for r in py.requirements if r.direct]
            if probe is None or not probe.ok:
                missing, wrong = [], []
                note = f"could not check: {probe.error if probe else 'no interpreter'}"
            else:
                missing = [r.raw for r in py.requirements if r.applies and not r.direct and not probe.dists.get(r.name)]
                wrong = [f"{r.raw} (installed {probe.dists[r.name]})" for r in py.requirements
                         if r.applies and not r.direct and probe.dists.get(r.name)
                         and not deps.version_ok(r, str(probe.dists[r.name]))]
                note = ""
            where = f"the tool's .venv ({interpreter})" if python else f"the app's interpreter ({interpreter})"
            details = {"declared": [r.raw for r in py.requirements], "interpreter": str(interpreter),
                       "installed": probe.dists if probe and probe.ok else {}}
            if missing or wrong:
                parts = []
                if missing:
                    parts.append(f"not installed for {where}: {', '.join(missing)}")
                if wrong:
                    parts.append(f"wrong version: {', '.join(wrong)}")
                hint = " — create the tool's .venv (e.g. `uv sync` in its folder)" if not python else \
                    " — run `uv sync` in the tool folder"
                self.add("pyproject_ok", FAIL, "; ".join(parts) + hint, details)
            elif direct or note:
                msg = note or f"{len(py.requirements)} dependenc{'y' if len(py.requirements) == 1 else 'ies'} " \
                              f"installed; cannot verify direct references: {', '.join(direct)}"
                self.add("pyproject_ok", WARN, msg, details)
            else:
                n = len(py.requirements)
                if n and python is None and not deps.needs_own_environment(py.requirements):
                    # a zero-setup tool naming the app's own dependencies (Qt, matplotlib…)
                    self.add("pyproject_ok", PASS, f"{n} declared dependenc{'y' if n == 1 else 'ies'}, provided by "
                             f"the app (zero setup): {', '.join(r.raw for r in py.requirements)}", details)
                else:
                    self.add("pyproject_ok", PASS, f"{n} declared dependenc{'y' if n == 1 else 'ies'}, all installed "
                             f"for {where}" if n else "pyproject.toml declares no dependencies", details)
        # -- 5 venv_exists
        if python is None and has_venv_dir:
            self.add("venv_exists", FAIL, ".venv exists but has no python interpreter (bin/python) — recreate it")
        elif probe is not None and not probe.ok:
            self.add("venv_exists", FAIL, probe.error or "the interpreter does not run")
        elif python is None:
            version = probe.version if probe else sys.version.split()[0]
            self.add("venv_exists", PASS, f"no .venv — uses the app's interpreter (Python {version})",
                     {"interpreter": sys.executable})
        else:
            self.add("venv_exists", PASS, f".venv Python {probe.version if probe else '?'}",
                     {"interpreter": str(python)})

    # -- checks 6–12: live -----------------------------------------------------------------
    def tool_spawns(self) -> None:
        from pixie_desktop.runtime.launcher import LauncherError, spawn

        timeout = self.opts.health_timeout
        if timeout is None:
            timeout = float(getattr(self.settings, "spawn_timeout_seconds", 30.0))
        t0 = time.perf_counter()
        # The sample run's files go to a temp root, never the user's artefacts: SDK tools derive
        # their artefact folder from PIXIE_ARTEFACTS_ROOT + tool id + run id themselves.
        if self.artefacts_tmp is None:
            self.artefacts_tmp = Path(tempfile.mkdtemp(prefix="pixie-validate-"))
        try:
            self.proc = spawn(self.tool, self.settings, extra_env={"PIXIE_VALIDATE": "true",
                                                                   "PIXIE_ARTEFACTS_ROOT": str(self.artefacts_tmp)},
                              entrypoint=self.spec.entrypoint, health_timeout=timeout)
        except LauncherError as exc:
            text = str(exc)
            head, _, tail = text.partition("\n--- stderr ---\n")
            self.spawn_log = tail
            self.add("tool_spawns", FAIL, head.strip(), {"stderr": tail} if tail else None)
        except OSError as exc:
            self.add("tool_spawns", FAIL, f"could not start the tool: {exc}")
        self.spawn_ms = (time.perf_counter() - t0) * 1000
        self.client = self.proc.client
        self.add("tool_spawns", PASS, f"healthy in {self.spawn_ms:.0f} ms (pid {self.proc.pid}, port {self.proc.port})",
                 {"spawn_ms": round(self.spawn_ms, 1)})

    def schema_matches_disk(self) -> None:
        try:
            status, body = self.client.get("/schema", timeout=5.0)
        except Exception as exc:  # noqa: BLE001 - transport errors are this check's failure
            self.add("schema_matches_disk", FAIL, f"GET /schema failed: {type(exc).__name__}: {exc}")
            return
        if status != 200:
            self.add("schema_matches_disk", FAIL, f"GET /schema returned HTTP {status}")
        try:
            live = json.loads(body)
        except ValueError:
            self.add("schema_matches_disk", FAIL, "GET /schema did not return JSON")
            return
        diffs = schema_diff.json_diffs(self.spec.raw, live)
        if diffs:
            shown = schema_diff.summarise(diffs)
            self.add("schema_matches_disk", FAIL,
                     f"/schema differs from tool.json in {len(diffs)} place(s): {diffs[0]} — serve the file verbatim",
                     {"diffs": shown})
        self.add("schema_matches_disk", PASS, "/schema is identical to tool.json")

    def sample_run(self) -> None:
        spec = self.spec
        run_id = f"validate-{uuid.uuid4()}"
        self.sample_run_id = run_id
        body = sample_body(spec, run_id)
        self.sample_inputs = body["inputs"]
        if self.artefacts_tmp is None:
            self.artefacts_tmp = Path(tempfile.mkdtemp(prefix="pixie-validate-"))
        run_folder = self.artefacts_tmp / self.tool_id / run_id
        run_folder.mkdir(parents=True, exist_ok=True)
        body["_pixie"] = {"run_id": run_id, "artefacts_dir": str(run_folder)}
        headers = {"X-Pixie-Run-Id": run_id, "X-Pixie-Artefacts-Dir": str(run_folder)}
        timeout = self.opts.sample_timeout or spec.validator_timeout_override or spec.max_runtime_seconds + 5
        t0 = time.perf_counter()
        try:
            status, raw = self.client.post_json("/run", body, headers=headers, timeout=float(timeout))
        except Exception as exc:  # noqa: BLE001
            self.run_ms = (time.perf_counter() - t0) * 1000
            kind = "timed out" if "timed out" in str(exc).lower() or isinstance(exc, TimeoutError) else "failed"
            self.add("sample_run_succeeds", FAIL, f"POST /run {kind} after {self.run_ms / 1000:.1f} s: "
                     f"{type(exc).__name__}: {exc}", {"stderr": self._stderr()})
            return
        self.run_ms = (time.perf_counter() - t0) * 1000
        if status != 200:
            text = raw[:500].decode("utf-8", "replace")
            self.add("sample_run_succeeds", FAIL, f"POST /run returned HTTP {status}: {text}",
                     {"stderr": self._stderr(), "inputs": self.sample_inputs})
        from pixie_desktop.runtime import safejson

        try:
            self.sample_output = safejson.loads(raw)
        except ValueError as exc:
            self.add("sample_run_succeeds", FAIL, f"POST /run did not return JSON the app accepts ({exc})",
                     {"body": raw[:500].decode("utf-8", "replace")})
        self.add("sample_run_succeeds", PASS, f"HTTP 200 with JSON in {_ms(self.run_ms)}",
                 {"run_ms": round(self.run_ms, 1)})

    def output_conforms(self) -> None:
        result = conformance.check_outputs(self.spec, self.sample_output)
        if not result.ok:
            first = result.problems[0]
            more = f" (+{len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
            self.add("output_conforms", FAIL, first + more, {"problems": result.problems,
                                                             "extra_keys": result.extra_keys})
        if result.extra_keys:
            self.add("output_conforms", WARN, f"undeclared key(s) in the response: {', '.join(result.extra_keys)}",
                     {"extra_keys": result.extra_keys})
            return
        self.add("output_conforms", PASS, f"all {len(self.spec.outputs)} output(s) present with the declared shapes")

    def streaming_check(self) -> None:
        from pixie_desktop.runtime.client import StreamHTTPError

        flagged = [o.key for o in self.spec.outputs if o.streaming]
        typed = [o.key for o in self.spec.outputs if o.type in ("stream_text", "log", "progress")]
        if not flagged and not typed:
            self.checks.add("streaming_check", SKIP, "no streaming outputs")
            return
        # The contract only requires /stream for streaming:true; type-triggered streaming is
        # what the host does anyway, so a problem there is a warning, not a fail.
        bad = FAIL if flagged else WARN
        out = self.sample_output if isinstance(self.sample_output, dict) else {}
        # The reference falls back to the literal "validator"; the id we sent is what a tool that
        # does not echo it will have filed its stream under.
        run_id = out.get("run_id") or out.get("id") or self.sample_run_id or "validator"
        t0 = time.perf_counter()
        try:
            stream = self.client.stream(f"/stream?run_id={run_id}", timeout=self.opts.stream_timeout)
        except StreamHTTPError as exc:
            self.checks.add("streaming_check", bad, f"GET /stream answered HTTP {exc.status}")
            return
        except Exception as exc:  # noqa: BLE001
            self.checks.add("streaming_check", bad, f"GET /stream failed: {type(exc).__name__}: {exc}")
            return
        try:
            first = next(iter(stream), None)
        except Exception as exc:  # noqa: BLE001 - read timeout
            self.checks.add("streaming_check", bad,
                            f"GET /stream sent nothing within {self.opts.stream_timeout:g} s ({type(exc).__name__})")
            return
        finally:
            stream.close()
        if first is None:
            self.checks.add("streaming_check", bad, "GET /stream closed without sending an event")
            return
        ms = (time.perf_counter() - t0) * 1000
        self.checks.add("streaming_check", PASS, f"first event '{first.event}' after {ms:.0f} ms",
                        {"event": first.event, "data": first.data[:200]})

    def reference_fixtures(self) -> None:
        def post(path: str, body: dict, timeout: float) -> tuple[int, bytes]:
            return self.client.post_json(path, body, timeout=timeout)

        outcome = fixtures.run_fixtures(self.spec, self.tool.path, post, tag=self.opts.fixture_tag)
        self.checks.add("reference_fixtures_match", outcome.status, outcome.message,
                        outcome.details if outcome.results else None)
        if outcome.first_failure is not None:
            self.sample_inputs = outcome.first_failure.inputs
            self.sample_output = outcome.first_failure.actual

    def clean_shutdown(self) -> None:
        proc = self.proc
        if proc is None:
            return
        self.spawn_log = self._stderr()
        if not proc.alive():
            code = proc.returncode
            proc.stop(grace=0)
            self.checks.add("clean_shutdown", WARN, f"the tool had already exited (code {code}) before shutdown")
            return
        t0 = time.perf_counter()
        code = proc.stop(grace=self.opts.shutdown_grace)
        self.shutdown_ms = (time.perf_counter() - t0) * 1000
        if code == -9 or self.shutdown_ms >= self.opts.shutdown_grace * 1000:
            self.checks.add("clean_shutdown", WARN, f"did not exit within {self.opts.shutdown_grace:g} s of "
                            "SIGTERM and was killed", {"exit_code": code})
        else:
            self.checks.add("clean_shutdown", PASS, f"exited {self.shutdown_ms:.0f} ms after SIGTERM",
                            {"exit_code": code, "shutdown_ms": round(self.shutdown_ms, 1)})

    def timing(self) -> None:
        if self.spawn_ms is None:
            self.checks.add("timing", SKIP, "the tool was not started")
            return
        details = {"spawn_ms": round(self.spawn_ms, 1),
                   "sample_run_ms": round(self.run_ms, 1) if self.run_ms is not None else None,
                   "shutdown_ms": round(self.shutdown_ms, 1) if self.shutdown_ms is not None else None}
        slow = []
        if self.spawn_ms > self.opts.slow_spawn_ms:
            slow.append(f"cold start {self.spawn_ms / 1000:.1f} s (over {self.opts.slow_spawn_ms / 1000:g} s)")
        if self.run_ms is not None and self.run_ms > self.opts.slow_run_ms:
            slow.append(f"sample run {self.run_ms / 1000:.1f} s (over {self.opts.slow_run_ms / 1000:g} s)")
        text = f"cold start {_ms(self.spawn_ms)}" + (f", sample run {_ms(self.run_ms)}" if self.run_ms is not None
                                                     else "")
        self.checks.add("timing", WARN if slow else PASS, ("slow: " + "; ".join(slow)) if slow else text, details)

    def _stderr(self) -> str:
        try:
            return self.proc.stderr_tail(8192) if self.proc is not None else self.spawn_log
        except Exception:  # noqa: BLE001
            return ""

    # -- orchestration ----------------------------------------------------------------------
    def execute(self) -> None:
        try:
            self.folder_structure()
            self.tool_json_parses()
            self.schemas_coherent()
            self.dependencies()
            self.tool_spawns()
            self.schema_matches_disk()
            if self.opts.reference_only:
                for name in ("sample_run_succeeds", "output_conforms", "streaming_check"):
                    self.checks.add(name, SKIP, "skipped: reference fixtures only")
            else:
                self.sample_run()
                self.output_conforms()
                self.streaming_check()
            self.reference_fixtures()
        except _Stop:  # a blocking check failed: the remaining checks are already marked skipped
            pass
        finally:
            try:
                self.clean_shutdown()
            finally:
                if self.proc is not None and self.proc.alive():
                    self.proc.stop(grace=0)
                if self.artefacts_tmp is not None:
                    shutil.rmtree(self.artefacts_tmp, ignore_errors=True)
        self.timing()
        for name in CHECK_NAMES:  # what an early stop left out, shown as not run
            if not self.checks.has(name):
                self.checks.add(name, SKIP, "not run: an earlier check failed")
        order = {n: i for i, n in enumerate(CHECK_NAMES)}
        self.checks.checks.sort(key=lambda c: order.get(c.name, len(order)))


_BIND = re.compile(r"""\bhost\s*=\s*(['"])([^'"]*)\1|\.bind\(\s*\(\s*(['"])([^'"]*)\3""", re.IGNORECASE)
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def non_loopback_binds(main_py: Path) -> list[str]:
    """Addresses other than loopback that the entrypoint's source binds (a static look at
    `host="…"` keyword arguments and `.bind(("…", port))` calls; e.g. uvicorn.run(host="0.0.0.0"))."""
    try:
        with open(main_py, "rb") as fh:
            text = fh.read(1024 * 1024).decode("utf-8", "replace")
    except OSError:
        return []
    found: list[str] = []
    for m in _BIND.finditer(text):
        addr = m.group(2) if m.group(2) is not None else m.group(4)
        if addr not in _LOOPBACK and not addr.startswith("127.") and addr not in found:
            found.append(addr or "'' (all interfaces)")
    return found


def validate_tool(tool: ToolInfo, settings: Any, options: ValidateOptions | None = None) -> dict[str, Any]:
    """Run every check on `tool` and return the report dict (never raises for tool faults)."""
    opts = options or ValidateOptions()
    t0 = time.perf_counter()
    started = now_iso()
    run = _Run(tool, settings, opts)
    try:
        run.execute()
    except Exception as exc:  # noqa: BLE001 - a validator bug must still yield a readable report
        run.checks.add("internal_error", FAIL, f"the validator itself failed: {type(exc).__name__}: {exc}")
        log.exception("the validator failed on %s", run.tool_id)  # a bug: keep its traceback
        if run.proc is not None and run.proc.alive():
            run.proc.stop(grace=0)
    report = {
        "tool_id": run.tool_id,
        "folder": tool.folder,
        "tool_path": str(tool.path),
        "timestamp": started,
        "overall": run.checks.overall,
        "checks": [c.to_dict() for c in run.checks.checks],
        "sample_inputs": run.sample_inputs,
        "sample_output": run.sample_output,
        "spawn_log": run.spawn_log,
        "discovery_hash": discovery_hash(tool.path),
        "duration_ms": round((time.perf_counter() - t0) * 1000, 1),
    }
    return _shorten(_redactor(tool)(report))


def tool_for_folder(folder: Path) -> ToolInfo:
    """A ToolInfo for a folder that discovery would skip (no tool.json), so the validator can
    still report what is missing."""
    from pixie_desktop.catalog.discovery import _load_one

    folder = Path(folder)
    digest = discovery_hash(folder)
    if (folder / "tool.json").is_file():
        return _load_one(folder, digest)
    return ToolInfo(folder.name, folder, folder.name, folder.name, None, "tool.json is missing", digest)
