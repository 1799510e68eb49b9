"""The outcome of one tool run (RunResult), in a module of its own so that code which only
passes results around (the UI's RunController) need not import the runner and its HTTP stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pixie_desktop.store.artefacts_repo import ArtefactRecord


@dataclass
class RunResult:
    run_id: str
    tool_id: str
    status: str  # ok | error | cancelled
    outputs: dict | None
    error: str | None
    duration_s: float
    artefacts: list[ArtefactRecord] = field(default_factory=list)
    spilled: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"
