"""Read queries shared by the desktop models, the CLI and (later) export and search. Qt-free."""
