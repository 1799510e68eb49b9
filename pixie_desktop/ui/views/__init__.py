"""Top-level windows and pages."""
