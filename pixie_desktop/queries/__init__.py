"""Read queries (no Qt) shared by the window's models and views and the CLI commands: runs,
tools with their state, workspaces, artefacts, validation reports, settings and the home page's
ranking. Import an area module: `from pixie_desktop.queries import runs`."""
