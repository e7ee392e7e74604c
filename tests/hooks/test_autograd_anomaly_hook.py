"""AutogradAnomalyDetectHook: anomaly detection is on during training only."""
from hookport.hooks.hook import Hook
from hookport.registry import HOOKS
from tests.runner.base import RunnerTestCase


@HOOKS.register_module(force=True)
class AnomalyProbe(Hook):
    """Records whether autograd anomaly detection is on during training."""

    seen = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        import torch

        AnomalyProbe.seen.append(torch.is_anomaly_enabled())


class TestAnomalyDetection(RunnerTestCase):
    def test_autograd_anomaly_detection_is_on_only_during_training(self):
        import torch

        AnomalyProbe.seen = []
        cfg = self.epoch_based_cfg(custom_hooks=[dict(type="AutogradAnomalyDetectHook"),
                                                 dict(type="AnomalyProbe")])
        self.build_runner(cfg).train()
        self.assertEqual(AnomalyProbe.seen, [True] * 8)
        self.assertFalse(torch.is_anomaly_enabled())
