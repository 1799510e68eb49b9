"""Desktop integration core (Qt-free): XDG paths, the freedesktop desktop entry and icons,
importing tool folders, scaffolding new tools from templates, setting up a tool's own
environment, and the fuzzy matcher / file-to-tool matching used by the palette and drop UI."""
