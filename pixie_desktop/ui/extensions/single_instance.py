"""The "single-instance" extension: listens for a second launch (ui/single_instance.py). The
second launch hands over its arguments and exits; this window comes to the front and opens the
files or tool folders it was given. (Whether this process is the first is decided by the app
before Qt starts: `integration.instance.claim`, which binds the socket at once. Given that Claim,
the server adopts its socket after the window's first paint, so QtNetwork is not on the start
path; launches that connect meanwhile wait in the backlog. Given a SingleInstance, it listens
now, as before.)

It also serves the command line's hand-over (integration/handover.py): `pixie-desktop run`
while the app is open sends the run here, `RunHandoverServer` submits it to the window's
RunController (warm pool, live in History and the sidebar, meta_json `via: "app"`) and streams
its events and result back on the same connection. A client that goes away cancels its run."""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

log = logging.getLogger(__name__)

# what the command line shows live; outputs come back once, with the result
FORWARDED_EVENTS = ("started", "stream", "status", "progress")


def _scalar_meta(raw: Any) -> dict:
    """The client's meta keys (a batch id) that are plain values; nothing else reaches the row."""
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items()
            if isinstance(k, str) and k != "via" and (v is None or isinstance(v, (str, int, float, bool)))}


def _same_path(a: Any, b: Any) -> bool:
    from pathlib import Path

    try:
        return b is not None and Path(a).resolve() == Path(b).resolve()
    except (OSError, ValueError, TypeError):
        return False


class RunHandoverServer:
    """Takes `{"kind": "run"}` requests from the command line and follows them to their end."""

    def __init__(self, controller: Any, tools: Callable[[], list], status: Callable[[str, int], None] | None = None):
        self.controller = controller
        self.tools = tools
        self.status = status
        self._conversations: dict[str, Any] = {}  # run id → its Conversation, until the run ends
        controller.runEvent.connect(self._on_event)
        controller.runFinished.connect(self._on_finished)
        controller.runFailed.connect(self._on_failed)

    def handle(self, conv: Any, msg: dict) -> None:
        def decline(reason: str) -> None:
            conv.send({"kind": "declined", "reason": reason})
            conv.close()

        from pixie_desktop.integration.handover import PROTOCOL, STALE_AFTER_S

        if msg.get("protocol") != PROTOCOL:
            return decline("unsupported protocol")
        sent_at = msg.get("sent_at")
        if not isinstance(sent_at, (int, float)) or abs(time.time() - sent_at) > STALE_AFTER_S:
            # read too late: the command has stopped waiting and runs it itself
            return decline("the request is stale")
        import uuid  # here: uuid imports platform, which the GUI start does not need

        try:
            run_id = str(uuid.UUID(str(msg.get("run_id"))))
        except ValueError:
            return decline("bad run id")
        inputs = msg.get("inputs")
        if not isinstance(inputs, dict):
            return decline("bad inputs")
        tool_id = msg.get("tool_id")
        # the app's own view of the tools folder; a tool it has not discovered yet runs in the CLI
        tool = next((t for t in self.tools() if getattr(t, "tool_id", None) == tool_id), None)
        if tool is None:
            return decline(f"the app does not know the tool {tool_id!r} yet")
        if msg.get("tool_path") and not _same_path(msg["tool_path"], getattr(tool, "path", None)):
            return decline(f"the app's tool {tool_id!r} is another folder")
        if run_id in self._conversations or self.controller.state(run_id) is not None:
            return decline("a run with this id exists")
        meta = _scalar_meta(msg.get("meta"))
        meta["via"] = "app"
        self._conversations[run_id] = conv
        try:
            self.controller.submit(tool, inputs, run_id=run_id, source="cli", meta=meta)
        except RuntimeError as exc:  # the controller has shut down (the app is closing)
            self._conversations.pop(run_id, None)
            return decline(str(exc))
        conv.send({"kind": "accepted", "run_id": run_id})
        conv.messageReceived.connect(lambda m, rid=run_id: self._on_client(rid, m))
        conv.closed.connect(lambda rid=run_id: self._on_closed(rid))
        log.info("run %s of %s handed over by the command line", run_id, tool_id)
        if self.status is not None:
            self.status(f"Running {getattr(tool, 'name', tool_id)} for the command line", 5000)

    # -- the client's later lines ----------------------------------------------------------------
    def _on_client(self, run_id: str, msg: dict) -> None:
        if msg.get("kind") == "cancel" and run_id in self._conversations:
            self.controller.cancel(run_id)

    def _on_closed(self, run_id: str) -> None:
        """The command line went away (killed, or the connection broke) before the run ended."""
        if self._conversations.pop(run_id, None) is not None and self.controller.is_active(run_id):
            log.info("run %s: its command line went away; cancelling it", run_id)
            self.controller.cancel(run_id)

    # -- the controller's signals ----------------------------------------------------------------
    def _on_event(self, run_id: str, ev: Any) -> None:
        conv = self._conversations.get(run_id)
        kind = getattr(ev, "kind", None)
        if conv is None or kind not in FORWARDED_EVENTS:
            return
        value = ev.value if isinstance(ev.value, str) else None
        conv.send({"kind": "event", "event": {"kind": kind, "key": ev.key, "value": value,
                                              "fraction": ev.fraction, "message": ev.message}})

    def _on_finished(self, run_id: str, _tool_id: str, result: Any) -> None:
        conv = self._conversations.pop(run_id, None)
        if conv is None:
            return
        conv.send({"kind": "done", "status": result.status, "outputs": result.outputs, "error": result.error,
                   "duration_s": result.duration_s, "spilled": bool(getattr(result, "spilled", False))})
        conv.close()

    def _on_failed(self, run_id: str, _tool_id: str, text: str) -> None:
        conv = self._conversations.pop(run_id, None)
        if conv is None:
            return
        conv.send({"kind": "failed", "error": text})
        conv.close()

    def shutdown(self) -> None:
        for sig, slot in ((self.controller.runEvent, self._on_event),
                          (self.controller.runFinished, self._on_finished),
                          (self.controller.runFailed, self._on_failed)):
            try:
                sig.disconnect(slot)
            except (RuntimeError, TypeError):  # the controller is already gone
                pass
        convs, self._conversations = list(self._conversations.values()), {}
        for conv in convs:
            conv.close()


class SingleInstanceExtension:
    name = "single-instance"

    def __init__(self, single: Any, open_paths: Callable[[list[str]], None]):
        self.single = single            # a SingleInstance that did not find a running app, or a Claim
        self.open_paths = open_paths    # the app's handling of command-line paths
        self.handover: RunHandoverServer | None = None
        self.claim: Any = None          # the Claim whose socket is adopted after the first paint

    def install(self, services: Any) -> None:
        if hasattr(self.single, "take_listener"):  # integration.instance.Claim: listen after the paint
            from pixie_desktop.ui.first_paint import after_first_paint

            self.claim, self.single = self.single, None
            after_first_paint(services.window, lambda: self._listen(services))
            return
        self._listen(services)

    def _listen(self, services: Any) -> None:
        from pixie_desktop.ui.single_instance import SingleInstance, activate_window

        listener = None
        if self.claim is not None:
            listener = self.claim.take_listener()
            if listener is None:  # shut down before the first paint
                return
            self.single = SingleInstance(self.claim.name)
        window = services.window

        def handover(message: dict) -> None:
            activate_window(window)
            args_in = message.get("args") if isinstance(message, dict) else None
            if isinstance(args_in, list):
                self.open_paths([str(a) for a in args_in])

        controller = getattr(window, "run_controller", None)
        if controller is not None and hasattr(self.single, "set_handler"):
            self.handover = RunHandoverServer(controller, services.tools, services.status)
            self.single.set_handler("run", self.handover.handle)
        self.single.start(handover, listener=listener)

    def shutdown(self) -> None:
        if self.claim is not None:
            self.claim.release()  # never adopted: close the socket, remove its file
        if self.handover is not None:
            self.single.set_handler("run", None)
            self.handover.shutdown()
            self.handover = None
        if self.single is not None:
            self.single.stop()
