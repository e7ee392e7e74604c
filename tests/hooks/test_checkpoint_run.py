"""CheckpointHook in real runs: checkpoint contents, published copies, resume of best/keep state."""
import os

import pytest

pytest.importorskip("torch")

from hookport.runner.checkpoint import load_checkpoint_file  # noqa: E402
from tests.runner.base import RunnerTestCase  # noqa: E402

from .fakes import Killed  # noqa: E402  (registers KillAfterEpoch)


class TestCheckpointRuns(RunnerTestCase):
    def test_contents_follow_save_optimizer_and_save_param_scheduler(self):
        cfg = self.epoch_based_cfg(default_hooks=dict(checkpoint=dict(
            type="CheckpointHook", interval=1, save_optimizer=False, save_param_scheduler=False)))
        self.build_runner(cfg).train()
        checkpoint = load_checkpoint_file(os.path.join(self.temp_dir, "epoch_2.pth"))
        self.assertNotIn("optimizer", checkpoint)
        self.assertNotIn("param_schedulers", checkpoint)
        self.assertEqual((checkpoint["meta"]["epoch"], checkpoint["meta"]["iter"]), (2, 8))
        hub = checkpoint["message_hub"]["runtime_info"]
        self.assertEqual(hub["last_ckpt"], os.path.join(self.temp_dir, "epoch_2.pth"))

    def test_best_checkpoint_has_no_optimizer(self):
        cfg = self.epoch_based_cfg(default_hooks=dict(checkpoint=dict(
            type="CheckpointHook", interval=1, save_best="accuracy/top1", rule="greater")))
        runner = self.build_runner(cfg)
        runner.train()
        best = runner.message_hub.get_info("best_ckpt")
        self.assertTrue(os.path.basename(best).startswith("best_accuracy_top1_epoch_"))
        checkpoint = load_checkpoint_file(best)
        self.assertNotIn("optimizer", checkpoint)
        self.assertIn("best_score", checkpoint["message_hub"]["runtime_info"])

    def test_published_checkpoints_keep_only_the_published_keys(self):
        cfg = self.epoch_based_cfg(default_hooks=dict(checkpoint=dict(
            type="CheckpointHook", interval=1, published_keys=["meta", "state_dict"])))
        self.build_runner(cfg).train()
        published = [f for f in os.listdir(self.temp_dir) if f.startswith("epoch_2-")]
        self.assertEqual(len(published), 1)
        checkpoint = load_checkpoint_file(os.path.join(self.temp_dir, published[0]))
        self.assertEqual(sorted(checkpoint), ["meta", "state_dict"])
        self.assertRegex(published[0], r"^epoch_2-[0-9a-f]{8}\.pth$")  # sha256 prefix of the content

    def test_iteration_checkpoints_with_max_keep(self):
        cfg = self.iter_based_cfg(default_hooks=dict(checkpoint=dict(
            type="CheckpointHook", interval=2, by_epoch=False, max_keep_ckpts=2)))
        runner = self.build_runner(cfg)
        runner.train()
        kept = sorted(f for f in os.listdir(self.temp_dir) if f.startswith("iter_"))
        self.assertEqual(kept, ["iter_10.pth", "iter_12.pth"])
        self.assertEqual(runner.message_hub.get_info("keep_ckpt_ids"), [10, 12])
        with open(os.path.join(self.temp_dir, "last_checkpoint")) as f:
            self.assertEqual(f.read(), os.path.join(self.temp_dir, "iter_12.pth"))

    def test_back_to_back_runs_do_not_share_best_scores(self):
        # Runners created within the same second get the same default experiment name.
        for sub in ("a", "b"):
            cfg = self.epoch_based_cfg(default_hooks=dict(checkpoint=dict(
                type="CheckpointHook", interval=1, save_best="accuracy/top1", rule="greater")))
            cfg["work_dir"] = os.path.join(self.temp_dir, sub)
            runner = self.build_runner(cfg)
            runner.train()
            self.assertIsNotNone(runner.message_hub.get_info("best_ckpt"), sub)
            self.assertTrue(any(f.startswith("best_") for f in os.listdir(cfg["work_dir"])), sub)

    def test_resumed_run_continues_keep_list_and_best_score(self):
        def cfg(resume=False, kill=None):
            cfg = self.epoch_based_cfg(
                default_hooks=dict(checkpoint=dict(type="CheckpointHook", interval=1, max_keep_ckpts=1,
                                                   save_best="accuracy/top1", rule="greater")),
                custom_hooks=[dict(type="KillAfterEpoch", epoch=kill)] if kill else [], resume=resume)
            cfg["train_cfg"] = dict(by_epoch=True, max_epochs=3, val_interval=1)
            return cfg

        with self.assertRaises(Killed):
            self.build_runner(cfg(kill=2)).train()
        runner = self.build_runner(cfg(resume=True))
        runner.train()
        files = sorted(f for f in os.listdir(self.temp_dir) if f.endswith(".pth"))
        periodic = [f for f in files if f.startswith("epoch_")]
        self.assertEqual(periodic, ["epoch_3.pth"])
        self.assertEqual(runner.message_hub.get_info("keep_ckpt_ids"), [3])
        best = [f for f in files if f.startswith("best_")]
        self.assertEqual(len(best), 1)
        self.assertEqual(os.path.join(self.temp_dir, best[0]), runner.message_hub.get_info("best_ckpt"))
