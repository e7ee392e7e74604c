"""DistSamplerSeedHook: the epoch reaches the sampler (the 2-rank run lives in tests/runner)."""
from types import SimpleNamespace

import pytest

from hookport.hooks.sampler_seed_hook import DistSamplerSeedHook

from .fakes import FakeRunner


class Sampler:
    def __init__(self):
        self.epochs = []

    def set_epoch(self, epoch):
        self.epochs.append(epoch)


@pytest.mark.parametrize("where", ["sampler", "batch_sampler"])
def test_sampler_seed_reaches_the_sampler(where):
    runner = FakeRunner()
    sampler = Sampler()
    loader = SimpleNamespace(sampler=sampler) if where == "sampler" else SimpleNamespace(
        sampler=object(), batch_sampler=SimpleNamespace(sampler=sampler))
    runner.train_loop = SimpleNamespace(dataloader=loader)
    hook = DistSamplerSeedHook()
    for epoch in (0, 1, 2):
        runner.epoch = epoch
        hook.before_train_epoch(runner)
    assert sampler.epochs == [0, 1, 2]


def test_sampler_seed_ignores_plain_samplers():
    runner = FakeRunner()
    runner.train_loop = SimpleNamespace(dataloader=SimpleNamespace(sampler=object()))
    DistSamplerSeedHook().before_train_epoch(runner)
