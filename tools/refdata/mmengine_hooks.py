"""Capture MMEngine 0.10.7 built-in hook behaviour as JSON (run with $REFENV/bin/python).

Writes ``tests/data/reference/mmengine_hooks/*.json``:

* ``checkpoint_hook.json``: CheckpointHook scenarios (interval, max_keep_ckpts, save_best incl.
  'auto' and lists, rules, save_begin, filename_tmpl) driven through epochs/iterations and
  validations on a recording runner: files on disk, ``last_checkpoint``, message-hub runtime
  info and log messages after every event.
* ``log_processor.json``: LogProcessor lines and tag dicts for scripted message-hub contents
  (epoch/iter based, train/val/test, custom_cfg, hierarchy).
* ``ema.json``: averaged-model weights after scripted updates (EMA, momentum annealing, SWA;
  with/without buffers, interval) and EMAHook's begin_iter and checkpoint swap.
* ``runner_run.json``: a real MMEngine Runner training run: files in the work dir, the keys of
  every ``scalars.json`` line and the log lines with numbers masked.

Hookport never imports MMEngine; the tests read only these files.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import types
import warnings
from collections import OrderedDict

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import mmengine  # noqa: E402
from mmengine.hooks import CheckpointHook, EMAHook  # noqa: E402
from mmengine.logging import MessageHub  # noqa: E402
from mmengine.model import (ExponentialMovingAverage, MomentumAnnealingEMA,  # noqa: E402
                            StochasticWeightAverage)
from mmengine.runner import LogProcessor  # noqa: E402

assert mmengine.__version__ == "0.10.7", mmengine.__version__

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO, "tests", "data", "reference", "mmengine_hooks")


def plain(value):
    """JSON-able form of MMEngine values (numpy, tensors, OrderedDicts, deques)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "deque":
        return [plain(v) for v in value]
    if isinstance(value, (np.generic, np.ndarray, torch.Tensor)):
        return value.tolist()
    return value


def write(name, data):
    """Write one reference JSON file."""
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, name)
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=False)
        f.write("\n")
    print("wrote", path)


class RecordingLogger:
    """Collects the messages a hook logs."""

    def __init__(self):
        self.lines = []

    def info(self, msg):
        self.lines.append(msg)

    warning = info


# ---------------------------------------------------------------- checkpoint hook
class CkptRunner:
    """The runner surface CheckpointHook uses; save_checkpoint writes a marker file."""

    def __init__(self, work_dir, max_epochs, max_iters, hub_name):
        self.work_dir = work_dir
        self.max_epochs = max_epochs
        self.max_iters = max_iters
        self.epoch = 0
        self.iter = 0
        self.logger = RecordingLogger()
        self.message_hub = MessageHub.get_instance(hub_name)
        self.saved = []

    def save_checkpoint(self, out_dir, filename, *args, save_optimizer=True, save_param_scheduler=True,
                        meta=None, by_epoch=True, **kwargs):
        path = os.path.join(out_dir, filename)
        os.makedirs(out_dir, exist_ok=True)
        with open(path, "w") as f:
            f.write("x")
        self.saved.append(dict(filename=filename, save_optimizer=save_optimizer,
                               save_param_scheduler=save_param_scheduler, meta=plain(meta), by_epoch=by_epoch))


CKPT_INFO_KEYS = ("best_score", "best_ckpt", "last_ckpt", "keep_ckpt_ids")

CHECKPOINT_SCENARIOS = [
    dict(name="epoch_interval1", kwargs=dict(interval=1), by_epoch=True, length=3, val=None),
    dict(name="epoch_interval2_no_last", kwargs=dict(interval=2, save_last=False), by_epoch=True, length=5, val=None),
    dict(name="epoch_interval2_last", kwargs=dict(interval=2), by_epoch=True, length=5, val=None),
    dict(name="epoch_default_interval", kwargs=dict(), by_epoch=True, length=3, val=None),
    dict(name="epoch_max_keep2", kwargs=dict(interval=1, max_keep_ckpts=2), by_epoch=True, length=5, val=None),
    dict(name="epoch_save_begin3", kwargs=dict(interval=2, save_begin=3), by_epoch=True, length=8, val=None),
    dict(name="epoch_tmpl", kwargs=dict(interval=1, filename_tmpl="ckpt_{:03d}.pth"), by_epoch=True,
         length=2, val=None),
    dict(name="epoch_best_acc", kwargs=dict(interval=1, save_best="acc"), by_epoch=True, length=5,
         val=dict(every=1, metrics=[dict(acc=0.5), dict(acc=0.7), dict(acc=0.6), dict(acc=0.9), dict(acc=0.9)])),
    dict(name="epoch_best_auto_keep", kwargs=dict(interval=1, save_best="auto", max_keep_ckpts=1),
         by_epoch=True, length=4,
         val=dict(every=1, metrics=[dict(loss=0.9, acc=0.1), dict(loss=0.5, acc=0.2), dict(loss=0.7, acc=0.3),
                                    dict(loss=0.1, acc=0.0)])),
    dict(name="epoch_best_list", kwargs=dict(interval=2, save_best=["accuracy/top1", "loss"]),
         by_epoch=True, length=4,
         val=dict(every=1, metrics=[{"accuracy/top1": 50.0, "loss": 1.0}, {"accuracy/top1": 40.0, "loss": 0.5},
                                    {"accuracy/top1": 60.0, "loss": 0.7}, {"accuracy/top1": 55.0, "loss": 0.2}])),
    dict(name="epoch_best_rule_less", kwargs=dict(interval=1, save_best="score", rule="less"), by_epoch=True,
         length=3, val=dict(every=1, metrics=[dict(score=3.0), dict(score=1.0), dict(score=2.0)])),
    dict(name="epoch_best_rules_list", kwargs=dict(interval=1, save_best=["a", "b"], rule=["greater", "less"]),
         by_epoch=True, length=3,
         val=dict(every=1, metrics=[dict(a=1.0, b=1.0), dict(a=2.0, b=2.0), dict(a=0.0, b=0.5)])),
    dict(name="epoch_best_greater_keys", kwargs=dict(interval=1, save_best="f1", greater_keys=["f1"]),
         by_epoch=True, length=3, val=dict(every=1, metrics=[dict(f1=0.2), dict(f1=0.1), dict(f1=0.3)])),
    dict(name="epoch_best_no_periodic", kwargs=dict(interval=-1, save_last=False, save_best="acc"),
         by_epoch=True, length=3, val=dict(every=1, metrics=[dict(acc=0.1), dict(acc=0.3), dict(acc=0.2)])),
    dict(name="epoch_best_val_every2", kwargs=dict(interval=1, save_best="mIoU", max_keep_ckpts=2),
         by_epoch=True, length=6, val=dict(every=2, metrics=[dict(mIoU=0.3), dict(mIoU=0.5), dict(mIoU=0.4)])),
    dict(name="iter_interval3", kwargs=dict(interval=3, by_epoch=False), by_epoch=False, length=10, val=None),
    dict(name="iter_max_keep1", kwargs=dict(interval=2, by_epoch=False, max_keep_ckpts=1), by_epoch=False,
         length=7, val=None),
    dict(name="iter_best", kwargs=dict(interval=4, by_epoch=False, save_best="acc"), by_epoch=False, length=12,
         val=dict(every=4, metrics=[dict(acc=0.2), dict(acc=0.1), dict(acc=0.4)])),
    dict(name="iter_best_no_periodic", kwargs=dict(interval=100, by_epoch=False, save_last=False,
                                                   save_best="acc"), by_epoch=False, length=6,
         val=dict(every=3, metrics=[dict(acc=0.2), dict(acc=0.4)])),
]


def snapshot(runner, out_dir):
    """Files, last_checkpoint, checkpoint runtime info, log and save calls right now."""
    files = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
    pointer = os.path.join(runner.work_dir, "last_checkpoint")
    last = open(pointer).read() if os.path.exists(pointer) else None
    info = {k: plain(v) for k, v in runner.message_hub.runtime_info.items()
            if k in CKPT_INFO_KEYS or k.startswith(("best_score_", "best_ckpt_"))}
    rel = lambda p: os.path.relpath(p, runner.work_dir) if isinstance(p, str) and p.startswith("/") else p
    info = {k: ([rel(x) for x in v] if isinstance(v, list) else rel(v)) for k, v in info.items()}
    return dict(files=files, last_checkpoint=rel(last), runtime_info=info,
                log=[re.sub(re.escape(runner.work_dir) + "/?", "<work_dir>/", line) for line in runner.logger.lines],
                saved=list(runner.saved))


def run_checkpoint_scenario(scn, index):
    """Drive MMEngine's CheckpointHook through one scenario, snapshotting after every event."""
    with tempfile.TemporaryDirectory() as work_dir:
        length = scn["length"]
        runner = CkptRunner(work_dir, max_epochs=length if scn["by_epoch"] else 0,
                            max_iters=length if not scn["by_epoch"] else length * 4, hub_name=f"ckpt{index}")
        hook = CheckpointHook(**scn["kwargs"])
        hook.before_train(runner)
        events = []
        val = scn["val"]
        metrics = iter(val["metrics"]) if val else None
        for step in range(length):
            runner.logger.lines = []
            runner.saved = []
            if scn["by_epoch"]:
                runner.epoch, runner.iter = step, (step + 1) * 4 - 1
                hook.after_train_epoch(runner)
                runner.epoch, runner.iter = step + 1, (step + 1) * 4
            else:
                runner.iter = step
                hook.after_train_iter(runner, step, None, None)
                runner.iter = step + 1
            event = dict(event="train", step=step + 1, **snapshot(runner, hook.out_dir))
            events.append(event)
            if val and (step + 1) % val["every"] == 0:
                runner.logger.lines = []
                runner.saved = []
                m = next(metrics)
                hook.after_val_epoch(runner, dict(m))
                events.append(dict(event="val", step=step + 1, metrics=m, **snapshot(runner, hook.out_dir)))
        return dict(name=scn["name"], kwargs=scn["kwargs"], by_epoch=scn["by_epoch"], length=length,
                    val=scn["val"], events=events)


def checkpoint_reference():
    """CheckpointHook scenarios plus rule inference."""
    cases = [run_checkpoint_scenario(s, i) for i, s in enumerate(CHECKPOINT_SCENARIOS)]
    inferred = {}
    for key in ["acc", "accuracy/top1", "loss", "mAP", "AR@100", "mIoU", "val_loss", "Precision", "bbox_mAP",
                "aAcc", "top1", "coco/bbox_mAP_50", "recall_loss"]:
        hook = CheckpointHook(save_best=key)
        inferred[key] = hook.rules[0]
    errors = {}
    for key in ["f1", "score"]:
        try:
            CheckpointHook(save_best=key)
            errors[key] = None
        except ValueError as err:
            errors[key] = type(err).__name__
    write("checkpoint_hook.json", dict(scenarios=cases, inferred_rules=inferred, uninferable=errors))


# ---------------------------------------------------------------- log processor
class Loop:
    """A loop with a dataloader of ``n`` batches."""

    def __init__(self, n):
        self.dataloader = list(range(n))


def make_runner(hub, epoch, it, max_epochs, max_iters, n_train, n_val, n_test, training=True):
    """The runner attributes LogProcessor reads."""
    runner = types.SimpleNamespace(
        message_hub=hub, epoch=epoch, iter=it, max_epochs=max_epochs, max_iters=max_iters,
        train_loop=Loop(n_train), val_loop=Loop(n_val), test_loop=Loop(n_test),
        model=nn.Linear(1, 1))
    runner._train_loop = runner.train_loop if training else None
    return runner


LOG_CASES = [
    dict(name="epoch_train", processor=dict(), mode="train", after="iter", epoch=0, iter=9, batch_idx=9,
         max_epochs=12, max_iters=240, n=(20, 5, 5), eta=12345.6, steps=10, training=True),
    dict(name="epoch_train_window3", processor=dict(window_size=3, num_digits=3), mode="train", after="iter",
         epoch=1, iter=24, batch_idx=4, max_epochs=3, max_iters=60, n=(20, 5, 5), eta=61.0, steps=25, training=True),
    dict(name="iter_train", processor=dict(by_epoch=False), mode="train", after="iter", epoch=0, iter=49,
         batch_idx=49, max_epochs=1, max_iters=1000, n=(100, 5, 5), eta=3600.2, steps=50, training=True),
    dict(name="epoch_train_no_eta", processor=dict(), mode="train", after="iter", epoch=2, iter=7, batch_idx=7,
         max_epochs=100, max_iters=800, n=(8, 5, 5), eta=None, steps=8, training=True),
    dict(name="custom_cfg", processor=dict(custom_cfg=[dict(data_src="loss", method_name="max", window_size="global",
                                                            log_name="loss_max"),
                                                       dict(data_src="loss", method_name="mean", window_size="epoch",
                                                            log_name="loss_epoch")]),
         mode="train", after="iter", epoch=1, iter=29, batch_idx=9, max_epochs=2, max_iters=40, n=(20, 5, 5),
         eta=10.0, steps=30, training=True),
    dict(name="hierarchy", processor=dict(log_with_hierarchy=True), mode="train", after="iter", epoch=0, iter=4,
         batch_idx=4, max_epochs=1, max_iters=10, n=(10, 5, 5), eta=5.0, steps=5, training=True),
    dict(name="val_iter", processor=dict(), mode="val", after="iter", epoch=1, iter=20, batch_idx=2,
         max_epochs=2, max_iters=40, n=(20, 5, 5), eta=1.5, steps=3, training=True),
    dict(name="test_iter", processor=dict(), mode="test", after="iter", epoch=0, iter=0, batch_idx=1,
         max_epochs=1, max_iters=1, n=(20, 5, 5), eta=1.5, steps=2, training=False),
    dict(name="val_iter_by_iter", processor=dict(by_epoch=False), mode="val", after="iter", epoch=0, iter=100,
         batch_idx=3, max_epochs=1, max_iters=200, n=(20, 12, 5), eta=2.0, steps=4, training=True),
    dict(name="val_epoch", processor=dict(), mode="val", after="epoch", epoch=2, iter=40, batch_idx=5,
         max_epochs=2, max_iters=40, n=(20, 5, 5), eta=None, steps=5, training=True,
         metrics={"accuracy/top1": 62.5, "accuracy/top5": 100.0}),
    dict(name="val_epoch_by_iter", processor=dict(by_epoch=False), mode="val", after="epoch", epoch=0,
         iter=200, batch_idx=5, max_epochs=1, max_iters=200, n=(20, 5, 5), eta=None, steps=5, training=True,
         metrics={"mIoU": 0.4567, "count": 3}),
    dict(name="test_epoch", processor=dict(), mode="test", after="epoch", epoch=0, iter=0, batch_idx=5,
         max_epochs=1, max_iters=1, n=(20, 5, 5), eta=None, steps=5, training=False,
         metrics={"acc": 0.75}),
    dict(name="val_epoch_no_train", processor=dict(), mode="val", after="epoch", epoch=0, iter=0, batch_idx=5,
         max_epochs=1, max_iters=1, n=(20, 5, 5), eta=None, steps=5, training=False,
         metrics={"acc": 0.5}),
]


def scripted_scalars(mode, steps):
    """Deterministic per-iteration scalars, in the order the default hooks log them."""
    rows = []
    for i in range(steps):
        row = OrderedDict()
        if mode == "train":
            row["train/lr"] = 0.02 * (0.9 ** i)
        row[f"{mode}/data_time"] = 0.001 * (i % 4 + 1)
        if mode == "train":
            row["train/loss"] = 1.0 / (i + 1) + 0.1
            row["train/loss_cls"] = 0.5 / (i + 2)
            row["train/acc"] = float(i % 3) * 25.0
        row[f"{mode}/time"] = 0.01 * (i % 5 + 1)
        rows.append(row)
    return rows


def log_processor_reference():
    """LogProcessor lines and tags for every LOG_CASES entry."""
    cases = []
    for index, case in enumerate(LOG_CASES):
        hub = MessageHub.get_instance(f"log{index}")
        rows = scripted_scalars(case["mode"], case["steps"])
        for row in rows:
            for key, value in row.items():
                hub.update_scalar(key, value)
        if case.get("metrics"):
            for key, value in case["metrics"].items():
                hub.update_scalar(f"{case['mode']}/{key}", value)
        if case["eta"] is not None:
            hub.update_info("eta", case["eta"])
        n_train, n_val, n_test = case["n"]
        runner = make_runner(hub, case["epoch"], case["iter"], case["max_epochs"], case["max_iters"], n_train,
                             n_val, n_test, case["training"])
        processor = LogProcessor(**case["processor"])
        if case["after"] == "iter":
            tag, line = processor.get_log_after_iter(runner, case["batch_idx"], case["mode"])
        else:
            tag, line = processor.get_log_after_epoch(runner, case["batch_idx"], case["mode"])
        cases.append(dict(case, scalars=[dict(r) for r in rows], tag=plain(tag), tag_keys=list(tag), line=line))
    write("log_processor.json", dict(cases=cases))


# ---------------------------------------------------------------- EMA
class Net(nn.Module):
    """A layer with parameters and a BatchNorm with buffers."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.bn = nn.BatchNorm1d(2)


def set_weights(model, step):
    """Deterministic weights for update ``step``."""
    with torch.no_grad():
        for j, (_, p) in enumerate(sorted(model.state_dict().items())):
            if p.dtype.is_floating_point:
                numel = p.numel()
                p.copy_(torch.arange(numel, dtype=p.dtype).reshape(p.shape) * 0.1 + step * (j + 1) * 0.5)
            else:
                p.fill_(step)


EMA_CASES = [
    dict(name="ema", cls="ExponentialMovingAverage", kwargs=dict(momentum=0.1), steps=6),
    dict(name="ema_interval2_buffers", cls="ExponentialMovingAverage",
         kwargs=dict(momentum=0.25, interval=2, update_buffers=True), steps=7),
    dict(name="annealing", cls="MomentumAnnealingEMA", kwargs=dict(momentum=0.01, gamma=4), steps=6),
    dict(name="swa", cls="StochasticWeightAverage", kwargs=dict(), steps=5),
    dict(name="swa_interval3_buffers", cls="StochasticWeightAverage", kwargs=dict(interval=3, update_buffers=True),
         steps=8),
]


def state(model):
    """A state dict as nested lists."""
    return {k: v.tolist() for k, v in model.state_dict().items()}


def ema_reference():
    """Averaged-model histories and the EMAHook checkpoint layout."""
    classes = dict(ExponentialMovingAverage=ExponentialMovingAverage, MomentumAnnealingEMA=MomentumAnnealingEMA,
                   StochasticWeightAverage=StochasticWeightAverage)
    cases = []
    for case in EMA_CASES:
        torch.manual_seed(0)
        model = Net()
        set_weights(model, 0)
        averaged = classes[case["cls"]](model, **case["kwargs"])
        history = []
        for step in range(case["steps"]):
            set_weights(model, step + 1)
            averaged.update_parameters(model)
            history.append(state(averaged.module))
        cases.append(dict(case, history=history, steps_buffer=int(averaged.steps)))

    # EMAHook: begin_iter, validation swap and checkpoint layout.
    torch.manual_seed(0)
    model = Net()
    set_weights(model, 0)
    runner = types.SimpleNamespace(model=model, iter=0, epoch=0, max_iters=10, max_epochs=1, _resume=False)
    hook = EMAHook(momentum=0.5, begin_iter=2)
    hook.before_run(runner)
    hook.before_train(runner)
    history = []
    for step in range(5):
        set_weights(model, step + 1)
        runner.iter = step
        hook.after_train_iter(runner, step)
        history.append(state(hook.ema_model.module))
    hook.before_val_epoch(runner)
    during_val = state(model)
    hook.after_val_epoch(runner, {})
    after_val = state(model)
    checkpoint = dict(state_dict=OrderedDict((k, v.clone()) for k, v in model.state_dict().items()))
    hook.before_save_checkpoint(runner, checkpoint)
    saved = dict(state_dict={k: v.tolist() for k, v in checkpoint["state_dict"].items()},
                 ema_state_dict={k: v.tolist() for k, v in checkpoint["ema_state_dict"].items()})
    hook_case = dict(kwargs=dict(momentum=0.5, begin_iter=2), history=history, during_val=during_val,
                     after_val=after_val, checkpoint=saved)
    write("ema.json", dict(cases=cases, hook=hook_case))


# ---------------------------------------------------------------- a whole run
RUN_MASK = re.compile(r"\d+(\.\d+)?(e[-+]\d+)?")
RUN_KEEP = ("Epoch(", "Iter(", "Saving checkpoint", "The best checkpoint", "The previous best", "Exp name",
            "Checkpoints will be saved")


def mask_line(line, work_dir, experiment_name):
    """The message part of a log line: paths and names replaced, every number replaced by N."""
    message = line.split(" - INFO - ", 1)[-1].rstrip("\n")
    message = message.replace(work_dir, "<work_dir>").replace(experiment_name, "<exp>")
    return RUN_MASK.sub("N", message)


def runner_reference():
    """Two real MMEngine runs (epoch- and iteration-based) reduced to comparable structure."""
    from mmengine.evaluator import BaseMetric
    from mmengine.model import BaseModel
    from mmengine.registry import METRICS, MODELS
    from mmengine.runner import Runner

    @MODELS.register_module(force=True)
    class RefToyModel(BaseModel):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, inputs, labels=None, mode="tensor"):
            x = torch.stack(inputs) if isinstance(inputs, list) else inputs
            logits = self.fc(x)
            if mode == "loss":
                y = torch.stack(labels) if isinstance(labels, list) else labels
                return dict(loss=nn.functional.cross_entropy(logits, y))
            return [dict(pred=p.argmax(), gt=g) for p, g in zip(logits, labels)]

    @METRICS.register_module(force=True)
    class ScriptedAccuracy(BaseMetric):
        """Scripted scores (50, 60, 55, ...), so best-checkpoint events do not depend on the data."""

        default_prefix = "accuracy"
        scores = (50.0, 60.0, 55.0)

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.calls = 0

        def process(self, data_batch, data_samples):
            self.results.extend(0.0 for _ in data_samples)

        def compute_metrics(self, results):
            score = self.scores[self.calls % len(self.scores)]
            self.calls += 1
            return dict(top1=score)

    torch.manual_seed(0)
    data = [dict(inputs=torch.randn(2), labels=torch.tensor(i % 2)) for i in range(16)]
    loader = lambda shuffle: dict(dataset=data, sampler=dict(type="DefaultSampler", shuffle=shuffle),
                                  batch_size=4, num_workers=0)
    results = {}
    for name, train_cfg, hooks, lp in [
        ("epoch", dict(by_epoch=True, max_epochs=2, val_interval=1),
         dict(logger=dict(type="LoggerHook", interval=2),
              checkpoint=dict(type="CheckpointHook", interval=1, save_best="auto", max_keep_ckpts=1)),
         dict()),
        ("iter", dict(by_epoch=False, max_iters=8, val_interval=4),
         dict(logger=dict(type="LoggerHook", interval=3),
              checkpoint=dict(type="CheckpointHook", interval=4, by_epoch=False)),
         dict(by_epoch=False)),
    ]:
        with tempfile.TemporaryDirectory() as work_dir:
            runner = Runner(model=dict(type="RefToyModel"), work_dir=work_dir, train_dataloader=loader(True),
                            val_dataloader=loader(False), test_dataloader=loader(False), train_cfg=train_cfg,
                            val_cfg=dict(), test_cfg=dict(), val_evaluator=dict(type="ScriptedAccuracy"),
                            test_evaluator=dict(type="ScriptedAccuracy"),
                            optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
                            default_hooks=hooks, log_processor=lp, randomness=dict(seed=0),
                            experiment_name=f"ref_{name}")
            runner.train()
            runner.test()
            ts = runner.timestamp
            files = []
            for root, _, names in os.walk(work_dir):
                for f in names:
                    files.append(os.path.relpath(os.path.join(root, f), work_dir).replace(ts, "<ts>"))
            with open(os.path.join(runner.log_dir, f"{ts}.log")) as f:
                lines = [mask_line(x, work_dir, runner.experiment_name) for x in f if " - INFO - " in x]
            lines = [x for x in lines if x.startswith(RUN_KEEP)]
            with open(os.path.join(runner.log_dir, "vis_data", "scalars.json")) as f:
                records = [json.loads(x) for x in f]
            with open(os.path.join(runner.log_dir, "vis_data", f"{ts}.json")) as f:
                same = [json.loads(x) for x in f] == records
            with open(os.path.join(runner.log_dir, f"{ts}.json")) as f:
                test_json = json.load(f)
            results[name] = dict(
                files=sorted(f for f in files if not f.endswith("config.py") and "vis_image" not in f),
                log=lines,
                scalars=[dict(keys=list(r), step=r["step"], epoch=r.get("epoch"), iter=r.get("iter"))
                         for r in records],
                timestamp_json_equals_scalars=same, test_json_keys=list(test_json),
                hub_runtime_info_keys=sorted(runner.message_hub.runtime_info))
    write("runner_run.json", results)


# ---------------------------------------------------------------- priorities and mount points
def hook_table_reference():
    """Class priority and triggered mount points of every MMEngine built-in hook hookport ships."""
    import mmengine.hooks as hooks

    names = ["RuntimeInfoHook", "IterTimerHook", "DistSamplerSeedHook", "LoggerHook", "ParamSchedulerHook",
             "CheckpointHook", "EMAHook", "EmptyCacheHook", "SyncBuffersHook", "ProfilerHook"]
    table = {}
    for name in names:
        cls = getattr(hooks, name)
        stages = cls.get_triggered_stages(cls.__new__(cls))
        table[name] = dict(priority=cls.priority, stages=sorted(stages))
    write("hook_table.json", table)


# ---------------------------------------------------------------- iteration timer
TIMER_CASES = [
    dict(name="train", mode="train", start_iter=0, max_iters=10, n=5, loads=[0.5, 0.25, 0.0, 1.0],
         steps=[2.0, 1.0, 3.0, 0.5]),
    dict(name="train_resumed", mode="train", start_iter=40, max_iters=100, n=5, loads=[0.1, 0.2, 0.3],
         steps=[1.0, 2.0, 4.0]),
    dict(name="val", mode="val", start_iter=0, max_iters=10, n=6, loads=[0.1, 0.2, 0.3], steps=[1.0, 2.0, 0.5]),
    dict(name="test", mode="test", start_iter=0, max_iters=10, n=4, loads=[0.0, 0.5], steps=[1.5, 1.0]),
]


def timer_reference():
    """IterTimerHook's data_time, time and eta under a scripted clock."""
    import mmengine.hooks.iter_timer_hook as timer_module
    from mmengine.hooks import IterTimerHook

    clock = dict(now=100.0)
    timer_module.time = types.SimpleNamespace(time=lambda: clock["now"])
    cases = []
    for index, case in enumerate(TIMER_CASES):
        mode = case["mode"]
        loader = list(range(case["n"]))
        runner = types.SimpleNamespace(message_hub=MessageHub.get_instance(f"timer{index}"), iter=case["start_iter"],
                                       max_iters=case["max_iters"], val_dataloader=loader, test_dataloader=loader)
        hook = IterTimerHook()
        if mode == "train":
            hook.before_train(runner)
        getattr(hook, f"before_{mode}_epoch")(runner)
        etas = []
        for i, (load, step) in enumerate(zip(case["loads"], case["steps"])):
            clock["now"] += load
            getattr(hook, f"before_{mode}_iter")(runner, i)
            clock["now"] += step
            getattr(hook, f"after_{mode}_iter")(runner, i)
            etas.append(runner.message_hub.get_info("eta"))
            if mode == "train":
                runner.iter += 1
        cases.append(dict(case, data_time=plain(runner.message_hub.get_scalar(f"{mode}/data_time").data[0]),
                          time=plain(runner.message_hub.get_scalar(f"{mode}/time").data[0]), eta=etas))
    write("iter_timer.json", dict(cases=cases))


def main():
    """Write every reference file."""
    logging.getLogger().setLevel(logging.ERROR)
    timer_reference()
    hook_table_reference()
    checkpoint_reference()
    log_processor_reference()
    ema_reference()
    runner_reference()


if __name__ == "__main__":
    sys.exit(main())
