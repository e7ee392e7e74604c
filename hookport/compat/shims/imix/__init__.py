"""Stand-in for the ``imix`` package (the hook API only), served when iMIX is not installed."""
__version__ = "0.1.0"
