"""Train the DataContainer toy config on the REAL MMCV 1.7.2, as MMDetection 2.28's tools/train.py would.

Run: $REFENV/bin/python tools/refdata/mmcv_data_container_run.py
Config: fixtures/mmcv/legacy_dc_cfg.py (fixtures/mmcv/toy_dc.py: images of different sizes padded by
``collate``, cpu-only metas, per-image target lists; the model wrapped in MMDataParallel, whose
scatter unwraps them). Writes tests/data/reference/mmcv/data_container_run.json: the final weights,
the training losses of every iteration and the validation results of the JSON log; and what
``collate`` and the CPU ``scatter`` make of small batches (samples given with a fixed seed: images
of 5 shapes with padding on 1, 2, 3 or no dimensions, cpu-only metas, unstacked tensors, plain
tensors; 1, 2 or 5 samples per GPU).
"""
from __future__ import annotations

import json
import os.path as osp

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)
import mmcv_toy_run as toy

CONFIG = "legacy_dc_cfg.py"


def _plain(value):
    """Tensors as nested lists, containers as dicts of their fields, recursively."""
    import torch
    from mmcv.parallel import DataContainer

    if isinstance(value, torch.Tensor):
        return dict(tensor=value.tolist(), dtype=str(value.dtype))
    if isinstance(value, DataContainer):
        return dict(container=_plain(value.data), stack=value.stack, cpu_only=value.cpu_only,
                    padding_value=value.padding_value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def collate_cases():
    """``collate`` of small batches (padding on 1-3 dims or none, chunks), and their CPU scatter."""
    import torch
    from mmcv.parallel import DataContainer as DC
    from mmcv.parallel import collate, scatter_kwargs

    shapes = {None: [(2, 1, 1)] * 5, 1: [(2, 2, 3), (2, 2, 1), (2, 2, 2), (2, 2, 3), (2, 2, 4)],
              2: [(2, 2, 3), (2, 3, 2), (2, 1, 1), (2, 3, 3), (2, 2, 2)],
              3: [(1, 1, 2, 3), (1, 2, 3, 2), (1, 2, 1, 1), (1, 1, 3, 3), (1, 2, 2, 2)]}
    cases = {}
    for pad_dims, dims in shapes.items():
        g = torch.Generator().manual_seed(0)
        samples = [dict(img=torch.randn(*s, generator=g), meta=dict(i=i, shape=list(s)), n=torch.tensor(i))
                   for i, s in enumerate(dims)]
        for per_gpu in (1, 2, 5):
            batch = [dict(img=DC(s["img"], stack=True, padding_value=-1, pad_dims=pad_dims),
                          meta=DC(s["meta"], cpu_only=True), raw=DC(s["img"]), n=s["n"]) for s in samples]
            batched = collate(batch, samples_per_gpu=per_gpu)
            inputs, _ = scatter_kwargs((batched,), {}, [-1])
            cases[f"pad{pad_dims}_per_gpu{per_gpu}"] = dict(pad_dims=pad_dims, samples_per_gpu=per_gpu, shapes=dims,
                                                           collated=_plain(batched), scattered=_plain(inputs[0][0]))
    return cases


def main():
    work_dir = common.temp_work_dir()
    runner = toy.train(osp.join(toy.FIXTURES, CONFIG), work_dir, data_parallel=True)
    with open(osp.join(work_dir, f"{runner.timestamp}.log.json")) as f:
        records = [json.loads(line) for line in f][1:]  # the first line is the runner meta
    print(common.write_json("data_container_run.json", dict(
        mmcv_version="1.7.2", config=f"fixtures/mmcv/{CONFIG}",
        final_weights={k: v.flatten().tolist() for k, v in runner.model.module.state_dict().items()},
        train_losses=[r["loss"] for r in records if r.get("mode") == "train"],
        val=[[r["epoch"], r["mse"]] for r in records if r.get("mode") == "val"],
        collate=collate_cases())))


if __name__ == "__main__":
    main()
