"""Differential test: MMDetection 2.x's group samplers vs MMDetection 2.28.2's own index order.

Reference: tests/data/reference/mmcv/mmdet_samplers.json (tools/refdata/mmdet_samplers.py).
"""
import itertools
import json
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
torch = pytest.importorskip("torch")

from hookport.compat.mmcv.samplers import (  # noqa: E402
    DistributedGroupSampler,
    GroupSampler,
    InfiniteBatchSampler,
    InfiniteGroupBatchSampler,
)

REFERENCE = json.loads((Path(__file__).parents[2] / "tests/data/reference/mmcv/mmdet_samplers.json").read_text())
CASES = REFERENCE["cases"]


class Flagged:
    def __init__(self, flag):
        self.flag = np.asarray(flag, dtype=np.uint8)

    def __len__(self):
        return len(self.flag)


def _id(case):
    return f"{case['layout']}-per_gpu{case['samples_per_gpu']}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_group_sampler_order_and_rng_stream(case):
    dataset = Flagged(case["flag"])
    for seed in (0, 7):
        np.random.seed(seed)
        sampler = GroupSampler(dataset, case["samples_per_gpu"])
        assert [list(sampler) for _ in range(3)] == case[f"group_seed{seed}"]
        assert len(sampler) == len(case[f"group_seed{seed}"][0])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_distributed_group_sampler_per_rank_and_epoch(case):
    dataset = Flagged(case["flag"])
    for world in (1, 2, 3):
        for rank in range(world):
            sampler = DistributedGroupSampler(dataset, case["samples_per_gpu"], world, rank, seed=5)
            epochs = []
            for epoch in range(2):
                sampler.set_epoch(epoch)
                epochs.append(list(sampler))
            assert epochs == case[f"dist_group_w{world}_r{rank}"], (world, rank)
            assert len(sampler) == len(epochs[0])


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_infinite_batch_samplers(case):
    dataset = Flagged(case["flag"])
    for world, kind, shuffle in itertools.product((1, 2, 3), (InfiniteGroupBatchSampler, InfiniteBatchSampler),
                                                  (True, False)):
        for rank in range(world):
            sampler = kind(dataset, case["samples_per_gpu"], world, rank, seed=11, shuffle=shuffle)
            key = f"{kind.__name__}_shuffle{int(shuffle)}_w{world}_r{rank}"
            assert list(itertools.islice(sampler, 12)) == case[key], key


def test_every_group_sampler_batch_is_group_pure():
    dataset = Flagged([0, 1, 1, 0, 1, 0, 0, 1, 1])
    np.random.seed(3)
    order = list(GroupSampler(dataset, 2))
    for start in range(0, len(order), 2):
        assert len({int(dataset.flag[i]) for i in order[start:start + 2]}) == 1


def test_a_dataset_without_flag_is_refused_clearly():
    with pytest.raises(TypeError, match="no 'flag'"):
        GroupSampler(object(), 2)


class FlaggedToyDataset(torch.utils.data.Dataset):
    """The legacy toy regression data with MMDetection's ``flag``; records which indices training reads."""

    seen = []

    def __init__(self, n=13):
        generator = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 4, generator=generator)
        self.y = self.x.sum(dim=1, keepdim=True)
        self.flag = np.array([i % 3 == 0 for i in range(n)], dtype=np.uint8)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        FlaggedToyDataset.seen.append(int(idx))
        return dict(x=self.x[idx], y=self.y[idx])


CONFIG = """
model = dict(type='toy_legacy.LegacyToyModel')
data = dict(samples_per_gpu=2, workers_per_gpu=0, train=dict(type='tests.compat_mmcv.test_mmdet_samplers.FlaggedToyDataset'))
optimizer = dict(type='SGD', lr=0.01)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='fixed')
checkpoint_config = None
log_config = dict(interval=100, hooks=[])
seed = 4
"""


@pytest.mark.parametrize("runner, expected", [
    ("dict(type='EpochBasedRunner', max_epochs=2)",
     lambda ds: (np.random.seed(4), [i for _ in range(2) for i in GroupSampler(ds, 2)])[1]),
    ("dict(type='IterBasedRunner', max_iters=9)",
     lambda ds: [i for batch in itertools.islice(InfiniteGroupBatchSampler(ds, 2, 1, 0, seed=4), 9) for i in batch]),
], ids=["epoch", "iter"])
def test_legacy_run_on_a_flagged_dataset_reads_mmdetection_order(runner, expected, tmp_path, monkeypatch):
    from hookport.runner.dialect import load_dialect_config

    monkeypatch.syspath_prepend(str(Path(__file__).parents[2] / "fixtures" / "mmcv"))
    path = tmp_path / "flagged.py"
    path.write_text(CONFIG + f"runner = {runner}\n")
    cfg, dialect = load_dialect_config(str(path))
    cfg["work_dir"] = str(tmp_path / "work")
    FlaggedToyDataset.seen = []
    session = dialect.build_runner(cfg)
    try:
        session.train()
    finally:
        session.close()
    assert FlaggedToyDataset.seen == expected(FlaggedToyDataset())
