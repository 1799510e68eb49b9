"""Issue 11, High 1: rendering never touches the local file system on a tool's say-so.

A hostile tool names /dev/zero, a FIFO, /proc/self/…, file:///etc/passwd, a file outside its
run folder, or a remote URL — in markdown images, chat replies, image/video/file outputs and
SVG hrefs. Before the fix one such reply blocked the UI thread forever (a FIFO, /dev/zero read
by Qt while laying the text out) or aborted the process. The end-to-end cases run in a child
process (`_in_child`) so a hang or an abort fails the test instead of blocking the suite."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from child_process import child_only, run_in_child
from fixtures_ui_shell import make_tool, wait_idle

CHILD = os.environ.get("PIXIE_RENDER_CHILD") == "1"

def _red_png() -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(8, 8, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(buf.data())


CHILD_MEMORY = 6 * 1024 ** 3


def _in_child(name: str, timeout: float = 150) -> None:
    run_in_child(__file__, name, timeout=timeout, memory_bytes=CHILD_MEMORY)


HOSTILE_MAIN = '''
import base64, json, sys
from pathlib import Path
try:
    from pixie_desktop import sdk
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from pixie_desktop import sdk

tool = sdk.Tool(__file__)
PLAN = json.loads(Path(__file__).with_name("plan.json").read_text())


@tool.handler
def run(inputs, ctx):
    for chunk in PLAN.get("stream", []):
        ctx.stream(PLAN["stream_key"], chunk)
    out = dict(PLAN.get("outputs", {}))
    for key, b64 in PLAN.get("artefacts", {}).items():
        out[key] = str(ctx.artefact(key + ".png", base64.b64decode(b64)))
    return out


if __name__ == "__main__":
    tool.serve()
'''


def _hostile_paths(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outside = tmp_path / "outside.png"
    outside.write_bytes(_red_png())
    return {"fifo": str(fifo), "outside": str(outside)}


def _svg_with_href(href: str) -> str:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="8" height="8"><image x="0" y="0" width="8" height="8" xlink:href="{href}"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# -- end to end: the real main window -------------------------------------------------------------
@child_only
def test_child_hostile_outputs_in_the_main_window(qtbot, make_window, tools_dir, tmp_path):
    p = _hostile_paths(tmp_path)
    md = (f"Look: ![zero](/dev/zero) ![fifo]({p['fifo']}) ![proc](/proc/self/environ) "
          f"![passwd](file:///etc/passwd) ![outside]({p['outside']}) ![web](https://example.com/x.png)\n\n"
          f"<img src=\"{p['fifo']}\">")
    outputs = [{"key": "md", "type": "markdown", "label": "MD"},
               {"key": "zero", "type": "image", "label": "Zero"},
               {"key": "outside", "type": "image", "label": "Outside"},
               {"key": "mine", "type": "image", "label": "Mine"},
               {"key": "web", "type": "image", "label": "Web"},
               {"key": "svg", "type": "image", "label": "SVG"},
               {"key": "svg_fifo", "type": "image", "label": "SVG fifo"},
               {"key": "vid", "type": "video", "label": "Video"},
               {"key": "file", "type": "file", "label": "File"},
               # markup where a label shows tool text: a label's AutoText would lay it out as HTML
               {"key": "num", "type": "number", "label": f"<img src='{p['fifo']}'>"},
               {"key": "tagged", "type": "image", "label": "Tagged"}]
    plan = {"outputs": {"md": md, "zero": "/dev/zero", "outside": "file://" + p["outside"],
                        "web": "https://example.com/cat.png", "svg": _svg_with_href("file://" + p["outside"]),
                        "svg_fifo": _svg_with_href(p["fifo"]), "vid": p["fifo"],
                        "file": {"filename": "passwd", "url": "/etc/passwd"},
                        "num": {"value": 3, "label": f"<img src='{p['fifo']}'>"},
                        "tagged": f"<img src='{p['fifo']}'>"},
            "artefacts": {"mine": base64.b64encode(_red_png()).decode()}}
    d = make_tool(tools_dir, "hostile", outputs=outputs, main_py=HOSTILE_MAIN)
    (d / "plan.json").write_text(json.dumps(plan))
    win = make_window()
    win.resize(1200, 900)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_tool("hostile")
    page = win.tool_pages["hostile"]
    page.form.set_values({"x": "go"})
    assert page.run()
    wait_idle(qtbot, page, 60_000)
    assert page.last_result.status == "ok", page.last_result.error
    out = page.outputs
    win.grab()  # paint everything: Qt resolves markdown images while drawing
    qtbot.wait(300)
    win.grab()

    from pixie_desktop.ui.outputs.safe_media import REMOTE_PLACEHOLDER

    view = out.renderer("md").view
    refused = view.placeholders
    for src in ("/dev/zero", p["fifo"], "/proc/self/environ", "file:///etc/passwd", p["outside"]):
        assert src in refused and "not shown" in refused[src], (src, refused)
    assert refused["https://example.com/x.png"] == REMOTE_PLACEHOLDER

    qtbot.waitUntil(lambda: out.renderer("zero").notice is not None, timeout=10_000)
    assert "not a file of this run" in out.renderer("zero").notice
    qtbot.waitUntil(lambda: out.renderer("outside").notice is not None, timeout=10_000)
    assert out.renderer("outside").image is None
    qtbot.waitUntil(lambda: out.renderer("mine").image is not None, timeout=10_000)  # a file of this run
    assert out.renderer("web").notice == REMOTE_PLACEHOLDER
    svg = out.renderer("svg").image
    assert svg is not None and svg.pixelColor(4, 4).red() < 200 or svg.pixelColor(4, 4).alpha() == 0, \
        "the SVG drew a file from outside the run folder"
    assert out.renderer("svg_fifo").image is not None
    qtbot.waitUntil(lambda: "not" in out.renderer("vid").meta.text(), timeout=10_000)
    assert not out.renderer("vid").play_btn.isEnabled()
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    assert out.renderer("num").sub.text().startswith("<img")  # shown as the characters it is
    for lab in out.content.findChildren(QLabel):  # every card (the panel's own labels are ours)
        assert lab.property("richText") or lab.textFormat() == Qt.TextFormat.PlainText, lab.text()[:80]


CHAT_TOOL = {"layout": "chat", "inputs": [{"key": "messages", "type": "json", "label": "Messages", "default": []},
                                          {"key": "history", "type": "json", "label": "History", "default": [],
                                           "required": False},
                                          # one input beside the conversation (a chat tool whose form
                                          # is empty leaves a stray ToolForm window: tool_page, reported)
                                          {"key": "tone", "type": "text", "label": "Tone", "required": False}],
             "outputs": [{"key": "reply", "type": "stream_text", "label": "Reply", "streaming": True}]}


@child_only
def test_child_hostile_chat_reply(qtbot, make_window, tools_dir, tmp_path):
    p = _hostile_paths(tmp_path)
    chunks = ["Here ", "you go: ", "![z](/dev/zero) ", f"![f]({p['fifo']}) ", "![w](http://example.com/a.png)"]
    plan = {"stream_key": "reply", "stream": chunks}
    d = make_tool(tools_dir, "hostile-chat", inputs=CHAT_TOOL["inputs"], outputs=CHAT_TOOL["outputs"],
                  layout="chat", main_py=HOSTILE_MAIN)
    (d / "plan.json").write_text(json.dumps(plan))
    win = make_window()
    win.show()
    qtbot.waitExposed(win)
    assert win.open_tool("hostile-chat")
    page = win.tool_pages["hostile-chat"]
    page.chat.input.setPlainText("hello")
    page.chat.send_button.click()
    wait_idle(qtbot, page, 60_000)
    win.grab()
    qtbot.wait(300)
    win.grab()
    assert page.chat.messages[-1] == {"role": "assistant", "content": "".join(chunks)}
    from pixie_desktop.ui.outputs.safe_media import REMOTE_PLACEHOLDER

    bubbles = [b for b in page.chat.findChildren(__import__("pixie_desktop.ui.views.chat", fromlist=["Bubble"]).Bubble)
               if b.role == "assistant"]
    refused = bubbles[-1].view.placeholders
    assert "not shown" in refused["/dev/zero"] and "not shown" in refused[p["fifo"]]
    assert refused["http://example.com/a.png"] == REMOTE_PLACEHOLDER


@child_only
def test_child_artefact_preview_svg_with_external_hrefs(tmp_path, ctx):
    from pixie_desktop.ui.views.artefact_preview import load_preview

    p = _hostile_paths(tmp_path)
    svg = tmp_path / "evil.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
                   f'<image width="8" height="8" href="{p["fifo"]}"/>'
                   f'<image width="8" height="8" href="file://{p["outside"]}"/></svg>')
    data = load_preview(svg, "evil.svg", "image/svg+xml", "r1", str(ctx.settings.db_path), 1)
    assert data.kind == "svg" and data.images, data.note
    assert data.images[0].pixelColor(4, 4).red() < 200 or data.images[0].pixelColor(4, 4).alpha() == 0
    from pixie_desktop.ui.thumbnails import generate_image  # the gallery's thumbnails too

    thumb = generate_image(svg, "svg", 64)
    assert thumb is not None and (thumb.pixelColor(32, 32).red() < 200 or thumb.pixelColor(32, 32).alpha() == 0)


def test_hostile_outputs_in_the_main_window_neither_hang_nor_crash():
    _in_child("test_child_hostile_outputs_in_the_main_window")


def test_hostile_chat_reply_neither_hangs_nor_crashes():
    _in_child("test_child_hostile_chat_reply")


def test_artefact_preview_svg_never_opens_what_it_names():
    _in_child("test_child_artefact_preview_svg_with_external_hrefs")


# -- the gate itself ---------------------------------------------------------------------------
@pytest.fixture
def run_scope(tmp_path):
    from pixie_desktop.ui.outputs.safe_media import ResourceScope

    root = tmp_path / "artefacts"
    (root / "tool" / "run1").mkdir(parents=True)
    return ResourceScope(root, "tool", "run1")


def test_read_local_allows_only_regular_files_of_the_run(run_scope, tmp_path):
    from pixie_desktop.ui.outputs.safe_media import ResourceRefused, read_local

    folder = run_scope.run_folder
    (folder / "ok.txt").write_bytes(b"hello")
    assert read_local(folder / "ok.txt", run_scope) == b"hello"
    os.mkfifo(folder / "pipe")  # inside the run folder, but a FIFO: refused without blocking
    (tmp_path / "secret").write_text("s")
    os.symlink(tmp_path / "secret", folder / "link")  # a link out of the run folder
    os.symlink("/dev/zero", folder / "zero")
    for bad in (folder / "pipe", folder / "link", folder / "zero", Path("/dev/zero"), Path("/proc/self/environ"),
                tmp_path / "secret", folder / ".." / "run1" / ".." / ".." / "secret", folder):
        with pytest.raises(ResourceRefused):
            read_local(bad, run_scope)
    (folder / "big.bin").write_bytes(b"x" * 2000)
    with pytest.raises(ResourceRefused, match="too large"):
        read_local(folder / "big.bin", run_scope, limit=1000)


def test_no_run_means_no_local_files(tmp_path):
    from pixie_desktop.ui.outputs.safe_media import DENY_ALL, ResourceRefused, ResourceScope, fetch, read_local

    (tmp_path / "f").write_text("x")
    with pytest.raises(ResourceRefused):
        read_local(tmp_path / "f", DENY_ALL)
    with pytest.raises(ResourceRefused):  # ids that would escape the artefacts root
        read_local(tmp_path / "f", ResourceScope(tmp_path, "..", "x"))
    with pytest.raises(ResourceRefused, match="offline"):
        fetch("https://example.com/a.png", DENY_ALL)
    assert fetch("data:text/plain,hi", DENY_ALL) == ("text/plain", b"hi")


def test_sanitize_svg_strips_every_external_reference():
    import gzip

    from pixie_desktop.ui.outputs.safe_media import sanitize_svg

    evil = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image href="/dev/zero"/><image xlink:href=\'file:///etc/passwd\'/>'
            b'<use href="other.svg#a"/><use href="#local"/><image href="data:image/png;base64,AAAA"/>'
            b'<rect style="fill: url(file:///x.svg#p)"/><rect fill="url(#grad)"/></svg>')
    for data in (evil, gzip.compress(evil)):
        clean = sanitize_svg(data).decode()
        for gone in ("/dev/zero", "/etc/passwd", "other.svg", "file:///x.svg", "ENTITY"):
            assert gone not in clean, (gone, clean)
        for kept in ('href="#local"', "data:image/png;base64,AAAA", "url(#grad)"):
            assert kept in clean


def test_markdown_renderer_never_loads_what_it_is_told(qtbot, run_scope, tmp_path):
    from pixie_desktop.manifest.model import OutputSpec
    from pixie_desktop.ui.outputs import create_renderer
    from pixie_desktop.ui.outputs.safe_media import REMOTE_PLACEHOLDER

    (run_scope.run_folder / "pic.png").write_bytes(_red_png())
    r = create_renderer(OutputSpec(key="m", type="markdown", label="M"))
    qtbot.addWidget(r)
    r.scope = run_scope
    mine = str(run_scope.run_folder / "pic.png")
    r.set_value(f"![a](/etc/hostname) ![b](https://x.org/b.png) ![c]({mine}) [link](file:///etc/passwd)")
    r.grab()
    qtbot.waitUntil(lambda: "/etc/hostname" in r.view.placeholders, timeout=10_000)  # refused by a worker
    assert "not shown" in r.view.placeholders["/etc/hostname"]
    assert r.view.placeholders["https://x.org/b.png"] == REMOTE_PLACEHOLDER
    qtbot.waitUntil(lambda: mine in r.view._images and mine not in r.view._pending, timeout=10_000)
    assert r.view._images[mine].pixelColor(2, 2).red() > 200  # the run's own file is shown
    assert not r.view.openLinks()  # a link never navigates the browser to a local file
