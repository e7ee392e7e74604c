"""data -> train/val/test_dataloader: the generic part (batch size, workers, dataset, sampler) (§1.1)."""
from __future__ import annotations

from typing import Any

from hookport.converters.config.context import Context
from hookport.converters.config.tables import scope_info, table
from hookport.converters.config.values import SDict, without

_SPLITS = (("train", True), ("val", False), ("test", False))
_LOADER_KEYS = {"samples_per_gpu": "batch_size", "workers_per_gpu": "num_workers",
                "persistent_workers": "persistent_workers", "shuffle": None}


def translate(ctx: Context) -> None:
    """One dataloader per split; dataset dicts are copied as written (their contents are codebase-specific)."""
    data = ctx.get("data")
    if data is None:
        return
    data = ctx.need("data", data, kind=dict) if not isinstance(data, dict) else data
    for split, shuffle in _SPLITS:
        dataset = data.get(split)
        if dataset is None:
            continue
        loader = SDict()
        overrides = data.get(f"{split}_dataloader", {})
        for legacy, new in _LOADER_KEYS.items():
            value = overrides.get(legacy, data.get(legacy) if legacy != "shuffle" else None)
            if split != "train" and legacy == "samples_per_gpu":
                value = _eval_batch_size(ctx, data, dataset, overrides, split)
            if value is not None and new:
                loader[new] = value
        loader["sampler"] = SDict(type="DefaultSampler", shuffle=shuffle)
        if isinstance(dataset, dict) and "samples_per_gpu" in dataset:
            dataset = without(dataset, "samples_per_gpu")
        loader["dataset"] = dataset
        ctx.put(f"{split}_dataloader", loader, "data")
    ctx.consume("data")
    ctx.find("HPC900", "todo", "data -> train/val/test_dataloader: batch size, workers and sampler translated; dataset "
             "and pipeline contents are codebase-specific (e.g. mmdet 3.x PackDetInputs, data_preprocessor)", "data")


def _eval_batch_size(ctx: Context, data: dict, dataset: Any, overrides: dict, split: str) -> Any:
    """The val/test batch size the codebase's train/test scripts used (see ``eval_batch_size`` in keys.yaml)."""
    if "samples_per_gpu" in overrides:
        return overrides["samples_per_gpu"]
    if isinstance(dataset, dict) and "samples_per_gpu" in dataset:
        return dataset["samples_per_gpu"]
    scope = ctx.options.scope
    default = scope_info(scope).get("eval_batch_size", table("keys")["default_eval_batch_size"])
    if default == "train":
        return data.get("samples_per_gpu")
    if data.get("samples_per_gpu") not in (None, default) and not scope:
        ctx.find("HPC901", "note", f"{split}_dataloader.batch_size={default}: MMDetection and MMSegmentation "
                 f"evaluated {default} image per GPU unless told otherwise; MMClassification used the training "
                 f"batch ({data.get('samples_per_gpu')}): pass --scope to choose", "data")
    return default
