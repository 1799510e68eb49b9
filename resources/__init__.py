"""App resources (icons, the .desktop template, the world outline), shipped in the wheel as
`pixie_desktop.resources` and found with `importlib.resources` (integration/paths.py)."""
