"""Operating-system integration (Qt-free): per-user XDG locations, the freedesktop desktop entry
and icons the app installs so it can be launched and used with "Open with"."""
