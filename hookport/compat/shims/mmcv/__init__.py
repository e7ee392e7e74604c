"""Stand-in for the ``mmcv`` package (MMCV 1.x runner API only)."""
__version__ = "1.7.2"
