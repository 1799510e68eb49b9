"""The kept dataclass code (pixie_desktop/dataclass_code.py): generated methods behave exactly as
without it, a second start compiles nothing it kept, and a bad cache file is only ignored."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pixie_desktop import dataclass_code

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path):
    dataclass_code.uninstall()
    path = tmp_path / "cache" / dataclass_code.FILE_NAME
    yield path
    dataclass_code.uninstall()


def _define():
    """A fresh set of classes using most of what dataclasses generates."""

    @dataclasses.dataclass(frozen=True, order=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple = ()

    @dataclasses.dataclass
    class Box:
        name: str
        items: list = dataclasses.field(default_factory=list)
        hidden: int = dataclasses.field(default=3, repr=False, compare=False)

        def total(self) -> int:
            return len(self.items) + self.hidden

    return Point, Box


def _exercise(Point, Box) -> list:
    p, q = Point(1, 2), Point(1, 3, ("a",))
    b = Box("b")
    b.items.append(1)
    out = [repr(p), p == Point(1, 2), p < q, hash(p) == hash(Point(1, 2)), repr(b), b.total(),
           Box("b", [1], hidden=9) == b, dataclasses.replace(q, y=5), [f.name for f in dataclasses.fields(Box)]]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    return [str(x) for x in out]


def test_methods_behave_as_without_the_cache_and_a_second_start_compiles_nothing(cache):
    plain = _exercise(*_define())

    dataclass_code.install(cache)
    assert vars(dataclasses)["exec"] is dataclass_code._exec  # noqa: SLF001
    first = _exercise(*_define())
    compiled = dataclass_code.stats()["compiled"]
    assert compiled >= 6 and first == plain  # __init__, __repr__, __eq__, order, frozen setattr/delattr…
    assert dataclass_code.save() and cache.is_file()
    assert not dataclass_code.save()  # nothing new: no rewrite

    dataclass_code.uninstall()  # the next start: only the file carries over
    assert "exec" not in vars(dataclasses)
    dataclass_code.install(cache)
    again = _exercise(*_define())
    assert again == plain
    assert dataclass_code.stats()["compiled"] == 0  # every method came from the file


def test_new_classes_are_added_to_the_file(cache):
    dataclass_code.install(cache)
    _define()
    dataclass_code.save()
    before = dataclass_code.stats()["entries"]

    @dataclasses.dataclass(eq=False)
    class Other:
        only_here: float = 1.5

    assert dataclass_code.stats()["entries"] > before and dataclass_code.save()
    dataclass_code.uninstall()
    dataclass_code.install(cache)
    assert dataclass_code.stats()["saved"] == dataclass_code.stats()["entries"] > before


@pytest.mark.parametrize("content", [
    b"",                                   # empty
    b"not a cache at all",                 # foreign
    b"PIXIE-DC1\n\x00\x00\r\nsome other python|0\n{}",   # another interpreter's
    None,                                  # damaged after a valid header
    "wrong-types",                         # valid marshal, wrong shape
])
def test_a_bad_file_is_ignored_and_replaced(cache, content):
    cache.parent.mkdir(parents=True)
    header = dataclass_code._header()  # noqa: SLF001
    if content is None:
        content = header + b"\xff\x00garbage"
    elif content == "wrong-types":
        import marshal

        content = header + marshal.dumps({"def f(): pass": "not code", 1: 2})
    cache.write_bytes(content)
    dataclass_code.install(cache)
    assert dataclass_code.stats()["entries"] == 0
    assert _exercise(*_define()) == _exercise(*_define())
    assert dataclass_code.save()
    dataclass_code.uninstall()
    dataclass_code.install(cache)
    assert dataclass_code.stats()["entries"] > 0  # the rewritten file is read back


@pytest.mark.parametrize("kind", ["fifo", "device", "symlink"])
def test_a_fifo_device_or_link_at_the_cache_path_is_not_read(cache, tmp_path, kind):
    """A FIFO would block the start forever on open(); /dev/zero would feed it; a symlink could
    point anywhere. None is read: the start goes on with an empty cache."""
    cache.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(cache)
    elif kind == "device":
        cache.symlink_to("/dev/zero")
    else:  # a valid cache file elsewhere: followed, it would fill the cache
        elsewhere = tmp_path / "elsewhere.marshal"
        dataclass_code.install(elsewhere)
        _define()
        assert dataclass_code.save() and dataclass_code.stats()["entries"] > 0
        dataclass_code.uninstall()
        cache.symlink_to(elsewhere)
    dataclass_code.install(cache)  # returns at once (a blocking open would hang the test until its timeout)
    assert dataclass_code.stats()["entries"] == 0
    assert _exercise(*_define()) == _exercise(*_define())


def test_an_unwritable_place_costs_nothing(cache, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    dataclass_code.install(blocker / "sub" / "cache.marshal")  # its folder cannot be made
    assert _exercise(*_define())
    assert dataclass_code.save() is False
    assert blocker.read_text() == "x" and not cache.parent.exists()
    assert not [p for p in tmp_path.rglob("*.tmp")]  # no temp file left behind


def test_a_real_launch_keeps_the_code_under_its_data_root(tmp_path):
    """`python -m pixie_desktop --version`-like launches install it; the cache lands under
    PIXIE_ROOT/.cache and a second launch compiles nothing it kept."""
    env = dict(os.environ, PIXIE_ROOT=str(tmp_path), PIXIE_LOG_DIR=str(tmp_path / "logs"),
               PIXIE_TOOLS_DIR=str(tmp_path / "tools"), PIXIE_DB_PATH=str(tmp_path / "pixie.db"),
               PIXIE_ARTEFACTS_ROOT=str(tmp_path / "artefacts"))
    code = textwrap.dedent("""
        import sys, atexit
        from pixie_desktop import __main__ as m, dataclass_code
        sys.argv = ["pixie-desktop", "list", "--json"]
        try:
            m.main()
        except SystemExit:
            pass
        print("COMPILED", dataclass_code.stats()["compiled"], file=sys.stderr)
    """)
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                           cwd=str(REPO)) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    counts = [int(r.stderr.split("COMPILED")[1].split()[0]) for r in runs]
    assert (tmp_path / ".cache" / dataclass_code.FILE_NAME).is_file()
    assert counts[0] > 10 and counts[1] == 0, counts
