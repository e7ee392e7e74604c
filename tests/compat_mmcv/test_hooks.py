"""MMCV hook base, built-in hooks and runner behaviour on small real training runs."""
import logging
import math
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport.compat.mmcv.hook import Hook  # noqa: E402
from hookport.compat.mmcv.log_buffer import LogBuffer  # noqa: E402
from hookport.compat.mmcv.runner import EpochBasedRunner, IterBasedRunner  # noqa: E402
from hookport.errors import HookportError, HookValidationError  # noqa: E402
from hookport.registry import MMCV_HOOKS  # noqa: E402
from hookport.runner.dispatch import HookTable  # noqa: E402

sys.path.insert(0, str(Path(__file__).parents[2] / "fixtures/mmcv"))
from toy_legacy import LegacyToyDataset, LegacyToyModel  # noqa: E402


def make_runner(tmp_path, cls=EpochBasedRunner, hooks=(), optimizer_config=None, **length):
    torch.manual_seed(0)
    model = LegacyToyModel()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    logger = logging.getLogger("hookport.test.mmcv")
    runner = cls(model, optimizer=optimizer, work_dir=str(tmp_path), logger=logger, meta={}, **length)
    if optimizer_config is not None:
        runner.register_hook(MMCV_HOOKS.build(dict(dict(type="OptimizerHook"), **optimizer_config)), "ABOVE_NORMAL")
    for hook, priority in hooks:
        runner.register_hook(hook, priority)
    return runner


def loader(n=8, batch=2):
    return torch.utils.data.DataLoader(LegacyToyDataset(n=n), batch_size=batch, shuffle=False)


class Recorder(Hook):
    def __init__(self):
        self.calls = []

    def before_epoch(self, runner):
        self.calls.append(("before_epoch", runner.mode))

    def after_iter(self, runner):
        self.calls.append(("after_iter", runner.mode, runner.inner_iter, runner.iter))


def test_generic_methods_fire_for_train_and_val(tmp_path):
    rec = Recorder()
    runner = make_runner(tmp_path, hooks=[(rec, "NORMAL")], max_epochs=1)
    runner.run([loader(4), loader(2)], [("train", 1), ("val", 1)])
    assert rec.calls == [("before_epoch", "train"), ("after_iter", "train", 0, 0), ("after_iter", "train", 1, 1),
                         ("before_epoch", "val"), ("after_iter", "val", 0, 2)]
    # No logger hook clears the buffer here: two train steps and one val step were logged.
    assert len(runner.log_buffer.val_history["loss"]) == 3


def test_bound_adapts_mmcv_signature_and_validates_it():
    table = HookTable("mmcv", Hook.stages)
    table.register(Recorder(), "NORMAL")
    calls = table.calls("after_train_iter")
    assert len(calls) == 1 and len(table.calls("before_run")) == 0

    class Bad(Hook):
        def after_train_iter(self):  # no runner argument
            pass

    with pytest.raises(HookValidationError, match="Bad.after_train_iter"):
        table.register(Bad(), "NORMAL")


def test_helpers_follow_mmcv_counters(tmp_path):
    seen = []

    class Probe(Hook):
        def after_train_iter(self, runner):
            seen.append((self.every_n_iters(runner, 3), self.every_n_inner_iters(runner, 2),
                         self.end_of_epoch(runner), self.is_last_iter(runner), self.is_last_epoch(runner),
                         self.every_n_epochs(runner, 2)))

    make_runner(tmp_path, hooks=[(Probe(), "NORMAL")], max_epochs=2).run([loader(6)], [("train", 1)])
    assert [s[0] for s in seen] == [False, False, True, False, False, True]
    assert [s[1] for s in seen] == [False, True, False] * 2
    assert [s[2] for s in seen] == [False, False, True] * 2
    assert [s[3] for s in seen] == [False] * 5 + [True]
    assert [s[4] for s in seen] == [False] * 3 + [True] * 3
    assert [s[5] for s in seen] == [False] * 3 + [True] * 3


def test_outputs_editable_before_optimizer_hook(tmp_path):
    """A VERY_HIGH after_train_iter hook that zeroes the loss leaves the weights untouched."""
    class ZeroLoss(Hook):
        def after_train_iter(self, runner):
            runner.outputs["loss"] = runner.outputs["loss"] * 0

    runner = make_runner(tmp_path, hooks=[(ZeroLoss(), "VERY_HIGH")], optimizer_config={}, max_epochs=1)
    before = {k: v.clone() for k, v in runner.model.state_dict().items()}
    runner.run([loader(4)], [("train", 1)])
    assert all(torch.equal(before[k], v) for k, v in runner.model.state_dict().items())


def test_log_buffer_weighted_average():
    buf = LogBuffer()
    buf.update(dict(loss=1.0), count=1)
    buf.update(dict(loss=4.0), count=3)
    buf.update(dict(loss=10.0), count=1)
    buf.average(2)
    assert buf.ready and buf.output["loss"] == pytest.approx((12 + 10) / 4)
    buf.average()
    assert buf.output["loss"] == pytest.approx(23 / 5)
    buf.clear_output()
    assert not buf.ready and not buf.output and buf.val_history


def test_iter_runner_calls_generic_epoch_once_and_lags_epoch(tmp_path):
    class Seen(Hook):
        def __init__(self):
            self.log = []

        def before_epoch(self, runner):
            self.log.append(("before_epoch", runner.iter))

        def before_train_iter(self, runner):
            self.log.append((runner.iter, runner.epoch))

    seen = Seen()
    make_runner(tmp_path, IterBasedRunner, hooks=[(seen, "NORMAL")], max_iters=6).run([loader(4)], [("train", 1)])
    assert seen.log == [("before_epoch", 0), (0, 0), (1, 0), (2, 0), (3, 1), (4, 1), (5, 2)]


def test_checkpoint_hook_keeps_latest_and_prunes(tmp_path):
    hook = MMCV_HOOKS.build(dict(type="CheckpointHook", interval=1, max_keep_ckpts=1))
    runner = make_runner(tmp_path, hooks=[(hook, "NORMAL")], optimizer_config={}, max_epochs=3)
    runner.run([loader(2)], [("train", 1)])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["epoch_3.pth", "latest.pth"]
    assert (tmp_path / "latest.pth").resolve().name == "epoch_3.pth"
    assert runner.meta["hook_msgs"]["last_ckpt"] == str(tmp_path / "epoch_3.pth")


def test_cumulative_optimizer_divides_last_incomplete_group(tmp_path):
    """3 iterations, cumulative_iters=2: equal to a 2-batch step then a 1-batch step on plain SGD."""
    hook = MMCV_HOOKS.build(dict(type="GradientCumulativeOptimizerHook", cumulative_iters=2))
    runner = make_runner(tmp_path, IterBasedRunner, hooks=[(hook, "ABOVE_NORMAL")], max_iters=3)
    runner.run([loader(6)], [("train", 1)])
    torch.manual_seed(0)
    model = LegacyToyModel()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    batches = list(loader(6))
    for group, divisor in ((batches[:2], 2), (batches[2:], 1)):
        opt.zero_grad()
        for batch in group:
            (model.train_step(batch, opt)["loss"] / divisor).backward()
        opt.step()
    assert all(torch.equal(a, b) for a, b in zip(runner.model.state_dict().values(), model.state_dict().values()))


def test_fp16_hook_on_cpu_warns_and_trains(tmp_path):
    hook = MMCV_HOOKS.build(dict(type="Fp16OptimizerHook", loss_scale=512.0))
    runner = make_runner(tmp_path, hooks=[(hook, "ABOVE_NORMAL")], max_epochs=1)
    with pytest.warns(UserWarning, match="bfloat16"):
        runner.run([loader(4)], [("train", 1)])
    assert "loss_scaler" in runner.meta["fp16"]


def test_missing_logger_client_is_a_clear_error(tmp_path):
    pytest.importorskip("torch")
    if "wandb" in sys.modules or _importable("wandb"):
        pytest.skip("wandb is installed")
    hook = MMCV_HOOKS.build(dict(type="WandbLoggerHook", interval=1))
    runner = make_runner(tmp_path, hooks=[(hook, "VERY_LOW")], max_epochs=1)
    with pytest.raises(HookportError, match="pip install wandb"):
        runner.run([loader(2)], [("train", 1)])


def _importable(name):
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_closure_hook_runs_at_its_mount_point(tmp_path):
    calls = []
    hook = MMCV_HOOKS.build(dict(type="ClosureHook", fn_name="after_train_epoch", fn=lambda r: calls.append(r.epoch)))
    make_runner(tmp_path, hooks=[(hook, "NORMAL")], max_epochs=2).run([loader(2)], [("train", 1)])
    assert calls == [0, 1]


def test_ema_hook_swaps_in_ema_weights_at_epoch_end(tmp_path):
    ema = MMCV_HOOKS.build(dict(type="EMAHook", momentum=0.5, warm_up=1))
    runner = make_runner(tmp_path, hooks=[(ema, "NORMAL")], optimizer_config={}, max_epochs=1)
    runner.run([loader(4)], [("train", 1)])
    buffers = dict(runner.model.named_buffers())
    assert "ema_backbone_weight" in buffers
    # After the epoch the parameters hold the average and the buffers the raw weights.
    assert not torch.equal(buffers["ema_backbone_weight"], runner.model.backbone.weight.data)


def test_check_invalid_loss_hook_stops_on_nan(tmp_path):
    class NaNLoss(Hook):
        def after_train_iter(self, runner):
            runner.outputs["loss"] = runner.outputs["loss"] * float("nan")

    check = MMCV_HOOKS.build(dict(type="CheckInvalidLossHook", interval=1))
    runner = make_runner(tmp_path, hooks=[(NaNLoss(), "HIGHEST"), (check, "VERY_LOW")], max_epochs=1)
    with pytest.raises(HookportError, match="infinite or NaN at iteration 1"):
        runner.run([loader(2)], [("train", 1)])


def test_num_class_check_hook_rejects_mismatch(tmp_path):
    class Head(torch.nn.Linear):
        num_classes = 3

    dataset = LegacyToyDataset(n=2)
    dataset.CLASSES = ("a", "b")
    runner = make_runner(tmp_path, hooks=[(MMCV_HOOKS.build(dict(type="NumClassCheckHook")), "NORMAL")], max_epochs=1)
    runner.model.head = Head(8, 1)
    with pytest.raises(HookportError, match="num_classes` \\(3\\)"):
        runner.run([torch.utils.data.DataLoader(dataset, batch_size=2)], [("train", 1)])


def test_yolox_lr_hook_formula():
    hook = MMCV_HOOKS.build(dict(type="YOLOXLrUpdaterHook", num_last_epochs=1, min_lr_ratio=0.05, by_epoch=False,
                                 warmup="exp", warmup_iters=4, warmup_ratio=1.0))
    hook.base_lr = [0.01]

    class R:
        epoch, iter, max_epochs, max_iters = 0, 5, 3, 30
        data_loader = [0] * 10

    assert hook.get_warmup_lr(1) == [0.01 * (2 / 4) ** 2]
    assert hook.get_lr(R, 0.01) == pytest.approx(0.0005 + 0.5 * (0.01 - 0.0005) * (math.cos(math.pi * 2 / 16) + 1))
    R.iter = 25
    assert hook.get_lr(R, 0.01) == pytest.approx(0.0005)
