"""Stand-in for ``mmcv.runner`` (filled by the MMCV dialect)."""
