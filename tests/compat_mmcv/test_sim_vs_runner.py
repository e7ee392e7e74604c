"""Property: the pure simulation equals the same updater hooks driving a real torch optimizer in hookport's runners."""
import logging
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hookport.compat.mmcv.defaults import default_hooks  # noqa: E402
from hookport.compat.mmcv.hook import Hook  # noqa: E402
from hookport.compat.mmcv.runner import RUNNERS  # noqa: E402
from hookport.compat.mmcv.simulate import simulate_mmcv  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[2] / "fixtures/mmcv"))
from toy_legacy import LegacyToyDataset, LegacyToyModel  # noqa: E402

policies = st.one_of(
    st.fixed_dictionaries(dict(policy=st.just("step"), step=st.lists(st.integers(1, 12), min_size=1, max_size=3)
                                                              .map(sorted), gamma=st.floats(0.1, 0.9))),
    st.fixed_dictionaries(dict(policy=st.just("poly"), power=st.floats(0.5, 2.0), min_lr=st.floats(0, 1e-3))),
    st.fixed_dictionaries(dict(policy=st.just("CosineAnnealing"), min_lr_ratio=st.floats(0, 0.5))),
    st.fixed_dictionaries(dict(policy=st.just("exp"), gamma=st.floats(0.5, 0.99))),
)
warmups = st.one_of(st.just({}), st.fixed_dictionaries(dict(
    warmup=st.sampled_from(["constant", "linear", "exp"]), warmup_iters=st.integers(1, 9),
    warmup_ratio=st.floats(0.01, 1.0))))


class Trace(Hook):
    def __init__(self):
        self.lr, self.momentum = [], []

    def before_train_iter(self, runner):
        self.lr.append(runner.current_lr())
        self.momentum.append(runner.current_momentum())


@settings(max_examples=30, deadline=None)
@given(policy=policies, warmup=warmups, by_epoch=st.booleans(), iter_runner=st.booleans())
def test_simulation_equals_training_run(policy, warmup, by_epoch, iter_runner):
    runner_cfg = dict(type="IterBasedRunner", max_iters=9) if iter_runner else dict(type="EpochBasedRunner",
                                                                                     max_epochs=3)
    cfg = dict(runner=runner_cfg, optimizer=dict(type="SGD", lr=0.1, momentum=0.9),
               lr_config=dict(policy, by_epoch=by_epoch, **warmup),
               momentum_config=dict(policy="CosineAnnealing", min_momentum_ratio=0.5, by_epoch=by_epoch))
    expected = simulate_mmcv(cfg, iters_per_epoch=3)

    model = LegacyToyModel()
    length = dict(max_iters=9) if iter_runner else dict(max_epochs=3)
    runner = RUNNERS[runner_cfg["type"]](model, optimizer=torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                                         logger=logging.getLogger("hookport.test"), **length)
    for hook, priority in default_hooks(cfg):
        runner.register_hook(hook, priority)
    trace = Trace()
    runner.register_hook(trace, "LOWEST")
    runner.run([torch.utils.data.DataLoader(LegacyToyDataset(n=6), batch_size=2)], [("train", 1)])
    assert trace.lr == expected["lr"]
    assert trace.momentum == expected["momentum"]
