"""Running a batch on a Dask cluster (`distributed`, the optional extra `pixie-desktop[cluster]`).

Each item becomes a Dask task (`run_item_remote`) that runs the tool on a worker through the same
launcher and Runner code as a local run — warm per worker process, with a throw-away database and
artefacts folder of the worker's own — and returns the outputs and the run folder's files. The
app stays the only writer of its database and artefacts: it writes each item's `running` row when
it submits it (`Runner.begin_remote`) and ends it with the returned outputs and files
(`Runner.finish_remote`: the same media/spill/artefact bookkeeping, so file outputs land in
artefacts with their sha256). `meta_json.executor` names the worker that ran the item.

Tool code: a worker uses the tool folder at the same path when it exists there with the same
discovery hash; otherwise it unpacks a zip of the folder (no `.venv`, `.env`, caches) once per
tool hash into its cache (`PIXIE_WORKER_CACHE`, default a temp folder). A shipped tool that runs on
its own `.venv` at home gets that environment built in the cache from its pyproject.toml /
requirements.txt with the app's own set-up code (lifecycle.envsetup), once per tool hash; one
that runs on the app's interpreter at home runs on the worker's.

Secrets: a tool with secrets (a `.env`) is refused unless the scheduler address is `tls://` or the
user allowed it for that tool (its Settings dialog; `allow_cluster_secrets` in
tool_state.overrides_json); then the `.env` travels inside the zip.

Lost workers: Dask reschedules a task whose worker died; the app counts the losses from the
scheduler's `remove-worker` events and ends an item lost a second time in error (ClusterBatch).
An unreachable scheduler fails fast (ClusterError naming the address)."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable

from pixie_desktop.batch.plan import resolve_files
from pixie_desktop.batch.state import CANCELLED, ERROR, Batch

CONNECT_TIMEOUT_S = 5.0
ZIP_SKIP_DIRS = {".venv", "venv", "__pycache__", ".git", ".mypy_cache", ".pytest_cache", "node_modules"}


class ClusterError(RuntimeError):
    """The cluster cannot be used (not installed, unreachable, a refused tool); says why."""


def connect(address: str, timeout: float = CONNECT_TIMEOUT_S) -> Any:
    """A distributed.Client for `address`, or ClusterError quickly when it cannot be reached."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError("running on a cluster needs the 'distributed' package: "
                           "pip install 'pixie-desktop[cluster]'") from exc
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


# -- shipping the tool --------------------------------------------------------------------------
def tool_zip(folder: Path, *, with_secrets: bool = False) -> bytes:
    """The tool folder as a zip, without environments, caches and (unless asked) `.env`."""
    buf = io.BytesIO()
    root = Path(folder)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in ZIP_SKIP_DIRS]
            for name in filenames:
                if name == ".env" and not with_secrets:
                    continue
                p = Path(dirpath) / name
                if p.is_file() and not p.is_symlink():
                    zf.write(p, p.relative_to(root).as_posix())
    return buf.getvalue()


def secrets_allowed(settings: Any, tool_id: str) -> bool:
    """Whether the user allowed this tool's secrets on any cluster (the tool's Settings dialog;
    `allow_cluster_secrets` in tool_state.overrides_json). Unreadable state: not allowed."""
    from pixie_desktop.ops.tools import cluster_secrets_allowed
    from pixie_desktop.store.db import connect as db_connect

    try:
        conn = db_connect(settings.db_path)
    except Exception:  # noqa: BLE001 - no database to ask: the safe answer
        return False
    try:
        return cluster_secrets_allowed(conn, tool_id)
    except Exception:  # noqa: BLE001
        return False
    finally:
        conn.close()


def tool_package(tool: Any, address: str, *, allow_secrets: bool = False) -> dict[str, Any]:
    """What a worker needs to find or rebuild the tool. A tool with secrets is refused unless the
    cluster is tls:// or the user allowed it for this tool (`allow_secrets`); then the `.env`
    travels in the zip."""
    from pixie_desktop.runtime.secrets import secret_values

    tls = str(address).startswith("tls://")
    if secret_values(tool) and not (tls or allow_secrets):
        raise ClusterError(
            f"{tool.tool_id} has secrets (.env) and {address} is not a tls:// cluster, so they are not sent "
            f"there. Use a tls:// scheduler, or allow it for this tool: its Settings… ▸ \"Allow sending this "
            f"tool's secrets to a cluster that is not tls://\".")
    from pixie_desktop.catalog.discovery import venv_python

    # "venv": at home the tool runs on its own environment, so a worker builds one for the
    # shipped copy; without one it runs on the app's interpreter at home, the worker's there
    return {"tool_id": tool.tool_id, "folder": tool.folder, "path": str(tool.path), "hash": tool.discovery_hash,
            "venv": venv_python(Path(tool.path)) is not None,
            "zip": tool_zip(tool.path, with_secrets=tls or allow_secrets)}


# -- the worker side ----------------------------------------------------------------------------
_worker_lock = threading.Lock()
_worker: dict[str, Any] = {}


def _worker_runner() -> Any:
    """This worker process's Runner over a private temp root (made once; tools stay warm)."""
    with _worker_lock:
        if "runner" not in _worker:
            import atexit

            from pixie_desktop.config import load_settings
            from pixie_desktop.runtime.runner import Runner

            root = Path(tempfile.mkdtemp(prefix="pixie-worker-"))
            env = {"PIXIE_TOOLS_DIR": str(root / "tools"), "PIXIE_DB_PATH": str(root / "worker.db"),
                   "PIXIE_ARTEFACTS_ROOT": str(root / "artefacts")}
            settings = load_settings(root, env)
            runner = Runner(settings)
            _worker.update(root=root, runner=runner)

            def _close() -> None:
                runner.shutdown(wait=2.0)
                shutil.rmtree(root, ignore_errors=True)

            atexit.register(_close)
        return _worker["runner"]


def shutdown_worker_runtime() -> None:
    """Stop this process's worker Runner and its tool processes (an in-process LocalCluster's
    owner calls it; worker processes do it at exit)."""
    with _worker_lock:
        runner, root = _worker.pop("runner", None), _worker.pop("root", None)
    if runner is not None:
        runner.shutdown(wait=5.0)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def _cache_root() -> Path:
    return Path(os.environ.get("PIXIE_WORKER_CACHE") or Path(tempfile.gettempdir()) / "pixie-worker-cache")


def _worker_tool(pkg: dict[str, Any]) -> tuple[Any, bool]:
    """(ToolInfo, shipped): the tool at the app's path when this worker has it unchanged, else
    the zip unpacked once per tool hash."""
    from pixie_desktop.catalog.discovery import _load_one, discovery_hash

    here = Path(pkg["path"])
    # PIXIE_WORKER_SHIP=1: always use the shipped zip (check a worker set-up from one machine)
    if (here / "tool.json").is_file() and os.environ.get("PIXIE_WORKER_SHIP") != "1":
        try:
            if discovery_hash(here) == pkg["hash"]:
                return _load_one(here, pkg["hash"]), False
        except OSError:
            pass
    target = _cache_root() / pkg["hash"] / pkg["folder"]
    if not (target / "tool.json").is_file():
        tmp = target.parent / f".{pkg['folder']}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(pkg["zip"])) as zf:
            for member in zf.namelist():  # no member may land outside the folder
                dest = (tmp / member).resolve()
                if tmp.resolve() not in dest.parents:
                    raise ClusterError(f"unsafe path in the tool zip: {member}")
            zf.extractall(tmp)
        try:
            os.replace(tmp, target)  # atomic: a concurrent unpack of the same hash loses harmlessly
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    if pkg.get("venv"):
        _ensure_env(target)
    return _load_one(target, pkg["hash"]), True


ENV_READY = ".pixie-env-ready"
_env_lock = threading.Lock()


def _ensure_env(folder: Path) -> None:
    """Build a shipped tool's own environment (it has one at home; the zip has no `.venv`) with
    the same set-up code as the app (lifecycle.envsetup: uv sync, or venv + pip), once per tool hash: the marker file
    says it is done; a lock file keeps two worker processes on one machine from building it at
    the same time. A tool without pyproject/requirements runs on the worker's interpreter."""
    from pixie_desktop.lifecycle.envsetup import needs_setup, run_setup

    if (folder / ENV_READY).is_file() or not needs_setup(folder):
        return
    with _env_lock, open(folder.parent / ".env-build.lock", "a+") as lockf:
        try:
            import fcntl

            fcntl.flock(lockf.fileno(), fcntl.LOCK_EX)
        except (ImportError, OSError):  # no flock (Windows): the thread lock still holds in-process
            pass
        if (folder / ENV_READY).is_file():
            return  # another process built it while this one waited
        result = run_setup(folder)
        if not result.ok:
            raise ClusterError(f"could not build the environment of {folder.name} on this worker: {result.error}")
        (folder / ENV_READY).write_text("ok\n")


def run_item_remote(pkg: dict[str, Any], inputs: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The Dask task: run one item on this worker and hand back outputs and files."""
    runner = _worker_runner()
    tool, shipped = _worker_tool(pkg)
    t0 = time.monotonic()
    # a task rescheduled after a lost worker can land in the same process as its first attempt
    # (threads of an in-process cluster): that attempt may still be going, so take a fresh id
    local_id = run_id if run_id not in runner.active_runs() else f"{run_id}-{uuid.uuid4().hex[:8]}"
    res = runner.run(tool, inputs, run_id=local_id)
    from pixie_desktop.artefacts.storage import run_dir

    folder = run_dir(runner.settings, tool.tool_id, local_id, create=False)
    files: dict[str, bytes] = {}
    if folder.is_dir():
        for p in folder.rglob("*"):
            if p.is_file():
                files[p.relative_to(folder).as_posix()] = p.read_bytes()
        shutil.rmtree(folder, ignore_errors=True)
    try:
        from distributed import get_worker

        executor = get_worker().address
    except (ImportError, ValueError):
        executor = "unknown"
    return {"status": res.status, "outputs": res.outputs, "error": res.error, "files": files,
            "executor": executor, "shipped": shipped, "duration_s": time.monotonic() - t0}


def _package(pkg: dict[str, Any]) -> dict[str, Any]:
    """The task that holds a batch's tool package on the cluster (see ClusterBatch.submit)."""
    return pkg


# -- the app side -------------------------------------------------------------------------------
LOST_TWICE = "its worker was lost twice ({workers}); the item is not tried a third time"


class ClusterBatch:
    """One batch's items in flight on a cluster, in three non-blocking steps so a caller can keep
    no thread waiting: `submit` (scatter the tool, write each `running` row, submit the tasks),
    `collect` (end the items whose futures are done: rows, files, artefacts) and `cancel`.
    `ready()` says, without I/O, whether `collect` has something to do.

    Lost workers: Dask reschedules a task whose worker died on another worker by itself. The
    scheduler's `remove-worker` events (subscribed here) name the tasks each lost worker was
    processing; an item lost a second time is cancelled and ends in error, whatever the
    scheduler's own `allowed-failures` would allow."""

    def __init__(self, client: Any, address: str, runner: Any, tool: Any, batch: Batch, *,
                 on_update: Callable[[Batch], Any] | None = None):
        self.client, self.address, self.runner, self.tool, self.batch = client, address, runner, tool, batch
        self.notify = on_update or (lambda _b: None)
        self._lock = threading.Lock()
        self._futures: dict[Any, tuple[int, str, dict]] = {}
        self._by_key: dict[str, Any] = {}
        self._pending: set[Any] = set()
        self._lost: dict[str, list[str]] = {}  # task key -> addresses of the workers it was lost with
        self._subscribed = False

    # events arrive on the client's event-loop thread
    def _on_event(self, event: Any) -> None:
        try:
            _ts, msg = event
        except (TypeError, ValueError):
            return
        if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
            return
        worker = str(msg.get("worker") or "a worker")
        with self._lock:
            for key in msg.get("processing-tasks") or ():
                if str(key) in self._by_key:
                    self._lost.setdefault(str(key), []).append(worker)

    def lost_workers(self, key: str) -> list[str]:
        with self._lock:
            return list(self._lost.get(key, ()))

    def submit(self, indices: Iterable[int] | None = None) -> int:
        """Scatter the tool and submit the items (all, or `indices`); blocking network and
        database work (call it off the UI thread). Returns how many tasks were submitted."""
        from pixie_desktop.runtime.runner import InputError

        pkg = tool_package(self.tool, self.address, allow_secrets=secrets_allowed(self.runner.settings,
                                                                                   self.tool.tool_id))
        if not self._subscribed:
            self.client.subscribe_topic("all", self._on_event)
            self._subscribed = True
        # one future for the whole package, made by a task rather than scattered: data scattered
        # to a worker that dies is gone for good ("lost scattered data"), a task's result is
        # recomputed from the scheduler's copy of its argument. A fresh key per batch: a key the
        # previous batch released must not vanish under this one ("lost dependencies").
        pkg_future = self.client.submit(_package, pkg, key=f"pixie-tool-{uuid.uuid4()}", pure=False)
        n = 0
        for i in (range(len(self.batch.items)) if indices is None else list(indices)):
            rid = str(uuid.uuid4())
            meta = {**self.batch.meta(i), "executor": self.address}
            self.batch.submitted(i, rid)
            try:
                inputs = self.runner.begin_remote(self.tool, resolve_files(self.tool.spec, self.batch.items[i].inputs),
                                                  rid, meta)
            except (InputError, OSError) as exc:
                self.batch.finished(rid, ERROR, None, str(exc), never_started=True)
                continue
            self.batch.started_run(rid)
            key = f"pixie-item-{rid}"
            fut = self.client.submit(run_item_remote, pkg_future, inputs, rid, key=key, retries=1, pure=False)
            with self._lock:
                self._futures[fut] = (i, rid, meta)
                self._by_key[key] = fut
                self._pending.add(fut)
            n += 1
        self.notify(self.batch)
        return n

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def ready(self) -> bool:
        """Some item can be ended now (a future done, or lost twice); no I/O."""
        with self._lock:
            return any(f.done() or len(self._lost.get(f.key, ())) >= 2 for f in self._pending)

    def collect(self) -> int:
        """End every item whose task is done (or lost twice); returns how many are still pending."""
        with self._lock:
            done = [f for f in self._pending if f.done()]
            lost = [f for f in self._pending if not f.done() and len(self._lost.get(f.key, ())) >= 2]
            for f in done + lost:
                self._pending.discard(f)
        for fut in lost:
            fut.cancel()
            _, rid, meta = self._futures[fut]
            text = LOST_TWICE.format(workers=", ".join(self.lost_workers(fut.key)))
            res = self.runner.finish_remote(self.tool, rid, "error", None, text, meta={**meta, "lost_workers": 2})
            self.batch.finished(rid, res.status, res.outputs, res.error)
        for fut in done:
            _, rid, meta = self._futures[fut]
            lost_with = self.lost_workers(fut.key)
            try:
                out = fut.result()
            except Exception as exc:  # noqa: BLE001 - the task failed (or KilledWorker)
                res = self.runner.finish_remote(self.tool, rid, "error", None, f"the cluster could not run it: {exc}",
                                                meta=meta)
            else:
                meta = {**meta, "executor": out.get("executor") or self.address,
                        "tool_shipped": bool(out.get("shipped"))}
                if lost_with:
                    meta["lost_workers"] = len(lost_with)  # it ran again elsewhere after a lost worker
                res = self.runner.finish_remote(self.tool, rid, out["status"], out.get("outputs"), out.get("error"),
                                                out.get("files"), meta, float(out.get("duration_s") or 0.0))
            self.batch.finished(rid, res.status, res.outputs, res.error)
        if done or lost:
            self.notify(self.batch)
        return self.pending

    def cancel(self) -> None:
        """Cancel the tasks still pending; their runs end `cancelled`."""
        with self._lock:
            pending, self._pending = list(self._pending), set()
        for fut in pending:
            fut.cancel()
            _, rid, meta = self._futures[fut]
            self.runner.finish_remote(self.tool, rid, "cancelled", None, "cancelled", meta=meta)
            self.batch.finished(rid, CANCELLED, None, "cancelled")
        if pending:
            self.notify(self.batch)

    def wait(self, timeout: float) -> None:
        """Block up to `timeout` s until a pending future is done (the CLI's loop)."""
        with self._lock:
            pending = list(self._pending)
        if not pending:
            return
        try:
            from distributed import wait as dask_wait

            dask_wait(pending, timeout=timeout, return_when="FIRST_COMPLETED")
        except Exception:  # noqa: BLE001 - a timeout (TimeoutError) or a closing client
            pass

    def close(self) -> None:
        if self._subscribed:
            try:
                self.client.unsubscribe_topic("all")
            except Exception:  # noqa: BLE001 - a closed client has nothing to unsubscribe
                pass
            self._subscribed = False


def run_batch_on_cluster(client: Any, address: str, runner: Any, tool: Any, batch: Batch, *,
                         indices: Iterable[int] | None = None, on_update: Callable[[Batch], Any] | None = None,
                         stop: threading.Event | None = None) -> Batch:
    """Run the batch's items (or `indices`) as Dask tasks; block until all ended or `stop` is set
    (then unfinished tasks are cancelled and their runs end `cancelled`)."""
    stop = stop or threading.Event()
    cb = ClusterBatch(client, address, runner, tool, batch, on_update=on_update)
    try:
        cb.submit(indices)
        while cb.pending:
            if stop.is_set():
                cb.cancel()
                break
            cb.wait(0.25)  # wakes at the first finished task; the timeout re-checks stop and lost workers
            cb.collect()
    finally:
        cb.close()
    return batch
