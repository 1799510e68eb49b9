"""A tool folder's lifecycle (Qt-free): create one from a template, import a dropped folder, and
set up its own environment (`.venv`) from its declared dependencies."""
