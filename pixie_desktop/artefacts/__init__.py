"""artefacts package."""
