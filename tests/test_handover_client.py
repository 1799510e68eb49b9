"""The command line's side of the hand-over (integration/handover.py), against a scripted fake
app on the real socket path: every way the app can fail to take a run ends in a local run; a
taken run streams its events and result back; Ctrl+C sends a cancel; an app that goes away
mid-run is an error, not a hang. Qt-free."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from pixie_desktop.integration import handover
from pixie_desktop.integration.instance import server_name

TOOL = SimpleNamespace(tool_id="calc")


class FakeLocal:
    """Stands in for the command's own Runner."""

    def __init__(self):
        self.runs: list[str] = []
        self.cancelled: list[str] = []
        self.shut = False

    def run(self, tool, inputs, *, run_id=None, on_event=None, serialised=False, meta=None):
        self.runs.append(run_id)
        return SimpleNamespace(run_id=run_id, status="ok", outputs={"local": True}, error=None)

    def check_inputs(self, tool, inputs):
        return inputs

    def is_concurrent(self, tool):
        return True

    def cancel(self, run_id):
        self.cancelled.append(run_id)
        return True

    def shutdown(self):
        self.shut = True


class FakeApp:
    """A listening socket at the app's path; `script(conn, request)` plays the app's part."""

    def __init__(self, root, script):
        self.path = server_name(root)
        self.script = script
        self.requests: list[dict] = []
        self.connections = 0
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(8)
        self.srv.settimeout(0.2)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.srv.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            with conn:
                reader = conn.makefile("rb")
                request = json.loads(reader.readline())
                self.requests.append(request)
                try:
                    self.script(conn, reader, request)
                except OSError:
                    pass
                finally:
                    reader.close()  # the file object holds the socket open otherwise
                    try:
                        conn.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def close(self):
        self._stop.set()
        self.thread.join(5)
        self.srv.close()
        os.unlink(self.path)


def send(conn, obj):
    conn.sendall((json.dumps(obj) + "\n").encode())


@pytest.fixture
def fake_app(isolated_env):
    made = []

    def make(script):
        app = FakeApp(isolated_env["root"], script)
        made.append(app)
        return app

    yield make
    for app in made:
        app.close()


@pytest.fixture
def runner(isolated_env):
    return handover.HandoverRunner(FakeLocal(), isolated_env["root"])


def test_no_app_runs_locally(runner):
    res = runner.run(TOOL, {"a": 1}, run_id="r1")
    assert res.outputs == {"local": True} and runner.local.runs == ["r1"] and runner.handed_over == 0


def test_a_declined_run_runs_locally_and_later_ones_do_not_ask_again(runner, fake_app):
    app = fake_app(lambda conn, _r, _req: send(conn, {"kind": "declined", "reason": "unknown tool"}))
    runner.run(TOOL, {}, run_id="r1")
    runner.run(TOOL, {}, run_id="r2")
    assert runner.local.runs == ["r1", "r2"] and app.connections == 1
    assert app.requests[0]["tool_id"] == "calc" and app.requests[0]["protocol"] == handover.PROTOCOL


def test_an_older_app_that_only_knows_arguments_is_passed_over(runner, fake_app):
    fake_app(lambda conn, _r, _req: conn.sendall(b"error\n"))
    runner.run(TOOL, {}, run_id="r1")
    assert runner.local.runs == ["r1"]


def test_an_app_that_does_not_answer_in_time_is_passed_over(runner, fake_app, monkeypatch):
    monkeypatch.setattr(handover, "ACCEPT_TIMEOUT_S", 0.3)
    fake_app(lambda conn, _r, _req: time.sleep(1))
    runner.run(TOOL, {}, run_id="r1")
    assert runner.local.runs == ["r1"]


def test_inputs_too_large_run_locally_without_asking(runner, fake_app, monkeypatch):
    monkeypatch.setattr(handover, "MAX_REQUEST_BYTES", 100)
    app = fake_app(lambda conn, _r, _req: send(conn, {"kind": "accepted"}))
    runner.run(TOOL, {"text": "x" * 200}, run_id="r1")
    assert runner.local.runs == ["r1"] and app.connections == 0


def test_a_taken_run_streams_events_and_returns_the_result(runner, fake_app):
    def script(conn, _reader, req):
        send(conn, {"kind": "accepted"})
        send(conn, {"kind": "event", "event": {"kind": "stream", "key": "log", "value": "hello\n"}})
        send(conn, {"kind": "event", "event": {"kind": "progress", "fraction": 0.5, "message": "half"}})
        send(conn, {"kind": "done", "status": "ok", "outputs": {"result": 42}, "error": None, "duration_s": 0.25})

    app = fake_app(script)
    events = []
    res = runner.run(TOOL, {"a": 6}, run_id="00000000-0000-0000-0000-000000000001", on_event=events.append,
                     meta={"batch_id": "b1"})
    assert (res.status, res.outputs, res.duration_s, res.run_id) == ("ok", {"result": 42}, 0.25,
                                                                     "00000000-0000-0000-0000-000000000001")
    assert [(e.kind, e.value, e.fraction) for e in events] == [("stream", "hello\n", None), ("progress", None, 0.5)]
    assert runner.local.runs == [] and runner.handed_over == 1
    assert app.requests[0]["inputs"] == {"a": 6} and app.requests[0]["meta"] == {"batch_id": "b1"}
    assert abs(app.requests[0]["sent_at"] - time.time()) < 60


def test_cancel_reaches_the_app(runner, fake_app):
    def script(conn, reader, _req):
        send(conn, {"kind": "accepted"})
        line = json.loads(reader.readline())
        send(conn, {"kind": "done", "status": "cancelled" if line == {"kind": "cancel"} else "ok",
                    "outputs": None, "error": "cancelled", "duration_s": 1})

    fake_app(script)
    box = {}
    t = threading.Thread(target=lambda: box.update(res=runner.run(TOOL, {}, run_id="r1")))
    t.start()
    deadline = time.monotonic() + 20
    while "r1" not in runner._open and time.monotonic() < deadline:
        time.sleep(0.02)
    assert runner.cancel("r1") is True
    t.join(20)
    assert box["res"].status == "cancelled" and runner.local.cancelled == []


def test_an_app_closing_mid_run_is_an_error_not_a_hang(runner, fake_app):
    fake_app(lambda conn, _r, _req: send(conn, {"kind": "accepted"}))
    with pytest.raises(handover.HandoverFailed):
        runner.run(TOOL, {}, run_id="r1")
    assert runner.local.runs == []


def test_a_run_the_app_could_not_start_is_an_error(runner, fake_app):
    def script(conn, _r, _req):
        send(conn, {"kind": "accepted"})
        send(conn, {"kind": "failed", "error": "inputs are not valid"})

    fake_app(script)
    with pytest.raises(handover.HandoverFailed, match="inputs are not valid"):
        runner.run(TOOL, {}, run_id="r1")


def test_switches_for_a_local_run(monkeypatch):
    monkeypatch.delenv(handover.NO_HANDOVER_ENV, raising=False)
    assert not handover.disabled() and handover.disabled(no_app=True)
    monkeypatch.setenv(handover.NO_HANDOVER_ENV, "1")
    assert handover.disabled()


def test_a_stale_socket_file_is_no_app(runner, isolated_env):
    path = server_name(isolated_env["root"])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()  # bound, nobody listening: what a crashed app leaves
    try:
        assert handover.connect(isolated_env["root"]) is None
        runner.run(TOOL, {}, run_id="r1")
        assert runner.local.runs == ["r1"]
    finally:
        os.unlink(path)
