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
tool hash into its cache (`PIXIE_WORKER_CACHE`, default a temp folder). A shipped tool runs on
the worker's interpreter: tools that need their own environment must exist at the same path on
the worker (building environments on workers is not done yet).

Secrets: a tool with secrets (a `.env`) is refused unless the scheduler address is `tls://` or the
user allowed it for that tool (its Settings dialog; `allow_cluster_secrets` in
tool_state.overrides_json); then the `.env` travels inside the zip. Lost workers: a task is retried once elsewhere (Dask
`retries=1`), then the item ends in error. An unreachable scheduler fails fast (ClusterError
naming the address)."""

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
    return {"tool_id": tool.tool_id, "folder": tool.folder, "path": str(tool.path), "hash": tool.discovery_hash,
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
    return _load_one(target, pkg["hash"]), True


def run_item_remote(pkg: dict[str, Any], inputs: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The Dask task: run one item on this worker and hand back outputs and files."""
    runner = _worker_runner()
    tool, shipped = _worker_tool(pkg)
    t0 = time.monotonic()
    res = runner.run(tool, inputs, run_id=run_id)
    from pixie_desktop.artefacts.storage import run_dir

    folder = run_dir(runner.settings, tool.tool_id, run_id, create=False)
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


# -- the app side -------------------------------------------------------------------------------
def run_batch_on_cluster(client: Any, address: str, runner: Any, tool: Any, batch: Batch, *,
                         indices: Iterable[int] | None = None, on_update: Callable[[Batch], Any] | None = None,
                         stop: threading.Event | None = None) -> Batch:
    """Run the batch's items (or `indices`) as Dask tasks; block until all ended or `stop` is set
    (then unfinished tasks are cancelled and their runs end `cancelled`)."""
    from pixie_desktop.runtime.runner import InputError

    stop = stop or threading.Event()
    notify = on_update or (lambda _b: None)
    pkg = tool_package(tool, address, allow_secrets=secrets_allowed(runner.settings, tool.tool_id))
    # one future for the whole package (scattering a dict would scatter each value under its
    # dict key, shared by every batch), under a fresh key: a key the previous batch released
    # must not vanish under this one ("lost dependencies")
    [pkg_future] = client.scatter([pkg], broadcast=True, hash=False)
    futures: dict[Any, tuple[int, str, dict]] = {}
    for i in (range(len(batch.items)) if indices is None else list(indices)):
        rid = str(uuid.uuid4())
        meta = {**batch.meta(i), "executor": address}
        batch.submitted(i, rid)
        try:
            inputs = runner.begin_remote(tool, resolve_files(tool.spec, batch.items[i].inputs), rid, meta)
        except (InputError, OSError) as exc:
            batch.finished(rid, ERROR, None, str(exc), never_started=True)
            continue
        batch.started_run(rid)
        fut = client.submit(run_item_remote, pkg_future, inputs, rid, key=f"pixie-item-{rid}", retries=1, pure=False)
        futures[fut] = (i, rid, meta)
    pending = set(futures)
    while pending:
        if stop.is_set():
            for fut in list(pending):
                fut.cancel()
                _, rid, meta = futures[fut]
                runner.finish_remote(tool, rid, "cancelled", None, "cancelled", meta=meta)
                batch.finished(rid, CANCELLED, None, "cancelled")
            pending.clear()
            notify(batch)
            break
        done = [f for f in list(pending) if f.done()]
        if not done:
            time.sleep(0.02)
            continue
        for fut in done:
            pending.discard(fut)
            _, rid, meta = futures[fut]
            try:
                out = fut.result()
            except Exception as exc:  # noqa: BLE001 - lost twice, or the task itself failed
                res = runner.finish_remote(tool, rid, "error", None, f"the cluster could not run it: {exc}", meta=meta)
            else:
                meta = {**meta, "executor": out.get("executor") or address, "tool_shipped": bool(out.get("shipped"))}
                res = runner.finish_remote(tool, rid, out["status"], out.get("outputs"), out.get("error"),
                                           out.get("files"), meta, float(out.get("duration_s") or 0.0))
            batch.finished(rid, res.status, res.outputs, res.error)
            notify(batch)
    return batch
