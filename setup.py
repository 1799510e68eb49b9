"""Package list for setuptools (everything else is in pyproject.toml).

`resources/` and `tools/` stay at the top of the repository but ship inside the wheel as
`pixie_desktop.resources` and `pixie_desktop.bundled_tools` (package-dir mapping in
pyproject.toml). pyproject.toml cannot combine `packages.find` with extra mapped packages, so the
found packages and the two mapped ones are listed here."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["pixie_desktop", "pixie_desktop.*"])
      + ["pixie_desktop.resources", "pixie_desktop.bundled_tools"])
