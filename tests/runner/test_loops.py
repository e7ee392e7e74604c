"""Loop semantics (MMEngine 0.10.7): validation schedule, mount-point order, counters, stop_training."""
import pytest

from hookport.errors import ConfigError
from hookport.hooks.hook import Hook
from tests.runner.base import NO_DEFAULT_HOOKS, RunnerTestCase
from tests.runner.helpers import RecordingHook


def _record_all(log):
    """A hook acting at every mount point, appending the stage name to ``log``."""
    from hookport.hooks.hook import STAGES

    def make(stage):
        def method(self, runner, *args):
            log.append(stage)
        return method

    cls = type("AllStages", (Hook,), {stage: make(stage) for stage in STAGES})
    return cls()


class TestValidationSchedule(RunnerTestCase):
    def _val_points(self, cfg, key):
        log = []
        cfg["custom_hooks"] = [RecordingHook(log)]
        self.build_runner(cfg).train()
        return [entry[key] for entry in log if entry[0] == "after_val_epoch"]

    def test_epoch_based_val_begin_interval_and_last_epoch(self):
        cfg = self.epoch_based_cfg(train_cfg=dict(by_epoch=True, max_epochs=5, val_begin=2, val_interval=2))
        # after_val_epoch sees the incremented epoch counter (validation runs after the epoch ended)
        self.assertEqual(self._val_points(cfg, 1), [2, 4, 5])

    def test_epoch_based_dynamic_intervals(self):
        cfg = self.epoch_based_cfg(train_cfg=dict(by_epoch=True, max_epochs=5, val_interval=2,
                                                  dynamic_intervals=[(3, 1)]))
        self.assertEqual(self._val_points(cfg, 1), [2, 3, 4, 5])

    def test_iter_based_validation_points(self):
        cfg = self.iter_based_cfg(train_cfg=dict(by_epoch=False, max_iters=10, val_interval=4))
        self.assertEqual(self._val_points(cfg, 2), [4, 8, 10])

    def test_no_val_loop_means_no_validation(self):
        cfg = self.epoch_based_cfg(val_dataloader=None, val_cfg=None, val_evaluator=None)
        self.assertEqual(self._val_points(cfg, 1), [])


class TestMountPointOrder(RunnerTestCase):
    def test_one_epoch_two_iterations(self):
        log = []
        cfg = self.epoch_based_cfg(
            default_hooks=NO_DEFAULT_HOOKS, custom_hooks=[_record_all(log)],
            train_cfg=dict(by_epoch=True, max_epochs=1),
            train_dataloader=dict(dataset=dict(type="ToyDataset", size=16), sampler=dict(type="DefaultSampler"),
                                  batch_size=8),
            val_dataloader=dict(dataset=dict(type="ToyDataset", size=8), sampler=dict(type="DefaultSampler"),
                                batch_size=8))
        self.build_runner(cfg).train()
        self.assertEqual(log, [
            "before_run", "before_train", "before_train_epoch",
            "before_train_iter", "after_train_iter", "before_train_iter", "after_train_iter", "after_train_epoch",
            "before_val", "before_val_epoch", "before_val_iter", "after_val_iter", "after_val_epoch", "after_val",
            "after_train", "after_run"])

    def test_iter_based_treats_the_run_as_one_epoch(self):
        log = []
        cfg = self.iter_based_cfg(default_hooks=NO_DEFAULT_HOOKS, custom_hooks=[_record_all(log)],
                                  val_dataloader=None, val_cfg=None, val_evaluator=None,
                                  train_cfg=dict(by_epoch=False, max_iters=3))
        self.build_runner(cfg).train()
        self.assertEqual(log, ["before_run", "before_train", "before_train_epoch"]
                         + ["before_train_iter", "after_train_iter"] * 3 + ["after_train_epoch", "after_train",
                                                                             "after_run"])

    def test_test_loop(self):
        log = []
        runner = self.build_runner(self.epoch_based_cfg(default_hooks=NO_DEFAULT_HOOKS,
                                                        custom_hooks=[_record_all(log)]))
        metrics = runner.test()
        self.assertIn("accuracy/top1", metrics)
        self.assertEqual(log[:3], ["before_run", "before_test", "before_test_epoch"])
        self.assertEqual(log[-3:], ["after_test_epoch", "after_test", "after_run"])


class TestCounters(RunnerTestCase):
    def test_batch_idx_epoch_iter_seen_by_hooks(self):
        log = []
        cfg = self.epoch_based_cfg(custom_hooks=[RecordingHook(log)], val_dataloader=None, val_cfg=None,
                                   val_evaluator=None)
        runner = self.build_runner(cfg)
        runner.train()
        iters = [entry[1:] for entry in log if entry[0] == "after_train_iter"]
        self.assertEqual(iters, [(0, i, i) for i in range(4)] + [(1, 4 + i, i) for i in range(4)])
        self.assertEqual((runner.epoch, runner.iter, runner.max_epochs, runner.max_iters), (2, 8, 2, 8))

    def test_stop_training_ends_after_the_current_epoch(self):
        class Stopper(Hook):
            def after_train_epoch(self, runner):
                runner.train_loop.stop_training = True

        runner = self.build_runner(self.epoch_based_cfg(custom_hooks=[Stopper()],
                                                        train_cfg=dict(by_epoch=True, max_epochs=5)))
        runner.train()
        self.assertEqual(runner.epoch, 1)

    def test_bad_loop_configs_are_config_errors(self):
        with pytest.raises(ConfigError, match="max_epochs"):
            self.build_runner(self.epoch_based_cfg(train_cfg=dict(by_epoch=True, max_epochs=0))).train()
        with pytest.raises(ConfigError, match="train_cfg"):
            self.build_runner(self.epoch_based_cfg(train_cfg=dict(by_epoch=True, max_epoch=2))).train()
        with pytest.raises(ConfigError, match="optim_wrapper"):
            self.build_runner(self.epoch_based_cfg(optim_wrapper=None))


class TestIterBasedCycling(RunnerTestCase):
    def test_finite_sampler_is_cycled_with_a_new_epoch_each_pass(self):
        seen = []

        class Batches(Hook):
            def before_train_iter(self, runner, batch_idx, data_batch=None):
                seen.append(tuple(int(x) for x in data_batch["labels"]))

        cfg = self.iter_based_cfg(default_hooks=NO_DEFAULT_HOOKS, custom_hooks=[Batches()], val_dataloader=None,
                                  val_cfg=None, val_evaluator=None, train_cfg=dict(by_epoch=False, max_iters=8))
        cfg["train_dataloader"]["sampler"] = dict(type="DefaultSampler", shuffle=True)
        runner = self.build_runner(cfg)
        runner.train()
        self.assertEqual(runner.train_dataloader.sampler.epoch, 1)  # 8 iterations = two passes of 4 batches
        self.assertNotEqual(seen[:4], seen[4:])
        self.assertEqual(sorted(sum(seen[:4], ())), sorted(sum(seen[4:], ())))
