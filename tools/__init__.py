"""The bundled example tools, shipped in the wheel as `pixie_desktop.bundled_tools`. A checkout
uses this folder as its tools dir; an installed app copies them into the user's tools dir on its
first start (lifecycle/bundled.py). Discovery skips this file (names starting with "_")."""
