"""Text Echo: a chat-layout tool that echoes what you type, or transforms it when the message
starts with a command (/upper, /reverse, /morse, /rot13, /slug, /count…). The reply streams
into the conversation word by word. Standard library only: a template for wiring up a real model."""

from __future__ import annotations

import codecs
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

try:
    from pixie_desktop import sdk
except ImportError:  # running from a checkout without the package installed
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
MORSE = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                 ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- ...- .-- "
                 "-..- -.-- --.. ----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----.".split()))


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def count(text: str) -> str:
    words = text.split()
    return (f"**{len(words)}** word{'s' if len(words) != 1 else ''}, **{len(text)}** characters, "
            f"**{sum(c.isalpha() for c in text)}** letters.")


COMMANDS = {
    "upper": ("UPPER CASE", lambda t: t.upper()),
    "lower": ("lower case", lambda t: t.lower()),
    "title": ("Title Case", lambda t: t.title()),
    "reverse": ("backwards", lambda t: t[::-1]),
    "mock": ("aLtErNaTiNg", lambda t: "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(t))),
    "rot13": ("ROT13 (run it twice to get the original back)", lambda t: codecs.encode(t, "rot13")),
    "morse": ("Morse code", lambda t: " / ".join(" ".join(MORSE[c] for c in w.upper() if c in MORSE)
                                                  for w in t.split())),
    "slug": ("a URL slug", slug),
    "count": ("counted", count),
}


def help_text() -> str:
    rows = "\n".join(f"- `/{name} text` — {desc}" for name, (desc, _) in COMMANDS.items())
    return f"I echo what you say. Start a message with a command to transform it instead:\n\n{rows}\n- `/help` — this list"


def reply_to(messages: list, turn: int) -> str:
    last = next((str(m.get("content", "")) for m in reversed(messages)
                 if isinstance(m, dict) and m.get("role") == "user"), "").strip()
    if not last:
        return "Say something and I will echo it back. " + "Type `/help` to see what else I can do."
    if last.startswith("/"):
        name, _, rest = last[1:].partition(" ")
        name = name.lower()
        if name in ("help", "?"):
            return help_text()
        if name not in COMMANDS:
            return f"I do not know `/{name}`. {help_text()}"
        if not rest.strip():
            return f"`/{name}` needs some text after it, e.g. `/{name} hello world`."
        desc, fn = COMMANDS[name]
        out = fn(rest.strip())
        return out if name == "count" else f"{desc.split(' (')[0].capitalize()}:\n\n```\n{out}\n```"
    echo = f"You said: “{last}”"
    if turn == 1:
        echo += "\n\nTry `/morse SOS`, `/reverse stressed` or `/help`."
    return echo


@tool.handler
def run(inputs: dict, ctx: sdk.RunContext) -> dict:
    messages = inputs.get("messages") or []
    if isinstance(messages, str):  # a bare prompt from the command line is fine too
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, list):
        raise sdk.ToolError("messages must be a list of {role, content}")
    turn = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "user")
    text = reply_to(messages, turn)
    delay = 0.0 if os.environ.get("PIXIE_VALIDATE") == "true" else 0.015
    for piece in re.findall(r"\S+\s*|\s+", text):  # word by word, like a model would stream
        if ctx.cancelled:
            break
        ctx.stream("reply", piece)
        if delay:
            time.sleep(delay)
    return {"reply": text}


if __name__ == "__main__":
    tool.serve()
