"""Index order of MMDetection 2.28.2's training samplers, for hookport's MMCV-dialect data loading.

Run: $REFENV/bin/python tools/refdata/mmdet_samplers.py   (needs `pip install --no-deps mmdet==2.28.2`
in the reference venv; only the sampler modules and their seed helper are loaded, by file path,
because ``import mmdet`` pulls in scipy, pycocotools and the CUDA ops).
Writes tests/data/reference/mmcv/mmdet_samplers.json: for datasets with an aspect-ratio ``flag``
(several group layouts), the indices GroupSampler yields after ``np.random.seed(s)`` (three
epochs in a row), the indices DistributedGroupSampler yields per rank and epoch, and the first
batches of InfiniteGroupBatchSampler / InfiniteBatchSampler per rank.
"""
from __future__ import annotations

import importlib.util
import itertools
import os.path as osp
import sys
import types

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)
import numpy as np

import mmdet

MMDET = osp.dirname(mmdet.__file__)
assert mmdet.__version__ == "2.28.2", mmdet.__version__


def _load(name: str, relpath: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, osp.join(MMDET, relpath))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# infinite_sampler imports sync_random_seed from mmdet.core.utils: serve the real function alone.
sys.modules["mmdet.core"] = types.ModuleType("mmdet.core")
_load("mmdet.core.utils", "core/utils/dist_utils.py")
group = _load("mmdet_group_sampler", "datasets/samplers/group_sampler.py")
infinite = _load("mmdet_infinite_sampler", "datasets/samplers/infinite_sampler.py")

#: group sizes of the flag array (group 0 first); the flag is shuffled with a fixed seed
LAYOUTS = {"one_group": [10], "two_groups": [7, 6], "uneven": [1, 9, 0, 4], "tiny": [2, 1]}


class Flagged:
    """A dataset of ``sum(sizes)`` items whose ``flag`` (uint8, as MMDetection sets it) has the group sizes."""

    def __init__(self, sizes):
        flag = np.concatenate([np.full(size, g, dtype=np.uint8) for g, size in enumerate(sizes)])
        np.random.RandomState(123).shuffle(flag)
        self.flag = flag

    def __len__(self):
        return len(self.flag)

    def __getitem__(self, i):
        return i


def main():
    cases = []
    for (layout, sizes), per_gpu in itertools.product(LAYOUTS.items(), (1, 2, 3)):
        dataset = Flagged(sizes)
        case = dict(layout=layout, sizes=sizes, flag=dataset.flag.tolist(), samples_per_gpu=per_gpu)
        for seed in (0, 7):
            np.random.seed(seed)
            sampler = group.GroupSampler(dataset, per_gpu)
            case[f"group_seed{seed}"] = [list(sampler) for _ in range(3)]
        for world in (1, 2, 3):
            for rank in range(world):
                sampler = group.DistributedGroupSampler(dataset, per_gpu, world, rank, seed=5)
                epochs = []
                for epoch in range(2):
                    sampler.set_epoch(epoch)
                    epochs.append(list(sampler))
                case[f"dist_group_w{world}_r{rank}"] = epochs
                for kind in ("InfiniteGroupBatchSampler", "InfiniteBatchSampler"):
                    for shuffle in (True, False):
                        batches = getattr(infinite, kind)(dataset, per_gpu, world, rank, seed=11, shuffle=shuffle)
                        case[f"{kind}_shuffle{int(shuffle)}_w{world}_r{rank}"] = list(itertools.islice(batches, 12))
        cases.append(case)
    print(common.write_json("mmdet_samplers.json", dict(mmdet_version="2.28.2", cases=cases)))


if __name__ == "__main__":
    main()
