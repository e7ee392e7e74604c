"""Runner construction: MMEngine argument rules, instances instead of configs, randomness, work dir, lr scaling."""
import os

import torch
from torch.utils.data import DataLoader

from hookport.errors import ConfigError
from hookport.optim.wrapper import OptimWrapper
from hookport.runner.runner import Runner
from hookport.toy import ToyClassifier, ToyDataset
from tests.runner.base import NO_DEFAULT_HOOKS, RunnerTestCase


class TestRunner(RunnerTestCase):
    def test_work_dir_layout_and_names(self):
        runner = self.build_runner(self.epoch_based_cfg(experiment_name="exp"))
        self.assertEqual(runner.log_dir, os.path.join(self.temp_dir, runner.timestamp))
        self.assertTrue(os.path.isfile(os.path.join(runner.log_dir, f"{runner.timestamp}.log")))
        self.assertEqual(runner.experiment_name, f"exp_{runner.timestamp}")
        self.assertEqual((runner.rank, runner.world_size, runner.distributed, runner.launcher), (0, 1, False, "none"))
        self.assertEqual(runner.message_hub.instance_name, runner.experiment_name)

    def test_instances_instead_of_configs(self):
        model = ToyClassifier()
        loader = DataLoader(ToyDataset(size=16), batch_size=8)
        wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
        runner = Runner(model=model, work_dir=self.temp_dir, train_dataloader=loader, train_cfg=dict(max_epochs=2),
                        optim_wrapper=wrapper, default_hooks=NO_DEFAULT_HOOKS, log_level="WARNING")
        self._runners.append(runner)
        runner.train()
        self.assertIs(runner.train_dataloader, loader)
        self.assertIs(runner.optim_wrapper, wrapper)
        self.assertEqual(runner.iter, 4)

    def test_phase_arguments_come_together(self):
        with self.assertRaisesRegex(ConfigError, "val_evaluator"):
            self.build_runner(self.epoch_based_cfg(val_evaluator=None))
        with self.assertRaisesRegex(ConfigError, "no 'work_dir'"):
            Runner.from_cfg(dict(model=dict(type="ToyClassifier")))
        runner = self.build_runner(self.epoch_based_cfg(train_dataloader=None, train_cfg=None, optim_wrapper=None))
        with self.assertRaisesRegex(ConfigError, "cannot train"):
            runner.train()
        self.assertEqual((runner.epoch, runner.iter), (0, 0))

    def test_same_seed_same_weights_and_diff_rank_seed(self):
        a = self.build_runner(self.epoch_based_cfg(randomness=dict(seed=7)))
        b = self.build_runner(self.epoch_based_cfg(randomness=dict(seed=7, deterministic=True)))
        try:
            for key, value in a.model.state_dict().items():
                self.assertTrue(torch.equal(value, b.model.state_dict()[key]))
        finally:
            torch.use_deterministic_algorithms(False)
        c = self.build_runner(self.epoch_based_cfg(randomness=dict(seed=None)))
        self.assertIsInstance(c.seed, int)
        d = self.build_runner(self.epoch_based_cfg(randomness=dict(seed=7, diff_rank_seed=True)))
        self.assertEqual(d.seed, 7)  # rank 0 adds 0

    def test_auto_scale_lr(self):
        runner = self.build_runner(self.epoch_based_cfg(auto_scale_lr=dict(enable=True, base_batch_size=16),
                                                        param_scheduler=None, train_cfg=dict(max_epochs=1)))
        runner.train()
        self.assertAlmostEqual(runner.optim_wrapper.get_lr()["lr"][0], 0.05)

    def test_register_hook_priority_precedence(self):
        from tests.runner.helpers import RecordingHook

        runner = self.build_runner(self.epoch_based_cfg(default_hooks=NO_DEFAULT_HOOKS))
        runner.register_hook(dict(type="tests.runner.helpers.RecordingHook", log=[], priority="LOW"))
        runner.register_hook(dict(type="tests.runner.helpers.RecordingHook", log=[], priority="LOW"), priority=1)
        runner.register_hook(RecordingHook([]))
        self.assertEqual([h.priority for h in runner.hooks], [1, 50, 70])

    def test_call_hook_accepts_mmengine_keywords(self):
        seen = []
        from hookport.hooks.hook import Hook

        class Metrics(Hook):
            def after_val_epoch(self, runner, metrics=None):
                seen.append(metrics)

            def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
                seen.append((batch_idx, data_batch, outputs))

        runner = self.build_runner(self.epoch_based_cfg(default_hooks=NO_DEFAULT_HOOKS, custom_hooks=[Metrics()]))
        runner.call_hook("after_val_epoch", metrics={"a": 1})
        runner.call_hook("after_train_iter", batch_idx=3, outputs="o")
        self.assertEqual(seen, [{"a": 1}, (3, None, "o")])
        with self.assertRaises(TypeError):
            runner.call_hook("after_val_epoch", metric=1)


class TestMessageHubIsolation(RunnerTestCase):
    def test_each_runner_gets_a_fresh_current_message_hub(self):
        from hookport.runner.message_hub import MessageHub

        first = self.build_runner(self.epoch_based_cfg(experiment_name="same"))
        first.message_hub.update_info("best_score", 99.0)
        second = self.build_runner(self.epoch_based_cfg(experiment_name="same"))
        self.assertIsNot(first.message_hub, second.message_hub)
        self.assertIsNone(second.message_hub.get_info("best_score"))
        self.assertIs(MessageHub.get_current_instance(), second.message_hub)


class TestAmpRun(RunnerTestCase):
    def test_amp_optim_wrapper_trains_in_bfloat16_on_cpu(self):
        cfg = self.epoch_based_cfg(optim_wrapper=dict(type="AmpOptimWrapper", device_type="cpu",
                                                      optimizer=dict(type="SGD", lr=0.1)))
        runner = self.build_runner(cfg)
        runner.train()
        losses = runner.message_hub.get_scalar("train/loss").data[0]
        self.assertEqual(len(losses), 8)
        self.assertTrue(all(loss == loss and loss < 10 for loss in losses))  # finite
        self.assertLess(losses[-1], losses[0])


class TestDataloaderConfig(RunnerTestCase):
    def test_num_batch_per_epoch_and_bad_keys(self):
        cfg = self.epoch_based_cfg(val_dataloader=None, val_cfg=None, val_evaluator=None)
        cfg["train_dataloader"]["num_batch_per_epoch"] = 2
        runner = self.build_runner(cfg)
        runner.train()
        self.assertEqual(runner.iter, 4)  # 2 batches x 2 epochs
        cfg = self.epoch_based_cfg()
        cfg["train_dataloader"]["batchsize"] = 4
        with self.assertRaisesRegex(ConfigError, "dataloader: .*batchsize"):
            self.build_runner(cfg).train()
        cfg = self.epoch_based_cfg()
        del cfg["train_dataloader"]["sampler"]
        with self.assertRaisesRegex(ConfigError, "needs a 'sampler'"):
            self.build_runner(cfg).train()
