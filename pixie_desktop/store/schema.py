"""The database DDL, exactly as `spec/database-schema.md` writes it, plus the additive column
migrations an older database needs, plus `EXTRA_TABLES`: tables for concerns the seed does not
have (presets), created with IF NOT EXISTS so an older database simply gains them. Do not rename
or drop anything here."""

from __future__ import annotations

PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("synchronous", "NORMAL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", "5000"),
)

TABLES: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS settings (
key TEXT PRIMARY KEY,
value TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS runs (
id TEXT PRIMARY KEY,
tool_id TEXT NOT NULL,
started_at TIMESTAMP NOT NULL,
finished_at TIMESTAMP,
inputs_json TEXT NOT NULL,
outputs_json TEXT,
error_text TEXT,
status TEXT NOT NULL,
starred INTEGER NOT NULL DEFAULT 0,
label TEXT,
total_artefact_bytes INTEGER NOT NULL DEFAULT 0,
meta_json TEXT
)""",
    """CREATE TABLE IF NOT EXISTS tool_state (
tool_id TEXT PRIMARY KEY,
last_inputs_json TEXT,
favourited INTEGER NOT NULL DEFAULT 0,
sort_order INTEGER,
overrides_json TEXT,
archived INTEGER NOT NULL DEFAULT 0,
pinned INTEGER NOT NULL DEFAULT 0,
pinned_warm INTEGER NOT NULL DEFAULT 0,
discovery_hash TEXT,
run_count_total INTEGER NOT NULL DEFAULT 0,
disk_bytes INTEGER,
last_disk_audit TIMESTAMP,
last_run_at TIMESTAMP,
default_warm_keep_seconds INTEGER,
pinned_at TIMESTAMP,
archived_at TIMESTAMP,
colour TEXT,
sort_order_in_workspace_json TEXT
)""",
    """CREATE TABLE IF NOT EXISTS validation_reports (
tool_id TEXT NOT NULL,
timestamp TIMESTAMP NOT NULL,
overall TEXT NOT NULL,
report_json TEXT NOT NULL,
PRIMARY KEY (tool_id, timestamp)
)""",
    """CREATE TABLE IF NOT EXISTS artefacts (
id INTEGER PRIMARY KEY,
run_id TEXT NOT NULL,
tool_id TEXT NOT NULL,
output_key TEXT NOT NULL,
rel_path TEXT NOT NULL,
filename TEXT NOT NULL,
mime TEXT NOT NULL,
size_bytes INTEGER NOT NULL,
sha256 TEXT NOT NULL,
created_at TIMESTAMP NOT NULL,
starred INTEGER NOT NULL DEFAULT 0,
label TEXT,
tags TEXT,
thumb_path TEXT,
deleted_at TIMESTAMP,
FOREIGN KEY (run_id) REFERENCES runs(id)
)""",
    """CREATE TABLE IF NOT EXISTS workspaces (
id INTEGER PRIMARY KEY,
name TEXT UNIQUE NOT NULL,
colour TEXT,
sort_order INTEGER NOT NULL DEFAULT 0,
collapsed INTEGER NOT NULL DEFAULT 0,
created_at TIMESTAMP NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS tool_workspaces (
tool_id TEXT NOT NULL,
workspace_id INTEGER NOT NULL,
added_at TIMESTAMP NOT NULL,
PRIMARY KEY (tool_id, workspace_id),
FOREIGN KEY (workspace_id) REFERENCES workspaces(id) ON DELETE CASCADE
)""",
    """CREATE TABLE IF NOT EXISTS tool_tags (
tool_id TEXT NOT NULL,
tag TEXT NOT NULL,
PRIMARY KEY (tool_id, tag)
)""",
    """CREATE TABLE IF NOT EXISTS validate_jobs (
id TEXT PRIMARY KEY,
started_at TIMESTAMP NOT NULL,
finished_at TIMESTAMP,
status TEXT NOT NULL,
total INTEGER NOT NULL,
completed INTEGER NOT NULL DEFAULT 0,
passed INTEGER NOT NULL DEFAULT 0,
warned INTEGER NOT NULL DEFAULT 0,
failed INTEGER NOT NULL DEFAULT 0,
details_json TEXT
)""",
)

# Genuinely new concerns get a new table (the seed's tables stay exactly as written).
EXTRA_TABLES: tuple[str, ...] = (
    # Named input sets per tool; at most one per tool has is_default = 1 (ops.presets keeps it so).
    """CREATE TABLE IF NOT EXISTS presets (
tool_id TEXT NOT NULL,
name TEXT NOT NULL,
inputs_json TEXT NOT NULL,
is_default INTEGER NOT NULL DEFAULT 0,
created_at TIMESTAMP NOT NULL,
updated_at TIMESTAMP NOT NULL,
PRIMARY KEY (tool_id, name)
)""",
)

INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS idx_runs_tool ON runs(tool_id, started_at DESC)",
    "CREATE INDEX IF NOT EXISTS idx_runs_started ON runs(started_at DESC)",
    "CREATE INDEX IF NOT EXISTS idx_tool_state_archived ON tool_state(archived)",
    "CREATE INDEX IF NOT EXISTS idx_tool_state_pinned ON tool_state(pinned)",
    "CREATE INDEX IF NOT EXISTS idx_validation_latest ON validation_reports(tool_id, timestamp DESC)",
    "CREATE INDEX IF NOT EXISTS idx_artefacts_run ON artefacts(run_id)",
    "CREATE INDEX IF NOT EXISTS idx_artefacts_tool ON artefacts(tool_id, created_at DESC)",
    "CREATE INDEX IF NOT EXISTS idx_artefacts_starred ON artefacts(starred) WHERE starred = 1",
    "CREATE INDEX IF NOT EXISTS idx_artefacts_deleted ON artefacts(deleted_at)",
    "CREATE INDEX IF NOT EXISTS idx_tool_tags_tag ON tool_tags(tag)",
)

# Columns added after the first release of each table. Applied with ALTER TABLE; a
# "duplicate column" error means the database already has it and is swallowed.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("runs", "starred INTEGER NOT NULL DEFAULT 0"),
    ("runs", "label TEXT"),
    ("runs", "total_artefact_bytes INTEGER NOT NULL DEFAULT 0"),
    ("runs", "meta_json TEXT"),
    ("tool_state", "overrides_json TEXT"),
    ("tool_state", "archived INTEGER NOT NULL DEFAULT 0"),
    ("tool_state", "pinned INTEGER NOT NULL DEFAULT 0"),
    ("tool_state", "pinned_warm INTEGER NOT NULL DEFAULT 0"),
    ("tool_state", "discovery_hash TEXT"),
    ("tool_state", "run_count_total INTEGER NOT NULL DEFAULT 0"),
    ("tool_state", "disk_bytes INTEGER"),
    ("tool_state", "last_disk_audit TIMESTAMP"),
    ("tool_state", "last_run_at TIMESTAMP"),
    ("tool_state", "default_warm_keep_seconds INTEGER"),
    ("tool_state", "pinned_at TIMESTAMP"),
    ("tool_state", "archived_at TIMESTAMP"),
    ("tool_state", "colour TEXT"),
    ("tool_state", "sort_order_in_workspace_json TEXT"),
    ("artefacts", "starred INTEGER NOT NULL DEFAULT 0"),
    ("artefacts", "label TEXT"),
    ("artefacts", "tags TEXT"),
    ("artefacts", "thumb_path TEXT"),
    ("artefacts", "deleted_at TIMESTAMP"),
)
