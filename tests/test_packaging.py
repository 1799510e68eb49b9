"""Assets ship with the package: resources/ and tools/ are found through importlib.resources
(as pixie_desktop.resources and pixie_desktop.bundled_tools), the wheel's package-data globs
cover them, and an installed app seeds its tools dir with the bundled tools on first start.
The wheel itself is built and run by scripts/check_wheel.sh (too heavy for the suite)."""

from __future__ import annotations

import glob
import json
from importlib.resources import files
from pathlib import Path

import pytest

from pixie_desktop.catalog.discovery import Discovery
from pixie_desktop.integration import paths
from pixie_desktop.lifecycle.bundled import seed_bundled_tools

REPO = Path(__file__).resolve().parent.parent


def test_resources_package_holds_icons_template_and_map():
    res = files("pixie_desktop.resources")
    assert (res / "icons" / "pixie-desktop.svg").is_file()
    for size in paths.ICON_SIZES:
        assert (res / "icons" / f"pixie-desktop-{size}.png").is_file()
    for name in ("chevron-down", "chevron-up"):  # referenced by the shared style sheet (ui/theme.py)
        assert (res / "icons" / f"{name}.svg").is_file()
    assert "Exec=" in (res / "pixie-desktop.desktop.in").read_text()
    assert json.loads((res / "world_outline.json").read_text())["land"]


def test_bundled_tools_package_holds_the_tools():
    tools = files("pixie_desktop.bundled_tools")
    calc = json.loads((tools / "calculator" / "tool.json").read_text())
    assert calc["id"] == "calculator" and (tools / "calculator" / "main.py").is_file()
    found = Discovery(paths.bundled_tools_dir()).scan()
    assert {t.tool_id for t in found} >= {"calculator", "csv-summary", "image-thumbnail", "slow-counter"}
    assert all(t.ok for t in found)


def test_checkout_resolves_to_the_top_level_folders():
    """In a checkout (and an editable install) the data packages are the repository's folders,
    so editing resources/ or tools/ needs no reinstall."""
    assert paths.resources_dir() == REPO / "resources"
    assert paths.bundled_tools_dir() == REPO / "tools"


def _package_data() -> dict[str, list[str]]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"pixie_desktop.resources": "resources", "pixie_desktop.bundled_tools": "tools"}
    return config["package-data"]


def test_package_data_globs_cover_every_shipped_file():
    """A new kind of resource file must get a glob in pyproject.toml, or the wheel lacks it."""
    data = _package_data()
    for package, folder in (("pixie_desktop.resources", "resources"), ("pixie_desktop.bundled_tools", "tools")):
        root = REPO / folder
        matched = {Path(p) for pattern in data[package] for p in glob.glob(str(root / pattern), recursive=True)}
        wanted = {p for p in root.rglob("*") if p.is_file() and p.name != "__init__.py"
                  and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts)}
        assert wanted and wanted <= matched, sorted(str(p.relative_to(REPO)) for p in wanted - matched)


def _fake_bundle(tmp_path: Path) -> Path:
    src = tmp_path / "bundle"
    for name in ("alpha", "beta"):
        (src / name / "fixtures").mkdir(parents=True)
        (src / name / "tool.json").write_text(json.dumps({"id": name}))
        (src / name / "fixtures" / "in.txt").write_text("x")
        (src / name / ".venv").mkdir()
        (src / name / ".env").write_text("TOKEN=secret")
        (src / name / "__pycache__").mkdir()
    (src / "not-a-tool").mkdir()
    (src / "__init__.py").write_text("")
    return src


def test_installed_first_start_copies_bundled_tools_once(tmp_path):
    src = _fake_bundle(tmp_path)
    dest = tmp_path / "data" / "tools"
    assert seed_bundled_tools(dest, installed=True, source=src) == ["alpha", "beta"]
    assert sorted(p.name for p in dest.iterdir()) == ["alpha", "beta"]
    assert (dest / "alpha" / "fixtures" / "in.txt").read_text() == "x"
    assert not any((dest / "alpha" / n).exists() for n in (".venv", ".env", "__pycache__"))
    assert not (tmp_path / "data" / "tools.seeding").exists()
    # Later starts leave the user's tools dir alone, even a tool they deleted.
    import shutil

    shutil.rmtree(dest / "beta")
    assert seed_bundled_tools(dest, installed=True, source=src) == []
    assert sorted(p.name for p in dest.iterdir()) == ["alpha"]


def test_checkout_never_seeds(tmp_path):
    dest = tmp_path / "tools"
    assert seed_bundled_tools(dest, installed=False, source=_fake_bundle(tmp_path)) == []
    assert not dest.exists()
    # The test run itself is a checkout: open_context never copies anything.
    assert seed_bundled_tools(dest) == [] and not dest.exists()


def test_installed_app_root_is_the_user_data_dir(monkeypatch, tmp_path):
    from pixie_desktop import config

    monkeypatch.delenv("PIXIE_ROOT")
    assert config.app_root() == REPO  # checkout
    monkeypatch.setattr(config, "running_from_checkout", lambda: False)
    assert config.app_root() == Path(tmp_path / "home" / "xdg_data_home" / "pixie-desktop")
