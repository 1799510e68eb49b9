"""Issue 11, high 2: an SDK tool server answers only the app that started it. Any other local
process or web page (no token, a foreign Host, an Origin header, a text/plain POST) is refused,
and the artefact folder never comes from the request. Fixture: tests/fixtures/tools/sdk-probe."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import psutil
import pytest

from pixie_desktop.runtime.launcher import spawn


@pytest.fixture
def probe(ctx, install):
    install("sdk-probe")
    tool = ctx.find_tool("sdk-probe")
    proc = spawn(tool, ctx.settings)
    yield proc
    proc.stop(grace=2)


def _raw(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, (json.loads(data) if data else {})
    finally:
        conn.close()


def _ok_headers(proc) -> dict:
    return {"Host": f"127.0.0.1:{proc.port}", "X-Pixie-Token": proc.token}


def _run_body(run_id: str, evil: Path) -> bytes:
    return json.dumps({"run_id": run_id, "inputs": {"mode": "write"},
                       "_pixie": {"run_id": run_id, "artefacts_dir": str(evil)}}).encode()


def test_requests_without_the_launch_token_are_refused(probe):
    assert probe.token and len(probe.token) >= 32
    host = {"Host": f"127.0.0.1:{probe.port}"}
    assert _raw(probe.port, "GET", "/schema", host)[0] == 401
    assert _raw(probe.port, "GET", "/schema", {**host, "X-Pixie-Token": "guess"})[0] == 401
    body = _run_body("r1", Path("/tmp/nowhere"))
    status, answer = _raw(probe.port, "POST", "/run", {**host, "Content-Type": "application/json"}, body)
    assert status == 401 and "token" in answer["detail"].lower()
    assert _raw(probe.port, "GET", "/schema", _ok_headers(probe))[0] == 200


@pytest.mark.parametrize("host", ["evil.example:80", "192.168.1.5:{port}", "127.0.0.1:1", "", "localhost.evil.com:{port}"])
def test_a_foreign_host_header_is_refused(probe, host):
    headers = {**_ok_headers(probe), "Host": host.format(port=probe.port)}
    if not host:
        headers.pop("Host")
    assert _raw(probe.port, "GET", "/schema", headers)[0] == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_loopback_host_names_are_accepted(probe, host):
    assert _raw(probe.port, "GET", "/healthz", {**_ok_headers(probe), "Host": host.format(port=probe.port)})[0] == 200


def test_browser_style_requests_are_refused(probe, tmp_path):
    body = _run_body("r2", tmp_path / "evil")
    # a cross-origin "simple" POST: text/plain, Origin set
    status, _ = _raw(probe.port, "POST", "/run", {**_ok_headers(probe), "Content-Type": "text/plain"}, body)
    assert status == 415
    status, _ = _raw(probe.port, "POST", "/run", {**_ok_headers(probe), "Content-Type": "application/json",
                                                   "Origin": "https://evil.example"}, body)
    assert status == 403
    assert _raw(probe.port, "GET", "/schema", {**_ok_headers(probe), "Origin": "null"})[0] == 403
    assert not (tmp_path / "evil").exists()


def test_artefact_folder_is_derived_by_the_tool_not_named_by_the_request(ctx, probe, tmp_path):
    evil = tmp_path / "evil"
    headers = {**_ok_headers(probe), "Content-Type": "application/json", "X-Pixie-Artefacts-Dir": str(evil)}
    status, answer = _raw(probe.port, "POST", "/run", headers, _run_body("run-abc", evil))
    assert status == 200, answer
    expected = Path(ctx.settings.artefacts_root) / "sdk-probe" / "run-abc"
    assert answer["text"] == str(expected)
    assert (expected / "probe.txt").read_text() == "written by the probe"
    assert not evil.exists()


@pytest.mark.parametrize("run_id", ["../../escape", "a/b", ".hidden", "x" * 200, "a\\b"])
def test_unsafe_run_ids_are_refused(ctx, probe, run_id):
    headers = {**_ok_headers(probe), "Content-Type": "application/json"}
    body = json.dumps({"run_id": run_id, "inputs": {"mode": "write"}}).encode()
    status, answer = _raw(probe.port, "POST", "/run", headers, body)
    assert status == 400 and "run_id" in answer["detail"]
    root = Path(ctx.settings.artefacts_root)
    assert not any(p.name == "probe.txt" for p in root.parent.rglob("probe.txt"))


def test_token_travels_in_the_environment_only(ctx, install, runner):
    install("sdk-probe")
    tool = ctx.find_tool("sdk-probe")
    res = runner.run(tool, {"mode": "env"})
    assert res.status == "ok", res.error
    # the SDK takes the token out of os.environ: the handler (and its subprocesses) cannot see it
    assert res.outputs["text"] == "token hidden"
    proc = runner.pool.acquire(tool)
    try:
        assert proc.token not in " ".join(psutil.Process(proc.pid).cmdline())
        dump = "\n".join(str(tuple(r)) for t in ("runs", "tool_state")
                         for r in ctx.conn.execute(f"SELECT * FROM {t}").fetchall())
        assert proc.token not in dump
    finally:
        runner.pool.release(tool.tool_id, proc)


def test_host_runs_and_artefacts_still_work_through_the_runner(ctx, install, runner):
    install("sdk-probe")
    res = runner.run(ctx.find_tool("sdk-probe"), {"mode": "write"})
    assert res.status == "ok", res.error
    assert "probe.txt" in [a.filename for a in res.artefacts]


def test_validator_warns_when_a_tool_binds_all_interfaces(tmp_path):
    from pixie_desktop.validation.validator import non_loopback_binds

    main = tmp_path / "main.py"
    main.write_text('import uvicorn\nuvicorn.run(app, host="0.0.0.0", port=args.port)\n')
    assert non_loopback_binds(main) == ["0.0.0.0"]
    main.write_text('uvicorn.run(app, host="127.0.0.1", port=1)\ns.bind(("localhost", 0))\n')
    assert non_loopback_binds(main) == []
    main.write_text('s.bind(("", 8000))\n')
    assert non_loopback_binds(main) != []


def test_validate_reports_the_binding_warning(ctx, install, tools_dir):
    from pixie_desktop.validation.validator import ValidateOptions, validate_tool

    install("fastapi-echo")
    main = tools_dir / "fastapi-echo" / "main.py"
    main.write_text(main.read_text().replace('host="127.0.0.1"', 'host="0.0.0.0"'))
    from pixie_desktop.validation.validator import tool_for_folder

    rep = validate_tool(tool_for_folder(tools_dir / "fastapi-echo"), ctx.settings, ValidateOptions(health_timeout=0.1))
    check = next(c for c in rep["checks"] if c["name"] == "folder_structure")
    assert check["status"] == "warn" and "0.0.0.0" in check["message"]
