"""Paths and settings: code defaults, then the repo `.env`, then the process environment, then
the `settings` table (for the user-editable keys), exactly like the reference's precedence.

Path settings (tools_dir, db_path, artefacts_root) come only from defaults/.env/environment,
because the database location cannot be stored in the database itself. Tests and scripts point
the app at temp dirs with PIXIE_TOOLS_DIR, PIXIE_DB_PATH and PIXIE_ARTEFACTS_ROOT.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


PACKAGE_DIR = Path(__file__).resolve().parent


def running_from_checkout() -> bool:
    """True when the package is imported from a source checkout (plain or `pip install -e`),
    False when it was installed from a wheel into site-packages."""
    root = PACKAGE_DIR.parent
    return (root / "pyproject.toml").is_file() and (root / "tools").is_dir()


def app_root() -> Path:
    """PIXIE_ROOT if set; else the checkout the app runs from (parent of the package); else,
    for an installed wheel, the user data dir (its tools/ is seeded with the bundled tools on
    first start, see lifecycle/bundled.py)."""
    env = os.environ.get("PIXIE_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    if running_from_checkout():
        return PACKAGE_DIR.parent
    from platformdirs import user_data_dir

    return Path(user_data_dir("pixie-desktop", appauthor=False))


GiB = 1024**3


@dataclass(frozen=True)
class SettingDef:
    """One documented setting: its name, default, parser and a one-line help text."""

    name: str
    default: Any
    kind: type
    help: str
    env: str = ""
    user_editable: bool = True  # shown in the settings dialog and stored in the settings table
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def env_name(self) -> str:
        return self.env or "PIXIE_" + self.name.upper()


# Every setting the reference documents (reference-runtime §1.2) plus the desktop's own.
SETTING_DEFS: tuple[SettingDef, ...] = (
    SettingDef("tools_dir", None, Path, "Folder holding one sub-folder per tool", user_editable=False),
    SettingDef("db_path", None, Path, "SQLite database file", user_editable=False),
    SettingDef("artefacts_root", None, Path, "Root folder for run artefacts", user_editable=False),
    SettingDef("port", 7860, int, "Reference web app port (kept for compatibility; unused by the desktop)",
               user_editable=False),
    SettingDef("host", "127.0.0.1", str, "Loopback host tools bind to", user_editable=False),
    SettingDef("warm_keep_seconds", 300, int, "Idle seconds before a warm tool process is stopped",
               minimum=0, maximum=86400),
    SettingDef("warm_keep_max", 5, int, "Most tool processes kept warm at once (LRU)", minimum=1, maximum=64),
    SettingDef("warm_memory_budget_fraction", 0.4, float,
               "Fraction of system RAM the warm pool may use (by each tool's max_memory_mb)",
               minimum=0.05, maximum=0.95),
    SettingDef("developer_mode", False, bool, "Show developer details (ports, pids, raw JSON)"),
    SettingDef("theme", "system", str, "Colour scheme", choices=("system", "light", "dark")),
    SettingDef("accent", "indigo", str, "Accent colour",
               choices=("indigo", "blue", "teal", "green", "amber", "red", "pink", "violet")),
    SettingDef("density", "comfortable", str, "Spacing density", choices=("compact", "comfortable", "airy")),
    SettingDef("contrast", "system", str, "High contrast: follow the system, always, or never",
               choices=("system", "high", "normal")),
    SettingDef("max_artefact_bytes_per_run", 10 * GiB, int, "Bytes a single run may write to its artefact folder",
               minimum=1024),
    SettingDef("max_artefacts_per_run", 10_000, int, "Files registered per run", minimum=1),
    SettingDef("artefacts_total_disk_cap_bytes", 0, int, "Most bytes all artefacts may use; the sweeper removes the oldest unstarred beyond it (0 = no cap)",
               minimum=0),
    SettingDef("dedup_artefacts", False, bool, "Reuse identical artefact files (same sha256) across runs"),
    SettingDef("thumb_max_edge_px", 256, int, "Longest edge of a gallery thumbnail", minimum=32, maximum=1024),
    SettingDef("thumb_workers", 2, int, "Threads generating thumbnails", minimum=1, maximum=16),
    SettingDef("sweeper_interval_seconds", 21_600, int, "Seconds between artefact sweeps", minimum=60),
    SettingDef("soft_delete_retention_days", 7, int, "Days a deleted artefact stays in the Trash", minimum=0),
    SettingDef("inline_output_max_bytes", 65_536, int,
               "Run responses larger than this are spilled to an artefact file", minimum=1024),
    SettingDef("library_page_size", 50, int, "Rows fetched at a time in lists and the gallery", minimum=10,
               maximum=5000),
    SettingDef("run_cancel_grace_seconds", 5.0, float, "Seconds a tool gets to honour cancel before it is killed",
               minimum=0.1, maximum=60),
    SettingDef("spawn_timeout_seconds", 30.0, float, "Seconds a tool has to answer /healthz after spawn",
               minimum=1, maximum=600),
    SettingDef("notify_after_seconds", 5.0, float,
               "Notify when a run longer than this finishes while the window is unfocused", minimum=0),
    SettingDef("max_parallel_runs", 0, int, "Tool runs going at once; more wait in the queue (0 = one per CPU core)",
               minimum=0, maximum=256),
    SettingDef("compute_address", "", str,
               "Where batches run: empty for this computer, or a Dask scheduler address (tcp://host:8786)"),
)
SETTINGS_BY_NAME = {d.name: d for d in SETTING_DEFS}


def parse_value(defn: SettingDef, raw: Any) -> Any:
    """Parse a raw string/any into the setting's type; raises ValueError with a readable message."""
    if raw is None:
        return defn.default
    kind = defn.kind
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "on", "yes"):
                return True
            if text in ("0", "false", "off", "no", ""):
                return False
            raise ValueError(f"expected true/false, got {raw!r}")
        if kind is int:
            value: Any = int(float(raw)) if isinstance(raw, str) and "." in raw else int(raw)
        elif kind is float:
            value = float(raw)
        elif kind is Path:
            return Path(str(raw)).expanduser()
        else:
            value = str(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {defn.name}: {exc}") from None
    if defn.minimum is not None and value < defn.minimum:
        raise ValueError(f"setting {defn.name}: {value} is below the minimum {defn.minimum}")
    if defn.maximum is not None and value > defn.maximum:
        raise ValueError(f"setting {defn.name}: {value} is above the maximum {defn.maximum}")
    if defn.choices and value not in defn.choices:
        raise ValueError(f"setting {defn.name}: {value!r} is not one of {', '.join(defn.choices)}")
    return value


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Settings:
    """Typed, resolved settings. Build with `load_settings()`; never mutate paths after start."""

    root: Path
    tools_dir: Path
    db_path: Path
    artefacts_root: Path
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # name -> default|.env|env|db

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    def get(self, name: str) -> Any:
        if name in ("tools_dir", "db_path", "artefacts_root"):
            return getattr(self, name)
        return self.values[name]

    def set_value(self, name: str, value: Any, source: str = "db") -> None:
        defn = SETTINGS_BY_NAME[name]
        self.values[name] = parse_value(defn, value)
        self.sources[name] = source
        for listener in list(_listeners):
            listener(name, self.values[name])

    @property
    def thumbs_dir(self) -> Path:
        return self.artefacts_root / "_thumbs"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def copy(self) -> "Settings":
        return dataclasses.replace(self, values=dict(self.values), sources=dict(self.sources))


_listeners: list[Callable[[str, Any], None]] = []


def on_setting_changed(callback: Callable[[str, Any], None]) -> Callable[[], None]:
    """Subscribe to live setting changes; returns an unsubscribe function."""
    _listeners.append(callback)
    return lambda: _listeners.remove(callback) if callback in _listeners else None


def load_settings(root: Path | None = None, environ: dict[str, str] | None = None,
                  conn: sqlite3.Connection | None = None) -> Settings:
    """Resolve settings: defaults < root/.env < environment < settings table (editable keys)."""
    root = (root or app_root()).resolve()
    env = dict(os.environ if environ is None else environ)
    dotenv_path = root / ".env"
    file_values: dict[str, str] = {}
    if dotenv_path.is_file():
        from dotenv import dotenv_values  # only when there is a .env to read (start-up cost)

        file_values = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}

    def raw_for(defn: SettingDef) -> tuple[Any, str]:
        if defn.env_name in env:
            return env[defn.env_name], "env"
        if defn.env_name in file_values:
            return file_values[defn.env_name], ".env"
        return None, "default"

    paths: dict[str, Path] = {}
    defaults = {"tools_dir": root / "tools", "db_path": root / "pixie.db", "artefacts_root": root / "artefacts"}
    for name, default in defaults.items():
        raw, _src = raw_for(SETTINGS_BY_NAME[name])
        p = Path(raw).expanduser() if raw else default
        paths[name] = (p if p.is_absolute() else root / p).resolve()

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for defn in SETTING_DEFS:
        if defn.kind is Path:
            continue
        raw, src = raw_for(defn)
        try:
            values[defn.name] = parse_value(defn, raw) if raw is not None else defn.default
            sources[defn.name] = src
        except ValueError:
            values[defn.name] = defn.default  # a bad env value never stops the app
            sources[defn.name] = "default"
    settings = Settings(root=root, values=values, sources=sources, **paths)
    if conn is not None:
        apply_db_settings(settings, conn)
    return settings


def apply_db_settings(settings: Settings, conn: sqlite3.Connection) -> None:
    """Overlay the user-editable keys stored in the `settings` table (what the dialog writes)."""
    try:
        rows = conn.execute("SELECT key, value FROM settings").fetchall()
    except sqlite3.Error:
        return
    for key, value in rows:
        defn = SETTINGS_BY_NAME.get(key)
        if defn is None or not defn.user_editable:
            continue
        try:
            settings.values[key] = parse_value(defn, value)
            settings.sources[key] = "db"
        except ValueError:
            continue


def save_setting(settings: Settings, conn: sqlite3.Connection, name: str, value: Any) -> None:
    """Validate, persist to the settings table and apply live (listeners are told)."""
    from pixie_desktop.store import settings_repo

    defn = SETTINGS_BY_NAME[name]
    parsed = parse_value(defn, value)
    settings_repo.set_setting(conn, name, format_value(parsed))
    settings.set_value(name, parsed, "db")


def reset_setting(settings: Settings, conn: sqlite3.Connection, name: str) -> None:
    """Remove the stored override; the value falls back to env/.env/default."""
    from pixie_desktop.store import settings_repo

    settings_repo.delete_setting(conn, name)
    fresh = load_settings(settings.root)
    settings.set_value(name, fresh.values[name], fresh.sources[name])
