"""The tool manifest (`tool.json`): the typed model of a tool's inputs and outputs and strict
parsing with readable errors. Qt-free; used by discovery, the runtime, the validator and the UI."""

from pixie_desktop.manifest.model import INPUT_TYPES, OUTPUT_TYPES, InputSpec, OutputSpec, ToolSpec
from pixie_desktop.manifest.parse import (SpecError, coherence_problems, parse_tool_dict, parse_tool_file,
                                          parse_tool_json)

__all__ = [
    "INPUT_TYPES", "OUTPUT_TYPES", "InputSpec", "OutputSpec", "ToolSpec", "SpecError", "coherence_problems",
    "parse_tool_dict", "parse_tool_file", "parse_tool_json",
]
