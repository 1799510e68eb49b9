"""Reusable widgets (tag editor, …) shared by several views."""
