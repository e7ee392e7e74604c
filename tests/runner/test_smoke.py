"""End-to-end: the toy config trains, validates, logs and checkpoints."""
import json
import os

from tests.runner.base import RunnerTestCase


class TestToyRun(RunnerTestCase):
    def test_epoch_based_train_validates_logs_and_checkpoints(self):
        runner = self.build_runner(self.epoch_based_cfg())
        runner.train()
        self.assertEqual((runner.epoch, runner.iter), (2, 8))
        for name in ("epoch_1.pth", "epoch_2.pth", "last_checkpoint"):
            self.assertTrue(os.path.exists(os.path.join(self.temp_dir, name)), name)
        log = os.path.join(runner.log_dir, f"{runner.timestamp}.log")
        self.assertTrue(os.path.exists(log))
        with open(os.path.join(runner.log_dir, "vis_data", "scalars.json")) as fh:
            records = [json.loads(line) for line in fh]
        self.assertTrue(any("accuracy/top1" in r for r in records))
        self.assertTrue(any("loss" in r for r in records))
