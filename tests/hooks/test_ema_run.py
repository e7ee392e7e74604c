"""EMAHook in real runs: checkpoints hold the EMA model, and kill-and-resume ends bit-identical."""
import os

import pytest

torch = pytest.importorskip("torch")

from hookport.runner.checkpoint import load_checkpoint_file  # noqa: E402
from tests.runner.base import RunnerTestCase  # noqa: E402

from .fakes import Killed  # noqa: E402  (registers KillAfterEpoch)


EMA = dict(type="EMAHook", ema_type="ExponentialMovingAverage", momentum=0.1)


class TestEMARuns(RunnerTestCase):
    def cfg(self, work_dir, *extra_hooks):
        cfg = self.epoch_based_cfg(custom_hooks=[dict(EMA), *extra_hooks], max_epochs=None)
        cfg["train_cfg"] = dict(by_epoch=True, max_epochs=3, val_interval=1)
        cfg["work_dir"] = work_dir
        return cfg

    def test_checkpoint_holds_ema_weights_and_raw_weights(self):
        runner = self.build_runner(self.cfg(self.temp_dir))
        runner.train()
        ema_hook = next(h for h in runner.hooks if type(h).__name__ == "EMAHook")
        checkpoint = load_checkpoint_file(os.path.join(self.temp_dir, "epoch_3.pth"))
        ema_weights = ema_hook.ema_model.module.state_dict()
        raw_weights = runner.model.state_dict()
        for key, value in checkpoint["state_dict"].items():
            self.assertTrue(torch.equal(value, ema_weights[key]), key)
            self.assertTrue(torch.equal(checkpoint["ema_state_dict"][f"module.{key}"], raw_weights[key]), key)
        self.assertEqual(int(checkpoint["ema_state_dict"]["steps"]), 12)

    def test_kill_and_resume_is_bit_identical(self):
        straight_dir, resumed_dir = (os.path.join(self.temp_dir, name) for name in ("straight", "resumed"))
        self.build_runner(self.cfg(straight_dir)).train()
        with self.assertRaises(Killed):
            self.build_runner(self.cfg(resumed_dir, dict(type="KillAfterEpoch", epoch=2))).train()
        cfg = self.cfg(resumed_dir)
        cfg["resume"] = True
        self.build_runner(cfg).train()
        straight = load_checkpoint_file(os.path.join(straight_dir, "epoch_3.pth"))
        resumed = load_checkpoint_file(os.path.join(resumed_dir, "epoch_3.pth"))
        for part in ("state_dict", "ema_state_dict"):
            self.assertEqual(straight[part].keys(), resumed[part].keys())
            for key in straight[part]:
                self.assertTrue(torch.equal(straight[part][key], resumed[part][key]), f"{part}.{key}")
