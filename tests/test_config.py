"""Settings precedence: defaults < repo .env < environment < settings table; live changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixie_desktop import config
from pixie_desktop.store.db import open_db


def test_defaults_and_env_paths(isolated_env):
    s = config.load_settings()
    assert s.tools_dir == isolated_env["tools"] and s.db_path == isolated_env["db"]
    assert s.artefacts_root == isolated_env["artefacts"]
    assert s.warm_keep_seconds == 300 and s.warm_keep_max == 5 and s.inline_output_max_bytes == 65536
    assert s.soft_delete_retention_days == 7 and s.thumb_max_edge_px == 256


def test_precedence(tmp_path: Path, monkeypatch):
    root = tmp_path / "r"
    root.mkdir()
    (root / ".env").write_text("PIXIE_WARM_KEEP_MAX=7\nPIXIE_THUMB_MAX_EDGE_PX=128\nPIXIE_DB_PATH=data/x.db\n")
    monkeypatch.delenv("PIXIE_DB_PATH", raising=False)
    monkeypatch.setenv("PIXIE_THUMB_MAX_EDGE_PX", "64")
    s = config.load_settings(root)
    assert s.warm_keep_max == 7 and s.sources["warm_keep_max"] == ".env"
    assert s.thumb_max_edge_px == 64 and s.sources["thumb_max_edge_px"] == "env"
    assert s.db_path == (root / "data" / "x.db").resolve()
    conn = open_db(tmp_path / "s.db")
    config.save_setting(s, conn, "thumb_max_edge_px", "96")
    fresh = config.load_settings(root, conn=conn)
    assert fresh.thumb_max_edge_px == 96 and fresh.sources["thumb_max_edge_px"] == "db"
    config.reset_setting(fresh, conn, "thumb_max_edge_px")
    assert fresh.thumb_max_edge_px == 64


def test_bad_values(isolated_env, monkeypatch, conn):
    monkeypatch.setenv("PIXIE_WARM_KEEP_MAX", "lots")
    s = config.load_settings()
    assert s.warm_keep_max == 5  # a bad env value never stops the app
    with pytest.raises(ValueError, match="above the maximum"):
        config.save_setting(s, conn, "warm_keep_max", 1000)
    with pytest.raises(ValueError, match="not one of"):
        config.save_setting(s, conn, "theme", "purple")


def test_live_listeners(conn):
    s = config.load_settings()
    seen = []
    off = config.on_setting_changed(lambda k, v: seen.append((k, v)))
    try:
        config.save_setting(s, conn, "developer_mode", "yes")
    finally:
        off()
    assert seen == [("developer_mode", True)] and s.developer_mode is True


def test_every_reference_setting_present():
    names = {d.name for d in config.SETTING_DEFS}
    for n in ("port", "host", "tools_dir", "db_path", "warm_keep_seconds", "warm_keep_max", "developer_mode",
              "theme", "accent", "density", "artefacts_root", "max_artefact_bytes_per_run",
              "max_artefacts_per_run", "artefacts_total_disk_cap_bytes", "dedup_artefacts", "thumb_max_edge_px",
              "thumb_workers", "sweeper_interval_seconds", "soft_delete_retention_days",
              "inline_output_max_bytes", "library_page_size"):
        assert n in names


def test_accent_choices_match_the_theme():
    from pixie_desktop.ui.theme import ACCENTS

    assert set(config.SETTINGS_BY_NAME["accent"].choices) == set(ACCENTS)
