"""The tool catalog: discovering tool folders under `tools/`, caching their parsed manifests by
hash, and keeping the `tool_state` table in step with what is on disk. Qt-free."""

from pixie_desktop.catalog.discovery import Discovery, ToolInfo, find_tool, sync_tool_state

__all__ = ["Discovery", "ToolInfo", "find_tool", "sync_tool_state"]
