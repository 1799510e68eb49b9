"""ui/outputs package."""
