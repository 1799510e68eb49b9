"""Finding things (Qt-free): the fuzzy matcher behind the sidebar search and command palette, and
which tools (and which of their inputs) take a given set of files."""
