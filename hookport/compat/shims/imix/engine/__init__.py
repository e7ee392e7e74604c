"""Stand-in for ``imix.engine`` (hooks only)."""
