"""Records the validator produces: one `Check` per contract check and the overall verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
STATUSES = (PASS, FAIL, WARN, SKIP)

# The contract's order (tool-contract §4.7); `timing` is the desktop's own addition, last.
CHECK_NAMES = (
    "folder_structure", "tool_json_parses", "schemas_coherent", "pyproject_ok", "venv_exists",
    "tool_spawns", "schema_matches_disk", "sample_run_succeeds", "output_conforms",
    "streaming_check", "reference_fixtures_match", "clean_shutdown", "timing",
)

CHECK_TITLES = {
    "folder_structure": "Folder structure",
    "tool_json_parses": "tool.json parses",
    "schemas_coherent": "Schema is coherent",
    "pyproject_ok": "Dependencies",
    "venv_exists": "Interpreter",
    "tool_spawns": "Tool starts",
    "schema_matches_disk": "Live /schema matches tool.json",
    "sample_run_succeeds": "Sample run",
    "output_conforms": "Outputs have the declared shapes",
    "streaming_check": "Streaming",
    "reference_fixtures_match": "Reference fixtures",
    "clean_shutdown": "Clean shutdown",
    "timing": "Timing",
}


@dataclass
class Check:
    name: str
    status: str
    message: str
    details: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message, "details": self.details}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Check":
        status = data.get("status") if data.get("status") in STATUSES else FAIL
        return cls(str(data.get("name", "?")), status, str(data.get("message", "")), data.get("details"))


@dataclass
class CheckList:
    """Checks collected in order, with the overall verdict rule: fail > warn > pass (skips ignored)."""

    checks: list[Check] = field(default_factory=list)

    def add(self, name: str, status: str, message: str, details: Any = None) -> Check:
        check = Check(name, status, message, details)
        self.checks.append(check)
        return check

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.checks)

    @property
    def failed(self) -> bool:
        return any(c.status == FAIL for c in self.checks)

    @property
    def overall(self) -> str:
        return overall_of(c.status for c in self.checks)


def overall_of(statuses: Any) -> str:
    statuses = list(statuses)
    if FAIL in statuses:
        return FAIL
    if WARN in statuses:
        return WARN
    return PASS


def counts(checks: list[dict[str, Any]]) -> dict[str, int]:
    out = {s: 0 for s in STATUSES}
    for c in checks:
        status = c.get("status")
        if status in out:
            out[status] += 1
    return out
