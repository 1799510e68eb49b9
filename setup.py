"""Package list for setuptools (everything else is in pyproject.toml).

`resources/` and `tools/` stay at the top of the repository but ship inside the wheel as
`pixie_desktop.resources` and `pixie_desktop.bundled_tools` (package-dir mapping in
pyproject.toml). pyproject.toml cannot combine `packages.find` with extra mapped packages, so the
found packages and the two mapped ones are listed here — with their sub-folders whose names are
importable (e.g. `tools/calculator/reference`), which setuptools otherwise warns are "absent from
the packages configuration" while still shipping them as data."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
MAPPED = {"pixie_desktop.resources": "resources", "pixie_desktop.bundled_tools": "tools"}


def data_packages(package: str, folder: str) -> list[str]:
    root = HERE / folder
    found = [package]
    for d in sorted(p for p in root.rglob("*") if p.is_dir()):
        parts = d.relative_to(root).parts
        if any(part.startswith(".") or part == "__pycache__" for part in parts):
            continue  # a tool's .venv and caches never ship
        if all(part.isidentifier() for part in parts):
            found.append(".".join((package, *parts)))
    return found


setup(packages=find_packages(include=["pixie_desktop", "pixie_desktop.*"])
      + [name for package, folder in MAPPED.items() for name in data_packages(package, folder)])
