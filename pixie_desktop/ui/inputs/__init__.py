"""ui/inputs package."""
