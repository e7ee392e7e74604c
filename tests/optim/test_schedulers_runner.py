"""The canonical Runner (ParamSchedulerHook + train loops) follows the simulated schedule exactly.

A recording hook reads the optimizer before each training iteration (the values the
step uses) and the validation metrics; the simulation, given the same metrics, must
produce the same lr/momentum lists bit for bit.
"""
import pytest

pytest.importorskip("torch")

from hookport.hooks.hook import Hook  # noqa: E402
from hookport.optim.simulate import simulate_mmengine  # noqa: E402
from tests.runner.base import RunnerTestCase  # noqa: E402


class RecordSchedule(Hook):
    """lr/momentum per group before each train iteration; metrics after each validation."""

    priority = "HIGHEST"

    def __init__(self):
        self.lr, self.momentum, self.metrics = [], [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        groups = runner.optim_wrapper.optimizer.param_groups
        self.lr.append([g["lr"] for g in groups])
        self.momentum.append([g["betas"][0] if "betas" in g else g.get("momentum") for g in groups])

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(dict(metrics or {}))


class TestRunnerFollowsSimulation(RunnerTestCase):
    def check(self, cfg):
        cfg = dict(cfg, custom_hooks=[RecordSchedule()])
        cfg["default_hooks"] = dict(logger=None, checkpoint=None)
        runner = self.build_runner(cfg)
        runner.train()
        # the Runner may copy the config: take the recorder it actually registered
        (recorder,) = [h for h in runner.hooks if isinstance(h, RecordSchedule)]
        sim = simulate_mmengine(cfg, 4, metrics=recorder.metrics)  # ToyDataset 32 / batch 8
        self.assertEqual(recorder.lr, sim["lr"])
        self.assertEqual(recorder.momentum, sim["momentum"])
        return recorder

    def test_epoch_loop_warmup_chain_and_momentum(self):
        self.check(self.epoch_based_cfg(
            train_cfg=dict(by_epoch=True, max_epochs=3, val_interval=1),
            param_scheduler=[dict(type="LinearLR", start_factor=0.1, end=5, by_epoch=False),
                             dict(type="CosineAnnealingLR", T_max=3, eta_min=0.001),
                             dict(type="CosineAnnealingMomentum", T_max=12, eta_min=0.8, by_epoch=False)]))

    def test_iter_loop_with_convert_and_by_epoch_scheduler(self):
        cfg = self.iter_based_cfg(param_scheduler=[
            dict(type="LinearLR", start_factor=0.5),  # by_epoch under an iter loop: never stepped
            dict(type="StepLR", step_size=1, gamma=0.5, convert_to_iter_based=True, end=2)])
        recorder = self.check(cfg)
        self.assertEqual(len(recorder.lr), 12)

    def test_adam_betas_and_plateau_on_real_metrics(self):
        recorder = self.check(self.epoch_based_cfg(
            train_cfg=dict(by_epoch=True, max_epochs=4, val_interval=1),
            optim_wrapper=dict(type="OptimWrapper", optimizer=dict(type="Adam", lr=0.01)),
            param_scheduler=[dict(type="ReduceOnPlateauLR", monitor="accuracy/top1", rule="greater",
                                  patience=0, factor=0.5),
                             dict(type="StepMomentum", step_size=1, gamma=0.9)]))
        self.assertEqual(len(recorder.metrics), 4)
