"""DefaultSampler / InfiniteSampler sharding and seeding; pseudo_collate / default_collate."""
import itertools

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.registry import COLLATE_FUNCTIONS, DATA_SAMPLERS
from hookport.runner.samplers import DefaultSampler, InfiniteSampler, pseudo_collate


def _shards(cls, size, world, **kwargs):
    samplers = []
    for rank in range(world):
        sampler = cls(list(range(size)), **kwargs)
        sampler.rank, sampler.world_size = rank, world
        if cls is DefaultSampler:
            sampler.num_samples = -(-size // world)
            sampler.total_size = sampler.num_samples * world
        samplers.append(sampler)
    return samplers


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 40), world=st.integers(1, 4), seed=st.integers(0, 1000), epoch=st.integers(0, 5))
def test_default_sampler_ranks_cover_a_padded_permutation(size, world, seed, epoch):
    shards = _shards(DefaultSampler, size, world, seed=seed)
    for s in shards:
        s.set_epoch(epoch)
    parts = [list(s) for s in shards]
    assert len({len(p) for p in parts}) == 1 and len(parts[0]) == len(shards[0])
    merged = [i for group in zip(*parts) for i in group]
    assert set(merged) == set(range(size))
    assert merged[:size] == torch.randperm(size, generator=torch.Generator().manual_seed(seed + epoch)).tolist()


def test_default_sampler_epoch_changes_order_and_seed_fixes_it():
    a, b = DefaultSampler(range(20), seed=3), DefaultSampler(range(20), seed=3)
    assert list(a) == list(b)
    b.set_epoch(1)
    assert list(a) != list(b)
    assert list(DefaultSampler(range(5), shuffle=False)) == [0, 1, 2, 3, 4]


def test_infinite_sampler_is_endless_and_sharded():
    full = list(itertools.islice(iter(InfiniteSampler(range(5), seed=1)), 20))
    assert sorted(full[:5]) == list(range(5)) and sorted(full[5:10]) == list(range(5))
    shards = _shards(InfiniteSampler, 5, 2, seed=1)
    r0 = list(itertools.islice(iter(shards[0]), 10))
    r1 = list(itertools.islice(iter(shards[1]), 10))
    assert r0 == full[0:20:2] and r1 == full[1:20:2]


def test_samplers_and_collate_functions_are_registered():
    assert DATA_SAMPLERS.get("DefaultSampler") is DefaultSampler
    assert DATA_SAMPLERS.get("InfiniteSampler") is InfiniteSampler
    assert COLLATE_FUNCTIONS.get("pseudo_collate") is pseudo_collate


def test_pseudo_collate_transposes_without_stacking():
    batch = [dict(x=torch.zeros(2), y=1, meta=("a", 0)), dict(x=torch.ones(2), y=2, meta=("b", 1))]
    out = pseudo_collate(batch)
    assert isinstance(out["x"], list) and len(out["x"]) == 2
    assert out["y"] == [1, 2] and out["meta"] == (["a", "b"], [0, 1])


def test_default_collate_stacks():
    out = COLLATE_FUNCTIONS.get("default_collate")([dict(x=torch.zeros(2), y=1), dict(x=torch.ones(2), y=2)])
    assert out["x"].shape == (2, 2) and out["y"].tolist() == [1, 2]
