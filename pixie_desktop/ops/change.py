"""The record an operation returns: which runs, tools, workspaces, artefacts and validation
reports it changed. It carries ids only (never rows), so whoever reacts re-reads through its own
connection. Two records combine with `a | b` (or `merge(*changes)`), so a compound action can
be announced once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


def _strs(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


@dataclass(frozen=True)
class Change:
    """What one or more writes changed.

    `run_ids`: runs inserted, updated (star/label/status) or deleted.
    `tool_ids`: tools whose tool_state row, user tags or last inputs changed.
    `workspaces`: any workspace row or membership changed.
    `artefacts`: artefact rows were added, edited, trashed, restored or deleted (announced).
    `artefact_ids`: the artefact rows touched, when known. Ids without the `artefacts` flag mean a
        cache column only (thumb_path): nothing to announce, nobody has to reload.
    `validation_tool_ids`: tools with a newly saved validation report.
    `settings_keys`: settings rows written (no hub signal: readers read settings when they need them).
    `tools_rescanned`: discovery found added/removed/changed tool folders.
    `preset_tool_ids`: tools whose presets were saved, renamed, deleted or re-defaulted."""

    run_ids: frozenset[str] = field(default_factory=frozenset)
    tool_ids: frozenset[str] = field(default_factory=frozenset)
    workspaces: bool = False
    artefacts: bool = False
    artefact_ids: frozenset[int] = field(default_factory=frozenset)
    validation_tool_ids: frozenset[str] = field(default_factory=frozenset)
    settings_keys: frozenset[str] = field(default_factory=frozenset)
    tools_rescanned: bool = False
    preset_tool_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, *, run_ids: Iterable[str] | None = None, tool_ids: Iterable[str] | None = None,
           workspaces: bool = False, artefacts: bool = False, artefact_ids: Iterable[int] | None = None,
           validation_tool_ids: Iterable[str] | None = None, settings_keys: Iterable[str] | None = None,
           tools_rescanned: bool = False, preset_tool_ids: Iterable[str] | None = None) -> "Change":
        """Build from any iterables (lists, generators); the record keeps frozensets."""
        return cls(_strs(run_ids), _strs(tool_ids), bool(workspaces), bool(artefacts),
                   frozenset(int(i) for i in artefact_ids or ()), _strs(validation_tool_ids),
                   _strs(settings_keys), bool(tools_rescanned), _strs(preset_tool_ids))

    def __or__(self, other: "Change") -> "Change":
        if not isinstance(other, Change):
            return NotImplemented
        return Change(self.run_ids | other.run_ids, self.tool_ids | other.tool_ids,
                      self.workspaces or other.workspaces, self.artefacts or other.artefacts,
                      self.artefact_ids | other.artefact_ids,
                      self.validation_tool_ids | other.validation_tool_ids,
                      self.settings_keys | other.settings_keys,
                      self.tools_rescanned or other.tools_rescanned,
                      self.preset_tool_ids | other.preset_tool_ids)

    def __bool__(self) -> bool:
        return bool(self.run_ids or self.tool_ids or self.workspaces or self.artefacts or self.artefact_ids
                    or self.validation_tool_ids or self.settings_keys or self.tools_rescanned
                    or self.preset_tool_ids)


NOTHING = Change()


def merge(*changes: Change) -> Change:
    """One record for several writes (the empty merge is "nothing changed")."""
    out = NOTHING
    for c in changes:
        out = out | c
    return out
