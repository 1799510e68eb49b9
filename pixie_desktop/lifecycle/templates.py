"""Templates for `new-tool`: a working tool per layout (form, chat) written against the stdlib
SDK (`pixie_desktop.sdk`), so a new tool runs with zero setup on the app's interpreter.
Placeholders `{{TOOL_ID}}`, `{{TOOL_NAME}}`, `{{DESCRIPTION}}` are filled by `scaffold.py`
(the reference's scaffold-tool uses the same names)."""

from __future__ import annotations

LAYOUTS = ("form", "chat")

# main.py prefers the app's SDK; inside a tool's own .venv (which does not have the app) it falls
# back to the copy vendored next to main.py as _pixie_sdk.py.
_SDK_IMPORT = '''try:
    from pixie_desktop import sdk
except ImportError:  # running in the tool's own .venv: use the vendored copy
    import _pixie_sdk as sdk  # type: ignore[no-redef]
'''

FORM_TOOL_JSON = {
    "id": "{{TOOL_ID}}",
    "name": "{{TOOL_NAME}}",
    "description": "{{DESCRIPTION}}",
    "version": "0.1.0",
    "category": "my tools",
    "icon": "sparkles",
    "layout": "form",
    "tags": ["new"],
    "inputs": [
        {"key": "text", "type": "textarea", "label": "Text",
         "description": "Any text: it is transformed and measured.",
         "placeholder": "Paste or type some text", "default": "Pixie makes small tools feel at home."},
        {"key": "case", "type": "select", "label": "Transform", "default": "title",
         "options": [{"value": "upper", "label": "UPPER CASE"}, {"value": "lower", "label": "lower case"},
                     {"value": "title", "label": "Title Case"}, {"value": "reverse", "label": "esreveR"}]},
        {"key": "repeat", "type": "number", "label": "Repeat", "default": 1, "min": 1, "max": 10, "step": 1,
         "required": False},
    ],
    "outputs": [
        {"key": "result", "type": "text", "label": "Result"},
        {"key": "stats", "type": "kv", "label": "Statistics", "layout": "inline"},
        {"key": "letters", "type": "chart_bar", "label": "Most common letters"},
    ],
}

FORM_MAIN = '''"""{{TOOL_NAME}}: {{DESCRIPTION}}

A Pixie tool. Edit `transform` below, then press Run in Pixie Desktop. Inputs and outputs are
declared in tool.json; the returned dict is keyed by output key."""

from collections import Counter

''' + _SDK_IMPORT + '''
tool = sdk.Tool(__file__)


def transform(text: str, case: str) -> str:
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "reverse":
        return text[::-1]
    return text.title()


@tool.handler
def run(inputs, ctx):
    text = str(inputs.get("text") or "")
    repeat = int(inputs.get("repeat") or 1)
    result = "\\n".join([transform(text, str(inputs.get("case") or "title"))] * max(1, min(repeat, 10)))
    letters = Counter(c.lower() for c in text if c.isalpha()).most_common(8)
    return {
        "result": result,
        "stats": {"pairs": {"Characters": len(text), "Words": len(text.split()),
                            "Lines": text.count("\\n") + 1 if text else 0}},
        "letters": {"x": [k for k, _ in letters], "series": [{"name": "count", "y": [v for _, v in letters]}]},
    }


if __name__ == "__main__":
    tool.serve()
'''

CHAT_TOOL_JSON = {
    "id": "{{TOOL_ID}}",
    "name": "{{TOOL_NAME}}",
    "description": "{{DESCRIPTION}}",
    "version": "0.1.0",
    "category": "my tools",
    "icon": "message-circle",
    "layout": "chat",
    "tags": ["new", "chat"],
    "inputs": [
        {"key": "messages", "type": "json", "label": "Messages",
         "description": "The conversation so far: a list of {role, content}."},
        {"key": "history", "type": "json", "label": "History", "default": [], "required": False},
    ],
    "outputs": [
        {"key": "reply", "type": "stream_text", "label": "Reply", "streaming": True},
    ],
}

CHAT_MAIN = '''"""{{TOOL_NAME}}: {{DESCRIPTION}}

A Pixie chat tool. `reply_to` gets the conversation and yields the answer in pieces, which
stream into the chat as they are produced. Replace it with a call to your model of choice."""

import time

''' + _SDK_IMPORT + '''
tool = sdk.Tool(__file__)


def reply_to(messages):
    last = next((m.get("content", "") for m in reversed(messages or []) if m.get("role") == "user"), "")
    words = str(last).split()
    yield f"You said {len(words)} word{'s' if len(words) != 1 else ''}. "
    if words:
        yield "Backwards, that is: "
        for word in reversed(words):
            yield word[::-1] + " "
            time.sleep(0.02)


@tool.handler
def run(inputs, ctx):
    messages = inputs.get("messages") or []
    if isinstance(messages, str):  # a bare prompt is fine too
        messages = [{"role": "user", "content": messages}]
    parts = []
    for chunk in reply_to(messages):
        if ctx.cancelled:
            break
        parts.append(chunk)
        ctx.stream("reply", chunk)
    return {"reply": "".join(parts).strip()}


if __name__ == "__main__":
    tool.serve()
'''

PYPROJECT = '''[project]
name = "{{TOOL_ID}}"
version = "0.1.0"
description = "{{DESCRIPTION}}"
requires-python = ">=3.10"
# Zero setup: without a .venv this tool runs on Pixie Desktop's own Python, so it can already
# import the app's packages: PySide6 (QtGui's QImage reads/writes PNG, JPEG, GIF, WebP, BMP with no
# display), matplotlib, PyYAML, Pygments, psutil. Listing those here needs no environment.
# For anything else, add it and use "Set up environment" in Pixie Desktop (or
# `pixie-desktop setup-tool {{TOOL_ID}}`) to create the tool's own .venv.
dependencies = []
'''

README = '''# {{TOOL_NAME}}

{{DESCRIPTION}}

- `tool.json` declares the inputs and outputs (see the Pixie tool contract).
- `main.py` holds the code; `run(inputs, ctx)` returns a dict keyed by output key.
- Zero setup: with no `.venv` the tool runs on Pixie Desktop's own Python, so it can already use
  the app's packages — PySide6 (`QImage` reads and writes PNG, JPEG, GIF, WebP, BMP without a
  display) and matplotlib among them.
- Needs another third-party package? List it in `pyproject.toml` and run
  `pixie-desktop setup-tool {{TOOL_ID}}`: the tool then runs in its own `.venv`.
'''

GITIGNORE = ".venv/\n__pycache__/\n.env\n"
