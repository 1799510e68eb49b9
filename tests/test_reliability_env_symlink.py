"""Issue 11, low: saving a secret into a symlinked `.env` writes through to the target when the
target is inside the tool folder, and refuses clearly otherwise (never silently replacing the
link, never writing outside the tool)."""

from __future__ import annotations

import os
import stat

import pytest

from pixie_desktop.artefacts.storage import SymlinkRefused
from pixie_desktop.runtime.secrets import read_env, write_secret

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks")


def test_env_linked_inside_the_tool_folder_is_written_through(tmp_path):
    tool = tmp_path / "tool"
    (tool / "secrets").mkdir(parents=True)
    real = tool / "secrets" / "dev.env"
    real.write_text("# dev keys\nOLD=1\n")
    (tool / ".env").symlink_to("secrets/dev.env")
    write_secret(tool, "API_KEY", "s3cret-value")
    assert (tool / ".env").is_symlink(), "the user's link is kept"
    assert "API_KEY" in real.read_text() and "# dev keys" in real.read_text()
    assert read_env(tool)["API_KEY"] == "s3cret-value"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600


def test_env_linked_outside_the_tool_folder_is_refused(tmp_path):
    tool = tmp_path / "tool"
    tool.mkdir()
    outside = tmp_path / "shared.env"
    outside.write_text("SHARED=1\n")
    (tool / ".env").symlink_to(outside)
    with pytest.raises(SymlinkRefused, match="symlink") as info:
        write_secret(tool, "API_KEY", "s3cret-value")
    assert str(outside) in str(info.value)
    assert outside.read_text() == "SHARED=1\n" and (tool / ".env").is_symlink()
