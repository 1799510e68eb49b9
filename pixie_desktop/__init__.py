"""Pixie Desktop: a native Qt home for every small Python tool a person writes.

The package is split into a Qt-free core (store, spec, runtime, artefacts, validation) and a
thin Qt layer (ui). The CLI and the GUI call the same core functions.
"""

__version__ = "0.1.0"
APP_NAME = "Pixie Desktop"
APP_ID = "pixie-desktop"
