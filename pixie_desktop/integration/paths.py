"""Per-user desktop locations (freedesktop XDG on Linux) and the app's installed launcher.

Kept free of Qt so the CLI (`install-desktop-entry`) and tests use the same answers as the GUI.
macOS/Windows locations are documented in docs/desktop-integration.md."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from pixie_desktop import APP_ID

ICON_SIZES: tuple[int, ...] = (16, 32, 48, 64, 128, 256)
DESKTOP_FILE_NAME = f"{APP_ID}.desktop"
ICON_NAME = APP_ID


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "").strip()
    # The spec says a relative path in an XDG variable is invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def xdg_data_home() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share")


def applications_dir() -> Path:
    return xdg_data_home() / "applications"


def hicolor_dir() -> Path:
    return xdg_data_home() / "icons" / "hicolor"


def desktop_file_path() -> Path:
    return applications_dir() / DESKTOP_FILE_NAME


def icon_install_paths() -> dict[str, Path]:
    """Where each icon variant goes: 'scalable' → the SVG, '<n>' → the n×n PNG."""
    out = {"scalable": hicolor_dir() / "scalable" / "apps" / f"{ICON_NAME}.svg"}
    for n in ICON_SIZES:
        out[str(n)] = hicolor_dir() / f"{n}x{n}" / "apps" / f"{ICON_NAME}.png"
    return out


@functools.lru_cache(maxsize=None)  # where an installed package lives does not change while the app runs
def package_data_dir(package: str) -> Path:
    """The folder of a data package (`pixie_desktop.resources`, `pixie_desktop.bundled_tools`):
    the repository's top-level folder in a checkout or editable install, the copy inside
    site-packages when installed from a wheel. Qt style sheets and file copies need a real
    folder, so a zipped install is refused with a clear message."""
    import importlib.util

    # a regular package on disk (the common case, and the one every start asks for): its folder,
    # from the import system's own answer, without loading importlib.resources
    spec = importlib.util.find_spec(package)
    where = list(getattr(spec, "submodule_search_locations", None) or [])
    if spec is not None and spec.origin and len(where) == 1 and os.path.isdir(where[0]):
        return Path(where[0])
    from importlib.resources import files

    root = files(package)
    if not isinstance(root, Path):
        raise RuntimeError(f"{package} is not a folder on disk ({root!r}); install Pixie Desktop unzipped")
    return root


def resources_dir() -> Path:
    """`resources/` (icons, the .desktop template, the world outline)."""
    return package_data_dir("pixie_desktop.resources")


def bundled_tools_dir() -> Path:
    """The example tools shipped with the app (`tools/` of the repository)."""
    return package_data_dir("pixie_desktop.bundled_tools")


def icon_svg() -> Path:
    return resources_dir() / "icons" / f"{ICON_NAME}.svg"


def icon_png(size: int) -> Path:
    return resources_dir() / "icons" / f"{ICON_NAME}-{size}.png"


def launcher_command() -> list[str]:
    """The command a double-click should run: the `pixie-desktop` script installed next to the
    running interpreter (absolute, so it works without the venv on PATH). If the package was
    never installed as a script, fall back to `<python> -m pixie_desktop`."""
    bindir = Path(sys.executable).parent
    for name in (APP_ID, f"{APP_ID}.exe"):
        candidate = bindir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "pixie_desktop"]


def shell_display(argv: list[str]) -> str:
    import shlex

    return " ".join(shlex.quote(a) for a in argv)
