"""Spawning one tool server: `python <entrypoint> --port N` in the tool folder, with the tool's
own `.venv` interpreter when it has one (else the app's interpreter), a scrubbed environment plus
the tool's `.env`, its own process group, stderr captured into a bounded ring buffer, and a wait
for `GET /healthz` == 200.

Each spawn gets a random token (`PIXIE_TOKEN` in the child's environment only: never argv, the
database or a log line) that the host client sends as `X-Pixie-Token` on every request; SDK
tools refuse requests without it, so no other local process or web page can drive them.

Readiness: `GET /healthz` is polled, but an SDK tool also says "listening" through a pipe whose
write end it inherits (`PIXIE_READY_FD`), so the wait ends as soon as it can answer instead of
at the next poll; tools that ignore the pipe (FastAPI, anything else) are simply polled.

Limits are NOT applied as rlimits here (the reference's lifetime RLIMIT_CPU killed busy warm
tools and RLIMIT_AS broke BLAS/torch): the runner enforces max_runtime_seconds per run with a
timer and max_memory_mb with an RSS watchdog (`ToolProcess.rss_mb`)."""

from __future__ import annotations

import http.client
import os
import secrets as _secrets
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable

from pixie_desktop.runtime import proctree
from pixie_desktop.runtime.secrets import longest_variant, read_env, redact_then_cut, secret_values
from pixie_desktop.catalog.discovery import ToolInfo, venv_python
from pixie_desktop.frozen import python_command

STDERR_RING_BYTES = 64 * 1024
ENV_ALLOW = ("PATH", "HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "SYSTEMROOT", "SYSTEMDRIVE",
             "TEMP", "TMP", "TMPDIR", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONHOME")
MAIN_GUARD_HINT = ("the tool exited with code 0 right after starting: does main.py start its server "
                   "under `if __name__ == \"__main__\":` (e.g. tool.serve() / uvicorn.run(app, port=…))?")


class LauncherError(Exception):
    """A tool could not be started (or stopped being reachable); the message is readable and
    includes the redacted tail of its stderr when there is one."""


class SpawnTimeout(LauncherError):
    """The tool did not answer /healthz within the spawn timeout (the process was killed)."""


def interpreter_for(tool: ToolInfo) -> Path:
    """The tool's `.venv` python when present, otherwise the app's own interpreter."""
    return venv_python(tool.path) or Path(sys.executable)


def python_argv(tool: ToolInfo) -> list[str]:
    """The argv prefix that runs the tool's Python: its `.venv` interpreter, else the app's own —
    which in the frozen (PyInstaller) app is the executable's hidden mode (pixie_desktop/frozen.py)."""
    own = venv_python(tool.path)
    return [str(own)] if own else python_command()


TOKEN_ENV = "PIXIE_TOKEN"
READY_FD_ENV = "PIXIE_READY_FD"  # an SDK tool writes one byte there once it listens
TOKEN_HEADER = "X-Pixie-Token"


def new_token() -> str:
    """A fresh per-spawn token (256 bits, URL-safe)."""
    return _secrets.token_urlsafe(32)


def tool_env(tool: ToolInfo, settings: Any, extra_env: dict[str, str] | None = None,
             token: str | None = None) -> dict[str, str]:
    """The child's environment: allow-listed parent variables, then the tool's .env (which may
    override them), then the Pixie variables and `extra_env`; the launch token last so that
    nothing can replace it."""
    env = {k: os.environ[k] for k in ENV_ALLOW if k in os.environ}
    env.update(read_env(tool.path))
    env["PYTHONUNBUFFERED"] = "1"
    root = Path(settings.artefacts_root)
    try:
        cache = Path(settings.cache_dir) / "pyc" / tool.tool_id
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    except Exception:  # noqa: BLE001 - settings without a cache dir: just don't write bytecode
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PIXIE_ARTEFACTS_ROOT"] = str(root)
    env["PIXIE_TOOL_ID"] = tool.tool_id
    if extra_env:
        env.update({str(k): str(v) for k, v in extra_env.items()})
    env.pop(TOKEN_ENV, None)
    if token:
        env[TOKEN_ENV] = token
    return env


def _parent_death_hook() -> Callable[[], None] | None:
    """A preexec_fn that asks Linux to SIGKILL the tool when the app dies (PR_SET_PDEATHSIG), so
    a crashed or SIGKILLed app leaves no tool server behind. libc and prctl are resolved here, in
    the parent, so the child does no imports or dlopen between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1
    sigkill = int(signal.SIGKILL)

    def hook() -> None:
        prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)
        if os.getppid() != parent:  # the app died between fork and prctl
            os._exit(1)

    return hook


class _Spawner:
    """Runs every Popen on ONE long-lived daemon thread. PR_SET_PDEATHSIG fires when the *thread*
    that forked the child ends, not the process; spawning from a pool worker thread (which Qt
    retires after 30 s idle) would kill warm tools for no reason. This thread lives as long as
    the app, so the signal fires exactly when the app process dies."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[tuple[Callable[[], Any], Future]] = []
        self._ready = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                fn, fut = self._queue.pop(0)
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                fut.set_exception(exc)

    def call(self, fn: Callable[[], Any]) -> Any:
        fut: Future = Future()
        with self._ready:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="pixie-spawner", daemon=True)
                self._thread.start()
            self._queue.append((fn, fut))
            self._ready.notify()
        return fut.result()


_SPAWNER = _Spawner()


def popen_tool(argv: list[str], **kwargs: Any) -> subprocess.Popen:
    """subprocess.Popen for a tool server: own session/process group and, on Linux, killed by
    the kernel if the app process dies (see _Spawner for why it runs on a dedicated thread)."""
    hook = _parent_death_hook()
    if hook is None:
        return subprocess.Popen(argv, **kwargs)
    return _SPAWNER.call(lambda: subprocess.Popen(argv, preexec_fn=hook, **kwargs))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Ring:
    """Bounded byte buffer fed by a pump thread; `written` counts every byte ever appended so a
    caller can take a mark and later read only what arrived after it."""

    def __init__(self, limit: int = STDERR_RING_BYTES):
        self.limit = limit
        self.buf = bytearray()
        self.written = 0
        self.lock = threading.Lock()

    def append(self, data: bytes) -> None:
        with self.lock:
            self.buf += data
            self.written += len(data)
            if len(self.buf) > self.limit:
                del self.buf[: len(self.buf) - self.limit]

    def since(self, mark: int, max_bytes: int) -> bytes:
        with self.lock:
            new = self.written - mark
            if new <= 0:
                return b""
            data = bytes(self.buf[-min(new, len(self.buf)):])
        return data[-max_bytes:]

    def tail(self, max_bytes: int) -> bytes:
        with self.lock:
            return bytes(self.buf[-max_bytes:])


class ToolProcess:
    """One running tool server."""

    def __init__(self, tool: ToolInfo, popen: subprocess.Popen, port: int, secrets: list[str],
                 token: str | None = None):
        self.tool = tool
        self.tool_id = tool.tool_id
        self.popen = popen
        self.pid = popen.pid
        self.port = port
        self.started_at = time.time()
        self.stop_reason: str | None = None  # why the host stopped it (shown to other runs)
        self.token = token
        # the token is redacted like a secret: a tool printing its environment must not put it
        # into an error message (and from there into the database)
        self._secrets = sorted({*secrets, *([token] if token else [])}, key=len, reverse=True)
        self._ring = _Ring()
        self._client: Any = None
        self._stop_lock = threading.Lock()
        self._stderr_lock = threading.Lock()
        self._pump_stop = threading.Event()
        self._pump = threading.Thread(target=self._pump_stderr, name=f"stderr-{tool.tool_id}", daemon=True)
        self._pump.start()

    # -- stderr ---------------------------------------------------------------------------
    def _pump_stderr(self) -> None:
        stream = self.popen.stderr
        if stream is None:
            return
        try:
            fd = stream.fileno()
            while not self._pump_stop.is_set():
                ready, _, _ = select.select([fd], [], [], 0.5)
                if ready and not self._read_stderr_chunk(fd):
                    return  # EOF: the tool and every child holding its stderr are gone
            # stopped while something still holds the pipe: keep what was already written
            while select.select([fd], [], [], 0)[0] and self._read_stderr_chunk(fd):
                pass
        except (OSError, ValueError):  # the pipe was closed by stop(): nothing more to read
            pass

    def _read_stderr_chunk(self, fd: int) -> bool:
        """Read what the pipe holds into the ring (under the lock `stderr_mark` takes, so a mark
        never falls between a read and its append). False at end of file."""
        with self._stderr_lock:
            # Both the pump and stderr_mark select() before calling here; whichever comes second
            # may find the pipe already drained by the first, and a blocking read would then
            # hang (a run stuck in stderr_mark while the tool is alive and quiet). Re-check under
            # the lock.
            if not select.select([fd], [], [], 0)[0]:
                return True
            chunk = os.read(fd, 65536)
            if chunk:
                self._ring.append(chunk)
            return bool(chunk)

    def stderr_mark(self) -> int:
        """A position in the stderr stream; pass it to `stderr_since` to get only newer output.
        Whatever the tool already wrote is drained into the ring first, so a previous run's late
        lines (still in the pipe because the pump thread had not been scheduled) never count as
        this run's."""
        stream = self.popen.stderr
        try:
            fd = stream.fileno() if stream is not None else -1
            while fd >= 0 and select.select([fd], [], [], 0)[0]:
                if not self._read_stderr_chunk(fd):
                    break
        except (OSError, ValueError):  # closed pipe: the ring already holds everything
            pass
        return self._ring.written

    def stderr_since(self, mark: int, max_bytes: int = 8192) -> str:
        # read a little more than shown and redact *before* cutting, so a secret straddling the
        # cut is masked whole instead of leaving its second half in the excerpt
        extra = longest_variant(self._secrets)
        text = self._ring.since(mark, max_bytes + extra).decode("utf-8", "replace")
        return redact_then_cut(text, self._secrets, max_bytes, keep="tail")

    def stderr_tail(self, max_bytes: int = 8192) -> str:
        """The last `max_bytes` of stderr, secrets redacted (before cutting)."""
        extra = longest_variant(self._secrets)
        text = self._ring.tail(max_bytes + extra).decode("utf-8", "replace")
        return redact_then_cut(text, self._secrets, max_bytes, keep="tail")

    # -- state ----------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    @property
    def client(self):
        """A keep-alive ToolClient for this process (created on first use)."""
        if self._client is None:
            from pixie_desktop.runtime.client import ToolClient

            self._client = ToolClient(self.port, token=self.token)
        return self._client

    def rss_mb(self) -> float | None:
        """Resident memory of the process tree in MiB (None if psutil cannot tell)."""
        try:
            import psutil

            proc = psutil.Process(self.pid)
            total = proc.memory_info().rss
            for child in proc.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:  # the child exited between listing and measuring
                    pass
            return total / (1024 * 1024)
        except Exception:  # noqa: BLE001 - best effort
            return None

    def stop(self, grace: float = 5.0, reason: str | None = None) -> int | None:
        """SIGTERM to the whole process group, wait `grace`, then SIGKILL; returns the exit code.
        Safe to call twice and from several threads."""
        with self._stop_lock:
            if reason and not self.stop_reason:
                self.stop_reason = reason
            tree = getattr(self, "tree", None)  # proctree.ProcessTree, set by spawn()
            if tree is not None:
                tree.snapshot()
            if self.popen.poll() is None:
                self._signal(soft=True)
                try:
                    self.popen.wait(timeout=max(0.0, grace))
                except subprocess.TimeoutExpired:  # ignored the polite signal: killed next
                    pass
            # Kill the group even when the leader is gone: grandchildren must not outlive it.
            self._signal(soft=False)
            if tree is not None:
                tree.stop_escaped()  # new sessions / double forks left the group
            try:
                self.popen.wait(timeout=2.0)
            except subprocess.TimeoutExpired:  # unkillable (D state): poll() below reports it
                pass
            if self._client is not None:
                self._client.close()
            # the pump polls (select, 0.5 s), so it sees this flag even when a process that escaped
            # the stop still holds the pipe open; only then is the pipe closed
            self._pump_stop.set()
            self._pump.join(timeout=2.0)
            if self.popen.stderr is not None and not self._pump.is_alive():
                try:
                    self.popen.stderr.close()
                except OSError:  # already closed: nothing left to release
                    pass
            return self.popen.poll()

    def _signal(self, soft: bool) -> None:
        if os.name == "posix":
            try:
                os.killpg(self.pid, signal.SIGTERM if soft else signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                if self.popen.poll() is None:
                    try:
                        self.popen.terminate() if soft else self.popen.kill()
                    except OSError:  # already exited
                        pass
        else:  # pragma: no cover - Windows
            try:
                if soft:
                    self.popen.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
                else:
                    self.popen.kill()
            except OSError:  # already exited
                pass

    def __repr__(self) -> str:
        return f"<ToolProcess {self.tool_id} pid={self.pid} port={self.port} alive={self.alive()}>"


def _healthy(port: int, timeout: float, token: str | None = None) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={TOKEN_HEADER: token} if token else {})
        resp = conn.getresponse()
        resp.read()
        return resp.status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def spawn(tool: ToolInfo, settings: Any, *, extra_env: dict | None = None, entrypoint: str | None = None,
          health_timeout: float | None = None) -> ToolProcess:
    """Start the tool and block until GET /healthz answers 200. Raises LauncherError (or
    SpawnTimeout) with a readable message; the process is never left running on failure."""
    python = interpreter_for(tool)
    if not python.exists():
        raise LauncherError(f"tool '{tool.tool_id}': interpreter {python} does not exist "
                            "(recreate the tool's .venv, e.g. `uv sync` in its folder)")
    entry = entrypoint or (tool.spec.entrypoint if tool.spec else None) or "main.py"
    if not (tool.path / entry).is_file():
        raise LauncherError(f"tool '{tool.tool_id}': entrypoint {entry} not found in {tool.path}")
    port = free_port()
    token = new_token()
    env = tool_env(tool, settings, extra_env, token=token)
    env[proctree.SPAWN_ENV] = spawn_id = proctree.new_spawn_id()  # finds escaped descendants (proctree)
    secrets = secret_values(tool)
    kwargs: dict[str, Any] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True  # own process group; NOT also setsid() in preexec (EPERM)
    else:  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    ready_r: int | None = None
    if os.name == "posix":
        ready_r, ready_w = os.pipe()
        env[READY_FD_ENV] = str(ready_w)
        kwargs["pass_fds"] = (ready_w,)
    try:
        popen = popen_tool([*python_argv(tool), entry, "--port", str(port)], cwd=str(tool.path), env=env,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, **kwargs)
    except OSError as exc:
        if ready_r is not None:
            os.close(ready_r)
        raise LauncherError(f"tool '{tool.tool_id}': could not start {python} {entry}: {exc}") from exc
    finally:
        if ready_r is not None:
            os.close(ready_w)  # the child holds its own copy; ours would hide its EOF
    proc = ToolProcess(tool, popen, port, secrets, token=token)
    proc.tree = proctree.ProcessTree.for_process(tool.tool_id, popen.pid, spawn_id, settings)
    timeout = float(health_timeout if health_timeout is not None
                    else getattr(settings, "spawn_timeout_seconds", 30.0))
    t0 = time.monotonic()
    delay = 0.005
    try:
        while True:
            code = popen.poll()
            if code is not None:
                proc.stop(grace=0)
                tail = proc.stderr_tail(4000).strip()
                hint = ""
                if code == 0 and time.monotonic() - t0 < 2.0:
                    hint = "\n" + MAIN_GUARD_HINT
                raise LauncherError(
                    f"tool '{tool.tool_id}' exited with code {code} before it was ready{hint}"
                    + (f"\n--- stderr ---\n{tail}" if tail else ""))
            if _healthy(port, timeout=1.0, token=token):
                return proc
            if time.monotonic() - t0 > timeout:
                proc.stop(grace=2.0, reason="spawn timeout")
                tail = proc.stderr_tail(4000).strip()
                raise SpawnTimeout(
                    f"tool '{tool.tool_id}' did not answer GET /healthz within {timeout:g} s "
                    f"(it must serve HTTP on 127.0.0.1:<--port>)"
                    + (f"\n--- stderr ---\n{tail}" if tail else ""))
            if ready_r is not None:
                # Sleep on the readiness pipe: an SDK tool wakes us the moment it listens (polling
                # alone would see it up to `delay` late). One byte or EOF (it exited, or closed the
                # pipe unused) ends the pipe's job; from then on, plain polling.
                if select.select([ready_r], [], [], delay)[0]:
                    try:
                        os.read(ready_r, 1)
                    except OSError:  # nothing to read: polled like any other tool
                        pass
                    os.close(ready_r)
                    ready_r = None
                    continue
            else:
                time.sleep(delay)
            if time.monotonic() - t0 > 1.0:  # a slow starter: back off (a quick one is seen within 5 ms)
                delay = min(delay * 1.5, 0.1)
    except BaseException:
        if proc.alive():
            proc.stop(grace=0)
        raise
    finally:
        if ready_r is not None:
            os.close(ready_r)
