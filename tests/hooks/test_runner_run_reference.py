"""A real hookport training run against a real MMEngine 0.10.7 run (reference/mmengine_hooks/runner_run.json).

Same shape on both sides (16 samples, batch 4, LoggerHook and CheckpointHook settings, then
a test run): the work-dir files, the log lines with numbers masked, and the keys and steps of
every ``scalars.json`` record must match.
"""
import json
import os
import re
from pathlib import Path

from hookport.evaluation.metric import BaseMetric
from hookport.registry import METRICS
from tests.runner.base import RunnerTestCase

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                        / "runner_run.json").read_text())
MASK = re.compile(r"\d+(\.\d+)?(e[-+]\d+)?")
KEEP = ("Epoch(", "Iter(", "Saving checkpoint", "The best checkpoint", "The previous best", "Exp name",
        "Checkpoints will be saved")
# Files hookport's Runner does not write yet (the config copy MMEngine dumps into work_dir).
NOT_COMPARED = ("<ts>.py",)


@METRICS.register_module(force=True)
class ScriptedAccuracy(BaseMetric):
    """Scripted scores (50, 60, 55, ...), as in the reference run: best checkpoints do not depend on data."""

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


def loader(shuffle, size=16, seed=0):
    sampler = dict(type="DefaultSampler", shuffle=shuffle)
    return dict(dataset=dict(type="ToyDataset", size=size, seed=seed), sampler=sampler, batch_size=4,
                num_workers=0)


class TestRunMatchesMMEngine(RunnerTestCase):
    def run_and_collect(self, cfg):
        cfg.update(train_dataloader=loader(True), val_dataloader=loader(False, seed=1),
                   test_dataloader=loader(False, seed=2), log_level="INFO",
                   val_evaluator=dict(type="ScriptedAccuracy"), test_evaluator=dict(type="ScriptedAccuracy"))
        runner = self.build_runner(cfg)
        runner.train()
        runner.test()
        runner.close()
        ts, work_dir = runner.timestamp, self.temp_dir
        files = sorted(os.path.relpath(os.path.join(root, f), work_dir).replace(ts, "<ts>")
                       for root, _, names in os.walk(work_dir) for f in names)
        files = [f for f in files if not f.endswith("config.py") and f not in NOT_COMPARED]
        with open(os.path.join(runner.log_dir, f"{ts}.log")) as f:
            lines = [line.split(" - INFO - ", 1)[1].rstrip("\n") for line in f if " - INFO - " in line]
        lines = [MASK.sub("N", line.replace(work_dir, "<work_dir>").replace(runner.experiment_name, "<exp>"))
                 for line in lines]
        with open(os.path.join(runner.log_dir, "vis_data", "scalars.json")) as f:
            records = [json.loads(line) for line in f]
        with open(os.path.join(runner.log_dir, "vis_data", f"{ts}.json")) as f:
            same = [json.loads(line) for line in f] == records
        with open(os.path.join(runner.log_dir, f"{ts}.json")) as f:
            test_json = json.load(f)
        return dict(files=files, log=[x for x in lines if x.startswith(KEEP)],
                    scalars=[dict(keys=list(r), step=r["step"], epoch=r.get("epoch"), iter=r.get("iter"))
                             for r in records],
                    timestamp_json_equals_scalars=same, test_json_keys=list(test_json),
                    # The reference dataset is a plain list; ToyDataset has a metainfo (-> dataset_meta).
                    hub_runtime_info_keys=sorted(k for k in runner.message_hub.runtime_info if k != "dataset_meta"))

    def check(self, name, cfg):
        ours = self.run_and_collect(cfg)
        ref = dict(REFERENCE[name])
        ref["files"] = [f for f in ref["files"] if f not in NOT_COMPARED]
        ref["hub_runtime_info_keys"] = sorted(
            "hookport_version" if k == "mmengine_version" else k for k in ref["hub_runtime_info_keys"])
        for key in ref:
            self.assertEqual(ours[key], ref[key], key)

    def test_epoch_based_run(self):
        cfg = self.epoch_based_cfg(
            default_hooks=dict(logger=dict(type="LoggerHook", interval=2),
                               checkpoint=dict(type="CheckpointHook", interval=1, save_best="auto",
                                               max_keep_ckpts=1)),
            param_scheduler=None)
        self.check("epoch", cfg)

    def test_iter_based_run(self):
        cfg = self.iter_based_cfg(
            train_cfg=dict(by_epoch=False, max_iters=8, val_interval=4),
            default_hooks=dict(logger=dict(type="LoggerHook", interval=3),
                               checkpoint=dict(type="CheckpointHook", interval=4, by_epoch=False)),
            param_scheduler=None)
        cfg["train_dataloader"] = None  # replaced in run_and_collect
        self.check("iter", cfg)
