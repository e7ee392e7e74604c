"""Train-loop counters are plain attributes; MMEngine's underscored names stay read/write aliases."""
from tests.runner.base import RunnerTestCase


class TestLoopCounters(RunnerTestCase):
    def test_underscored_names_alias_the_counters(self):
        runner = self.build_runner(self.epoch_based_cfg())
        loop = runner.train_loop
        assert (loop.epoch, loop.iter, loop.max_epochs, loop.max_iters) == (0, 0, 2, 8)
        loop._epoch, loop._iter = 1, 5  # what Runner.resume and MMEngine-style code do
        assert (loop.epoch, loop.iter, runner.epoch, runner.iter) == (1, 5, 1, 5)
        loop.iter += 1
        assert loop._iter == runner.iter == 6
        assert (loop._max_epochs, loop._max_iters) == (runner.max_epochs, runner.max_iters) == (2, 8)

    def test_counters_after_training(self):
        runner = self.build_runner(self.iter_based_cfg())
        runner.train()
        loop = runner.train_loop
        assert (loop.iter, loop._iter, loop.epoch, runner.max_epochs) == (12, 12, 0, 1)
