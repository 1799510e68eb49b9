"""tool.json: the typed model, strict parsing with readable errors, and discovery."""

from pixie_desktop.spec.discovery import Discovery, ToolInfo, find_tool, sync_tool_state
from pixie_desktop.spec.model import INPUT_TYPES, OUTPUT_TYPES, InputSpec, OutputSpec, ToolSpec
from pixie_desktop.spec.parse import SpecError, coherence_problems, parse_tool_dict, parse_tool_file, parse_tool_json

__all__ = [
    "Discovery", "ToolInfo", "find_tool", "sync_tool_state", "INPUT_TYPES", "OUTPUT_TYPES", "InputSpec",
    "OutputSpec", "ToolSpec", "SpecError", "coherence_problems", "parse_tool_dict", "parse_tool_file",
    "parse_tool_json",
]
