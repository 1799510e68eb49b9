"""`pixie-desktop run <tool> [--preset NAME] --input key=value … [--inputs-json FILE] [--json]`: run a tool
headless through the same Runner the GUI uses — or, when the app is open on the same data dir, in
the app itself (integration/handover.py: warm, live in its window; `--no-app` runs it here). `key=@path` reads a file (sent as a data URL for
file/image/audio inputs, as text otherwise). Exit code 0 only when the run ends `ok`; Ctrl+C
cancels the run cleanly (exit 130)."""

from __future__ import annotations

import argparse
import base64
import json
import sys
import threading
from pathlib import Path
from typing import Any

from pixie_desktop.commands._common import clean, context, find_tool_or_say, print_json, print_table

MAX_FILE_INPUT_BYTES = 256 * 1024 * 1024  # key=@file: checked before reading (a data URL is ~4/3 of it)
MAX_INPUTS_JSON_BYTES = 64 * 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a tool once and print its outputs")
    p.add_argument("tool", help="tool id or folder name")
    p.add_argument("-i", "--input", action="append", default=[], metavar="KEY=VALUE",
                   help="an input value (repeatable); KEY=@path reads a file")
    p.add_argument("--inputs-json", metavar="FILE", help="a JSON object of inputs ('-' for stdin)")
    p.add_argument("--preset", metavar="NAME", help="start from a saved preset (--input values override it)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object {run_id, status, outputs, error, duration_s, artefacts}")
    p.add_argument("--quiet", "-q", action="store_true", help="no live progress on stderr")
    add_no_app_argument(p)
    p.set_defaults(handler=run)


def add_no_app_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-app", action="store_true",
                   help="run here even when Pixie Desktop is open (by default the open app runs it, "
                        "warm and shown live in its window; also PIXIE_NO_HANDOVER=1)")


def cli_runner(settings: Any, ns: argparse.Namespace) -> Any:
    """The runner a command uses: hands each run to the open app when there is one (and the user
    did not say --no-app), else runs it in this process exactly as before."""
    from pixie_desktop.integration import handover
    from pixie_desktop.runtime.runner import Runner

    local = Runner(settings)
    if handover.disabled(getattr(ns, "no_app", False)):
        return local
    return handover.HandoverRunner(local, settings.root)


def file_to_data_url(path: Path) -> str:
    from pixie_desktop.artefacts.storage import guess_mime

    data = path.read_bytes()
    from pixie_desktop.artefacts.input_blobs import with_name

    # the name is recorded with the run (search, reports); the tool receives the plain data URL
    return with_name(f"data:{guess_mime(path.name)};base64,{base64.b64encode(data).decode('ascii')}", path.name)


def _check_size(path: Path, limit: int, what: str) -> None:
    """Refuse a file bigger than `limit` before reading a byte of it."""
    size = path.stat().st_size
    if size > limit:
        raise ValueError(f"{what}: {path} is {size / (1024 * 1024):.1f} MB, the limit is "
                         f"{limit // (1024 * 1024)} MB")


def build_inputs(tool: Any, pairs: list[str], inputs_json: str | None) -> dict[str, Any]:
    """Inputs from --inputs-json then --input pairs (later wins); raises ValueError."""
    from pixie_desktop.runtime import safejson

    inputs: dict[str, Any] = {}
    if inputs_json:
        if inputs_json == "-":
            raw = sys.stdin.buffer.read(MAX_INPUTS_JSON_BYTES + 1)
        else:
            _check_size(Path(inputs_json), MAX_INPUTS_JSON_BYTES, "--inputs-json")
            with open(inputs_json, "rb") as fh:
                raw = fh.read(MAX_INPUTS_JSON_BYTES + 1)
        if len(raw) > MAX_INPUTS_JSON_BYTES:
            raise ValueError(f"--inputs-json is larger than {MAX_INPUTS_JSON_BYTES // (1024 * 1024)} MB")
        try:
            data = safejson.loads(raw)
        except safejson.UntrustedJSONError as exc:
            raise ValueError(f"--inputs-json is not usable JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("--inputs-json must hold a JSON object")
        inputs.update(data)
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"--input expects KEY=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        key = key.strip()
        spec = tool.spec.input(key) if tool.spec else None
        if value.startswith("@"):
            path = Path(value[1:]).expanduser()
            if not path.is_file():
                raise ValueError(f"{key}: no such file {path}")
            _check_size(path, MAX_FILE_INPUT_BYTES, key)
            if spec is not None and spec.type in ("file", "image", "audio"):
                url = file_to_data_url(path)
                if spec.multiple:
                    inputs.setdefault(key, [])
                    if not isinstance(inputs[key], list):
                        inputs[key] = [inputs[key]]
                    inputs[key].append(url)
                    continue
                inputs[key] = url
            else:
                inputs[key] = path.read_text(encoding="utf-8", errors="replace")
            continue
        inputs[key] = value
    return inputs


def _artefact_dict(settings: Any, a: Any) -> dict[str, Any]:
    return {"id": a.id, "output_key": a.output_key, "filename": a.filename, "mime": a.mime,
            "size_bytes": a.size_bytes, "sha256": a.sha256, "rel_path": a.rel_path,
            "path": str(Path(settings.artefacts_root) / a.rel_path)}


def _short(value: Any, n: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= n else text[: n - 1] + "…"


def print_outputs(tool: Any, outputs: dict[str, Any]) -> None:
    specs = {o.key: o for o in tool.spec.outputs} if tool.spec else {}
    keys = list(specs) + [k for k in outputs if k not in specs]
    for key in keys:
        if key not in outputs:
            continue
        value = outputs[key]
        spec = specs.get(key)
        label = clean(spec.label if spec else key)
        kind = spec.type if spec else ""
        if isinstance(value, dict) and set(value) <= {"value", "message"} and "value" in value:
            value = value["value"] if kind != "progress" else value
        if kind == "table" and isinstance(value, dict) and isinstance(value.get("rows"), list):
            cols = [c.get("key") for c in (value.get("columns") or [])] or \
                (list(value["rows"][0]) if value["rows"] and isinstance(value["rows"][0], dict) else [])
            print(f"{label}:")
            print_table(cols, [[r.get(c) if isinstance(r, dict) else r for c in cols] for r in value["rows"]])
        elif kind == "kv" and isinstance(value, dict) and isinstance(value.get("pairs"), dict):
            print(f"{label}:")
            for k, v in value["pairs"].items():
                print(f"  {clean(k)}: {clean(v)}")
        elif kind == "log" and isinstance(value, dict) and isinstance(value.get("lines"), list):
            print(f"{label}:")
            for line in value["lines"]:
                msg = line.get("message") if isinstance(line, dict) else line
                lvl = line.get("level", "info") if isinstance(line, dict) else "info"
                print(f"  [{clean(lvl)}] {clean(msg)}")
        elif kind == "progress" and isinstance(value, dict):
            frac = value.get("value")
            print(f"{label}: {'' if frac is None else f'{frac * 100:.0f}%'} {clean(value.get('message') or '')}".rstrip())
        elif isinstance(value, str) and "\n" in value:
            print(f"{label}:")
            for line in value.rstrip("\n").split("\n"):
                print(f"  {clean(line)}")
        else:
            shown = _short(value) if not isinstance(value, (int, float, str)) or isinstance(value, bool) else value
            print(f"{label}: {clean(shown)}")


def run(ns: argparse.Namespace) -> int:
    from pixie_desktop.runtime.runner import InputError, RunEvent, load_outputs
    from pixie_desktop.queries import artefacts as artefact_queries
    from pixie_desktop.queries import runs as run_queries

    ctx = context()
    runner = None
    try:
        tool = find_tool_or_say(ctx, ns.tool)
        if tool is None:
            return 2
        try:
            inputs = build_inputs(tool, ns.input, ns.inputs_json)
            if getattr(ns, "preset", None):
                from pixie_desktop.queries import presets as preset_queries

                inputs = preset_queries.merged_inputs(ctx.conn, tool.tool_id, ns.preset, inputs)
        except (OSError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        runner = cli_runner(ctx.settings, ns)
        try:
            runner.check_inputs(tool, inputs)
        except InputError as exc:
            print("error: the inputs are not valid:", file=sys.stderr)
            for key, msg in exc.problems:
                print(f"  - {msg if not key or msg.startswith(repr(key)) else msg}", file=sys.stderr)
            return 2
        from pixie_desktop.runtime.inputs import input_warnings

        for _key, msg in input_warnings(tool.spec, inputs):  # the same warning `validate` gives fixtures
            print(f"warning: {msg}", file=sys.stderr)
        import uuid

        run_id = str(uuid.uuid4())
        live = not ns.json and not ns.quiet
        state = {"stream_open": False}

        def on_event(ev: RunEvent) -> None:
            if not live:
                return
            if ev.kind == "stream" and isinstance(ev.value, str):
                sys.stderr.write(clean(ev.value))
                state["stream_open"] = not ev.value.endswith("\n")
            elif ev.kind == "progress" and ev.fraction is not None:
                if state["stream_open"]:
                    sys.stderr.write("\n")
                    state["stream_open"] = False
            elif ev.kind == "status" and ev.message in ("starting the tool…",):
                sys.stderr.write(f"{ev.message}\n")
            sys.stderr.flush()

        holder: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                holder["result"] = runner.run(tool, inputs, run_id=run_id, on_event=on_event)
            except BaseException as exc:  # noqa: BLE001 - reported below
                holder["exc"] = exc
            finally:
                done.set()

        thread = threading.Thread(target=work, name="pixie-cli-run", daemon=True)
        thread.start()
        cancelled = False
        # An Event, not Thread.join: a Ctrl+C inside join() can corrupt the thread's alive state.
        while not done.is_set():
            try:
                done.wait(0.2)
            except KeyboardInterrupt:
                if not cancelled:
                    cancelled = True
                    print("\ncancelling… (the tool gets a moment to stop)", file=sys.stderr)
                    runner.cancel(run_id)
        if "exc" in holder:
            print(f"error: {clean(holder['exc'])}", file=sys.stderr)
            return 1
        result = holder["result"]
        rec = run_queries.get_run(ctx.conn, run_id)
        outputs = load_outputs(ctx.conn, ctx.settings, rec) if rec else result.outputs
        arts = artefact_queries.for_run(ctx.conn, run_id)
        if ns.json:
            print_json({"run_id": run_id, "tool_id": tool.tool_id, "status": result.status, "outputs": outputs,
                        "error": result.error, "duration_s": result.duration_s, "spilled": result.spilled,
                        "artefacts": [_artefact_dict(ctx.settings, a) for a in arts]})
        else:
            if state["stream_open"]:
                sys.stderr.write("\n")
            if outputs:
                print_outputs(tool, outputs)
            if arts:
                print("Artefacts:")
                for a in arts:
                    print(clean(f"  {Path(ctx.settings.artefacts_root) / a.rel_path}  ({a.mime}, {a.size_bytes} bytes)"))
            if result.status == "error":
                print(f"error: {clean(result.error)}", file=sys.stderr)
            elif result.status == "cancelled":
                print("cancelled", file=sys.stderr)
            print(f"{result.status} in {result.duration_s:.2f} s  (run {run_id})", file=sys.stderr)
        return 0 if result.status == "ok" else (130 if result.status == "cancelled" else 1)
    finally:
        if runner is not None:
            runner.shutdown()
        ctx.close()
