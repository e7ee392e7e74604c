"""Config translation between the MMCV 1.x, iMIX and MMEngine dialects, source-preserving (no torch)."""
