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


# -- run search (FTS5) ---------------------------------------------------------------------------
# A new concern, so new objects (the seed's tables are untouched): `run_search_docs` holds the
# text of each run that search reads, keyed by run id; `run_search` is an FTS5 index over it
# (external content, so the text is stored once). The `runs_search_*` triggers keep the docs in
# step with `runs` inside SQLite itself, so a row written by any process — another window, the
# CLI, the reference web app — is indexed in the same transaction as the write that ends its
# run (a running run is not indexed yet: see the triggers).
#
# Why a docs table rather than FTS over runs' implicit rowid: VACUUM may renumber the rowids of
# a table without an INTEGER PRIMARY KEY (runs has a TEXT key), which would silently point the
# index at the wrong runs. The docs table's own INTEGER PRIMARY KEY is stable.
#
# Every JSON function is guarded by json_valid(): a trigger that raised on a malformed column
# would make another program's INSERT fail, which is not ours to break.

# settings row: which version of the indexed text every existing run has been (re)indexed with
SEARCH_INDEX_SETTING = "search_index_version"
SEARCH_INDEX_VERSION = "2"

SEARCH_TABLES: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS run_search_docs (
doc INTEGER PRIMARY KEY,
run_id TEXT NOT NULL UNIQUE,
label TEXT,
inputs TEXT,
outputs TEXT,
error TEXT
)""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS run_search USING fts5(label, inputs, outputs, error, "
    "content='run_search_docs', content_rowid='doc', tokenize='unicode61 remove_diacritics 2', "
    "prefix='1 2 3')",
    # the runs still `running`: not indexed until they end (see the triggers); a few rows at most
    "CREATE TABLE IF NOT EXISTS run_search_running (run_id TEXT PRIMARY KEY) WITHOUT ROWID",
)
# run_search_running filled from runs when its triggers are first created over older rows
SEARCH_RUNNING_SEED = ("INSERT OR IGNORE INTO run_search_running (run_id) "
                       "SELECT id FROM runs WHERE status = 'running'")


def _json_text(column: str, skip: str) -> str:
    """SQL: the searchable text leaves of a JSON column, space-joined. Data URLs and long
    unbroken strings (base64 payloads, hashes) are skipped: they are not words and would bloat
    the index; a file input's original name is kept in its own `name` leaf (input_blobs)."""
    return (f"(SELECT group_concat(value, ' ') FROM json_tree("
            f"CASE WHEN json_valid({column}) THEN {column} ELSE '{{}}' END) "
            f"WHERE type IN ('text', 'integer', 'real') AND NOT ({skip}) "
            f"AND NOT (type = 'text' AND (value LIKE 'data:%' "
            f"OR (length(value) > 120 AND instr(value, ' ') = 0))))")


def search_doc_values(row: str) -> str:
    """SQL expressions (run_id, label, inputs, outputs, error) for the runs row `row` (NEW in a
    trigger, a table alias in the backfill): one definition, so both index the same text.
    A run whose outputs were spilled to outputs.json keeps a bounded text summary of them in
    meta_json.search_text (written by the runner or the backfill): triggers cannot read files."""
    return f"{doc_id_sql(row)}, {row}.id, {search_text_values(row)}"


def search_text_values(row: str) -> str:
    """SQL expressions (label, inputs, outputs, error): the words of the runs row `row` that
    search reads, as the index holds them (search_repo matches running runs with these)."""
    meta = f"{row}.meta_json"
    summary = f"CASE WHEN json_valid({meta}) THEN json_extract({meta}, '$.search_text') END"
    outputs = (f"trim(COALESCE({_json_text(row + '.outputs_json', SKIP_OUTPUT_KEYS)}, '') || ' ' "
               f"|| COALESCE({summary}, ''))")
    return f"{row}.label, {_json_text(row + '.inputs_json', SKIP_INPUT_KEYS)}, {outputs}, {row}.error_text"


DOC_SLOTS = 1 << 20  # doc ids per millisecond of started_at (ms × 2^20 stays far inside int64 until year ~2248)


def doc_base_sql(started_at: str) -> str:
    """SQL: the first doc id for a start time (ms since the epoch × DOC_SLOTS; 0 if unparsable)."""
    return (f"(COALESCE(CAST(round((julianday({started_at}) - 2440587.5) * 86400000) AS INTEGER), 0) "
            f"* {DOC_SLOTS})")


def doc_id_sql(row: str) -> str:
    """SQL: a free doc id that sorts like the run's started_at. Newest-first search pages then
    walk the FTS index in descending rowid order, which FTS5 streams and stops after one page,
    instead of collecting every match to sort it: a common word costs what a rare one does.
    Runs started in the same millisecond take the next free slot (insertion order)."""
    base = doc_base_sql(f"{row}.started_at")
    return (f"(SELECT COALESCE(MAX(doc) + 1, {base}) FROM run_search_docs "
            f"WHERE doc >= {base} AND doc < {base} + {DOC_SLOTS})")


# Bookkeeping leaves that are not the user's words: the envelope's run_id, a blob handle's sha,
# mime and size (its `name` stays). Only nested keys are skipped, so an input or output that the
# tool itself calls "size" or "url" is still indexed.
SKIP_INPUT_KEYS = ("(path = '$' AND key = 'run_id') OR (path NOT IN ('$', '$.inputs') "
                   "AND key IN ('$pixie_input', 'mime', 'size'))")
SKIP_OUTPUT_KEYS = "path <> '$' AND key IN ('mime', 'sha256', 'size', 'url')"
DOC_COLUMNS = "doc, run_id, label, inputs, outputs, error"
_SEARCHED = ("label", "inputs_json", "outputs_json", "error_text")

SEARCH_TRIGGERS: tuple[tuple[str, str], ...] = (
    # the FTS index follows the docs table (the standard external-content pattern)
    ("run_search_docs_ai", "CREATE TRIGGER run_search_docs_ai AFTER INSERT ON run_search_docs BEGIN "
     "INSERT INTO run_search(rowid, label, inputs, outputs, error) "
     "VALUES (new.doc, new.label, new.inputs, new.outputs, new.error); END"),
    ("run_search_docs_ad", "CREATE TRIGGER run_search_docs_ad AFTER DELETE ON run_search_docs BEGIN "
     "INSERT INTO run_search(run_search, rowid, label, inputs, outputs, error) "
     "VALUES ('delete', old.doc, old.label, old.inputs, old.outputs, old.error); END"),
    # the docs follow runs: insert, update of a searched column (or of the spilled summary), delete
    # A run is indexed once it has ended. A `running` row gets no doc, only a line in
    # run_search_running (search_repo matches those few runs directly), so a run costs one FTS
    # insert at its end instead of an insert at its start plus a delete and an insert at its end
    # (which were most of a warm run's bookkeeping).
    ("runs_search_ai", "CREATE TRIGGER runs_search_ai AFTER INSERT ON runs WHEN new.status IS NOT 'running' BEGIN "
     "DELETE FROM run_search_docs WHERE run_id = new.id; "
     f"INSERT INTO run_search_docs ({DOC_COLUMNS}) SELECT {search_doc_values('new')}; END"),
    ("runs_search_ai_running", "CREATE TRIGGER runs_search_ai_running AFTER INSERT ON runs "
     "WHEN new.status IS 'running' BEGIN INSERT OR IGNORE INTO run_search_running (run_id) VALUES (new.id); END"),
    ("runs_search_au", "CREATE TRIGGER runs_search_au AFTER UPDATE ON runs WHEN "
     + " OR ".join(f"old.{c} IS NOT new.{c}" for c in ("id", "status") + _SEARCHED)
     + " OR (CASE WHEN json_valid(old.meta_json) THEN json_extract(old.meta_json, '$.search_text') END)"
       " IS NOT (CASE WHEN json_valid(new.meta_json) THEN json_extract(new.meta_json, '$.search_text') END)"
     " BEGIN DELETE FROM run_search_docs WHERE run_id = old.id OR run_id = new.id; "
     "DELETE FROM run_search_running WHERE run_id = old.id OR run_id = new.id; "
     f"INSERT INTO run_search_docs ({DOC_COLUMNS}) SELECT {search_doc_values('new')} "
     "WHERE new.status IS NOT 'running'; "
     "INSERT OR IGNORE INTO run_search_running (run_id) SELECT new.id WHERE new.status IS 'running'; END"),
    ("runs_search_ad", "CREATE TRIGGER runs_search_ad AFTER DELETE ON runs BEGIN "
     "DELETE FROM run_search_docs WHERE run_id = old.id; "
     "DELETE FROM run_search_running WHERE run_id = old.id; END"),
)
