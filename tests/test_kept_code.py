"""The kept code (pixie_desktop/kept_code.py): dataclass methods and PySide6's support modules
behave exactly as without it, a second start compiles nothing it kept, and a bad cache file is
only ignored."""

from __future__ import annotations

import ast
import builtins
import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pixie_desktop import kept_code

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path):
    kept_code.uninstall()
    path = tmp_path / "cache" / kept_code.FILE_NAME
    yield path
    kept_code.uninstall()


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

    kept_code.install(cache)
    assert vars(dataclasses)["exec"] is kept_code._exec  # noqa: SLF001
    first = _exercise(*_define())
    compiled = kept_code.stats()["compiled"]
    assert compiled >= 6 and first == plain  # __init__, __repr__, __eq__, order, frozen setattr/delattr…
    assert kept_code.save() and cache.is_file()
    assert not kept_code.save()  # nothing new: no rewrite

    kept_code.uninstall()  # the next start: only the file carries over
    assert "exec" not in vars(dataclasses)
    kept_code.install(cache)
    again = _exercise(*_define())
    assert again == plain
    assert kept_code.stats()["compiled"] == 0  # every method came from the file


def test_new_classes_are_added_to_the_file(cache):
    kept_code.install(cache)
    _define()
    kept_code.save()
    before = kept_code.stats()["entries"]

    @dataclasses.dataclass(eq=False)
    class Other:
        only_here: float = 1.5

    assert kept_code.stats()["entries"] > before and kept_code.save()
    kept_code.uninstall()
    kept_code.install(cache)
    assert kept_code.stats()["saved"] == kept_code.stats()["entries"] > before


@pytest.mark.parametrize("content", [
    b"",                                   # empty
    b"not a cache at all",                 # foreign
    b"PIXIE-KC1\n\x00\x00\r\nsome other python|0\n{}",   # another interpreter's
    None,                                  # damaged after a valid header
    "wrong-types",                         # valid marshal, wrong shape
])
def test_a_bad_file_is_ignored_and_replaced(cache, content):
    cache.parent.mkdir(parents=True)
    header = kept_code._header()  # noqa: SLF001
    if content is None:
        content = header + b"\xff\x00garbage"
    elif content == "wrong-types":
        import marshal

        content = header + marshal.dumps({"def f(): pass": "not code", 1: 2})
    cache.write_bytes(content)
    kept_code.install(cache)
    assert kept_code.stats()["entries"] == 0
    assert _exercise(*_define()) == _exercise(*_define())
    assert kept_code.save()
    kept_code.uninstall()
    kept_code.install(cache)
    assert kept_code.stats()["entries"] > 0  # the rewritten file is read back


def test_a_file_grown_past_its_cap_is_rebuilt_from_one_start(cache, monkeypatch):
    """Entries of earlier versions stay in the file; once it outgrows MAX_BYTES it is not read
    (a start must not load megabytes of stale code) and the next save holds only this start's."""
    kept_code.install(cache)
    for i in range(40):  # stale entries: sources no start compiles any more
        kept_code._compile(b"x = %d" % i + b" " * 2000, "old.py", "exec")  # noqa: SLF001
    _define()
    assert kept_code.save()
    grown = cache.stat().st_size
    kept_code.uninstall()
    monkeypatch.setattr(kept_code, "MAX_BYTES", grown - 1)
    kept_code.install(cache)
    assert kept_code.stats()["entries"] == 0  # not read
    _define()
    assert kept_code.save()
    assert cache.stat().st_size < grown
    kept_code.uninstall()
    kept_code.install(cache)
    assert 0 < kept_code.stats()["entries"] < 40


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
        kept_code.install(elsewhere)
        _define()
        assert kept_code.save() and kept_code.stats()["entries"] > 0
        kept_code.uninstall()
        cache.symlink_to(elsewhere)
    kept_code.install(cache)  # returns at once (a blocking open would hang the test until its timeout)
    assert kept_code.stats()["entries"] == 0
    assert _exercise(*_define()) == _exercise(*_define())


def test_an_unwritable_place_costs_nothing(cache, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    kept_code.install(blocker / "sub" / "cache.marshal")  # its folder cannot be made
    assert _exercise(*_define())
    assert kept_code.save() is False
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
        from pixie_desktop import __main__ as m, kept_code
        sys.argv = ["pixie-desktop", "list", "--json"]
        try:
            m.main()
        except SystemExit:
            pass
        print("COMPILED", kept_code.stats()["compiled"], file=sys.stderr)
    """)
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                           cwd=str(REPO)) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    counts = [int(r.stderr.split("COMPILED")[1].split()[0]) for r in runs]
    assert (tmp_path / ".cache" / kept_code.FILE_NAME).is_file()
    assert counts[0] > 10 and counts[1] == 0, counts


SUPPORT_SOURCE = b"""
def f(x: not_defined_anywhere) -> int:
    return 1

class C:
    y: also_undefined = 3
"""


def _no_future_caller():
    """A function compiled without `from __future__ import annotations` (this file has it)."""
    ns: dict = {}
    exec(compile("def call(c, src):\n    return c(src, 'm.py', 'exec')\n", "helper.py", "exec",  # noqa: S102
                 dont_inherit=True), ns)
    return ns["call"]


def test_compile_gives_what_the_builtin_gives_and_compiles_each_source_once(cache):
    """The caller's `from __future__` flags are passed on as the builtin passes them (shiboken's
    bootstrap has `annotations`), a second compile of the same source is the kept code object,
    and a code object read back from the file runs the same."""
    kept_code.install(cache)
    ours = kept_code._compile(SUPPORT_SOURCE, "m.py", "exec")  # noqa: SLF001
    theirs = compile(SUPPORT_SOURCE, "m.py", "exec")
    assert ours.co_flags == theirs.co_flags and ours.co_filename == "m.py"
    for code in (ours, theirs):
        ns: dict = {}
        exec(code, ns)  # noqa: S102 - annotations stay strings: nothing undefined is looked up
        assert ns["f"].__annotations__ == {"x": "not_defined_anywhere", "return": "int"}

    call = _no_future_caller()  # …and without the flag, both evaluate the annotation
    plain, builtin = call(kept_code._compile, SUPPORT_SOURCE), call(compile, SUPPORT_SOURCE)  # noqa: SLF001
    assert plain.co_flags == builtin.co_flags != ours.co_flags
    for code in (plain, builtin):
        with pytest.raises(NameError):
            exec(code, {})  # noqa: S102

    compiled = kept_code.stats()["compiled"]
    assert compiled == 2  # one per (filename, flags, source)
    assert kept_code._compile(SUPPORT_SOURCE, "m.py", "exec") is ours  # noqa: SLF001
    assert kept_code._compile(SUPPORT_SOURCE, "other.py", "exec") is not ours  # noqa: SLF001
    assert kept_code.stats()["compiled"] == 3
    assert kept_code.save()

    kept_code.uninstall()  # the next start
    kept_code.install(cache)
    again = kept_code._compile(SUPPORT_SOURCE, "m.py", "exec")  # noqa: SLF001
    assert kept_code.stats()["compiled"] == 0 and again.co_flags == ours.co_flags
    ns = {}
    exec(again, ns)  # noqa: S102
    assert ns["C"].y == 3 and ns["f"](0) == 1


def test_every_other_compile_goes_to_the_builtin_untouched(cache):
    kept_code.install(cache)
    assert eval(kept_code._compile(b"1 + 2", "e.py", "eval")) == 3  # noqa: S307, SLF001
    assert isinstance(kept_code._compile(b"x = 1", "a.py", "exec", ast.PyCF_ONLY_AST), ast.Module)  # noqa: SLF001
    assert isinstance(kept_code._compile("x = 1", "s.py", "exec"), type(compile("", "", "exec")))  # noqa: SLF001
    assert isinstance(kept_code._compile(b"x = 1", "o.py", "exec", optimize=2), type(compile("", "", "exec")))  # noqa: SLF001
    with pytest.raises(SyntaxError) as err:
        kept_code._compile(b"def (:", "broken.py", "exec")  # noqa: SLF001
    assert err.value.filename == "broken.py"
    assert kept_code.stats()["entries"] == 0 and kept_code.stats()["compiled"] == 0  # nothing kept


def test_pyside_support_compiles_go_through_the_cache_only_around_the_first_import(cache, monkeypatch):
    builtin = builtins.compile
    with kept_code.compiling_pyside_support():  # not installed (a test, not a launch): nothing
        assert builtins.compile is builtin
    kept_code.install(cache)
    with kept_code.compiling_pyside_support():  # PySide6 is already imported in this process
        assert builtins.compile is builtin
    monkeypatch.delitem(sys.modules, "shiboken6", raising=False)
    with pytest.raises(RuntimeError), kept_code.compiling_pyside_support():
        assert builtins.compile is kept_code._compile  # noqa: SLF001
        raise RuntimeError("the import failed")
    assert builtins.compile is builtin  # given back even so


def test_a_real_window_start_keeps_pyside_support_and_the_next_compiles_nothing(tmp_path):
    """Two real starts to the first paint (offscreen): the first compiles shiboken's support
    modules and the start's dataclasses and keeps them; the second compiles nothing at all."""
    env = dict(os.environ, PIXIE_ROOT=str(tmp_path), PIXIE_LOG_DIR=str(tmp_path / "logs"),
               PIXIE_TOOLS_DIR=str(tmp_path / "tools"), PIXIE_DB_PATH=str(tmp_path / "pixie.db"),
               PIXIE_ARTEFACTS_ROOT=str(tmp_path / "artefacts"), QT_QPA_PLATFORM="offscreen",
               PIXIE_FIRST_PAINT_PROBE="0")
    old = tmp_path / ".cache" / kept_code.OLD_FILE_NAMES[0]
    old.parent.mkdir(parents=True)
    old.write_bytes(b"an earlier version's cache")
    counts = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "pixie_desktop"], env=env, capture_output=True, text=True,
                              timeout=120, cwd=str(REPO))
        assert proc.returncode == 0, proc.stderr[-3000:]
        counts.append(int(next(ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("PIXIE_COMPILED "))))
    import marshal

    data = (tmp_path / ".cache" / kept_code.FILE_NAME).read_bytes()
    keys = marshal.loads(data[len(kept_code._header()):])  # noqa: SLF001
    support = sorted(k[0] for k in keys if isinstance(k, tuple))
    assert "shibokensupport/signature/loader.py" in support and len(support) >= 10, support
    assert sum(isinstance(k, str) for k in keys) > 50  # the dataclass methods
    assert counts[0] > len(support) and counts[1] == 0, counts
    assert not old.exists()  # the earlier name is cleaned up
