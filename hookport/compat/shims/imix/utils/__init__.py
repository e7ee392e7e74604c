"""Stand-in for ``imix.utils`` (the helpers iMIX hooks import: distributed info, registry, checkpoint)."""
