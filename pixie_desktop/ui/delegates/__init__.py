"""ui/delegates package."""
