"""Operations (no Qt): one function per user action. Each writes through the store and returns a
`Change` saying what it touched; the UI hands that record to `pixie_desktop.ui.publish.publish`,
which tells the rest of the window. Import an area module: `from pixie_desktop.ops import runs`."""

from pixie_desktop.ops.change import Change, merge

__all__ = ["Change", "merge"]
