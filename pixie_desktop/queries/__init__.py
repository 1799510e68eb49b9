"""Read queries (no Qt) shared by the desktop models and views, the CLI and (later) export and
search: runs, tools with their state, workspaces, artefacts, validation reports, settings and the
home page's ranking. Import an area module: `from pixie_desktop.queries import runs`."""
