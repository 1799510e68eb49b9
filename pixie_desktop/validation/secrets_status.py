"""Which secrets a tool needs and which are set — for the secrets editor and the tool page's
"missing secrets" warning before a run. Values never leave this module except to the editor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pixie_desktop.runtime.secrets import read_env


@dataclass
class SecretRow:
    key: str
    description: str | None
    required: bool
    declared: bool   # listed in tool.json `secrets` (else only present in .env)
    is_set: bool


def secret_rows(tool: Any) -> list[SecretRow]:
    """Declared secrets first (in tool.json order), then any other keys found in `.env`."""
    env = read_env(tool.path)
    rows: list[SecretRow] = []
    seen: set[str] = set()
    spec = getattr(tool, "spec", None)
    for s in (spec.secrets if spec is not None else []):
        if s.key in seen:
            continue
        seen.add(s.key)
        rows.append(SecretRow(s.key, s.description, bool(s.required), True, bool(env.get(s.key))))
    for key in env:
        if key not in seen:
            seen.add(key)
            rows.append(SecretRow(key, None, False, False, bool(env[key])))
    return rows


def missing_required_secrets(tool: Any) -> list[str]:
    """Keys of required declared secrets whose `.env` value is absent or empty."""
    return [r.key for r in secret_rows(tool) if r.required and not r.is_set]
