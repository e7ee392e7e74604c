"""val/test loops complete or absent: MMEngine builds a loop only from its cfg, dataloader and evaluator together.

MMEngine (and hookport's runner) refuse a config where some of ``val_cfg``, ``val_dataloader``,
``val_evaluator`` (or the ``test_`` three) are set and others are not. Each translator writes
its own part (runner -> the loop cfgs, data -> the dataloaders, evaluation -> the evaluators),
so a complete training config can end up with an incomplete set. The original behaviour
decides what the set becomes:

- no dataset for the split (no ``data.val`` / ``data.test``): nothing to run it on, all None;
- no ``evaluation`` key: MMCV never validated (and there is no metric to test with), all None;
- an ``evaluation`` whose metric needs a TODO, with the loop cfg and dataloader in place: left as
  it is; the TODO says which evaluator to write.

Only complete training configs are checked: a base fragment holds its part of the set.
"""
from __future__ import annotations

from hookport.converters.config.context import Context
from hookport.converters.config.translators.absent_hooks import is_training_config

_PARTS = ("cfg", "dataloader", "evaluator")


def translate(ctx: Context) -> None:
    """Make each of the val and test sets complete or None (see the module docstring)."""
    if not is_training_config(ctx.legacy):
        return
    for split in ("val", "test"):
        keys = [f"{split}_{part}" for part in _PARTS]
        present = [key for key in keys if ctx.out.get(key) is not None]
        if not present or len(present) == len(keys):
            continue
        if present == keys[:2] and "evaluation" in ctx.kept:
            continue  # only the evaluator is missing and the metric needs a human: the evaluation TODO says so
        why = _why(ctx, split, present)
        for key in present:
            ctx.put(key, None, *ctx.origin.get(key, []))
        ctx.find("HPC110", "change", f"{', '.join(present)} -> None: {why} (MMEngine builds the {split} loop only "
                 f"from all of {', '.join(keys)})", "evaluation" if ctx.has("evaluation") else "data")


def _why(ctx: Context, split: str, present) -> str:
    if f"{split}_dataloader" not in present:
        return f"the original config has no data.{split} to run it on"
    if not ctx.has("evaluation"):
        return ("the original config has no evaluation, so MMCV never validated" if split == "val"
                else "the original config has no evaluation, so there is no metric to test with")
    missing = [f"{split}_{part}" for part in _PARTS if f"{split}_{part}" not in present]
    return f"{', '.join(missing)} could not be translated"
