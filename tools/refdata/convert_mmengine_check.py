"""Reference check of `hookport convert` output against the REAL libraries (run with $REFENV/bin/python).

For every converted fixture (golden ``*.out.py`` pairs and the ``expected/`` trees):

1. the converted file must load with ``mmengine.Config.fromfile`` (MMEngine 0.10.7);
2. when it defines a schedule, MMEngine's own Runner trains a toy model with the converted
   ``train_cfg`` / ``optim_wrapper.optimizer`` / ``param_scheduler`` and records lr/momentum before
   every iteration; MMCV 1.7.2's own runner does the same with the ORIGINAL legacy config
   (``lr_config`` / ``momentum_config`` through ``register_training_hooks``);
3. the two trajectories are compared: "exact" (max relative deviation <= 1e-9) or the maximum
   absolute/relative deviation and the iteration where it occurs.

Writes tests/data/reference/convert/mmengine_check.json. tests/convert/test_reference.py checks that
hookport's own verification reaches the same verdict with the same numbers.
"""
from __future__ import annotations

import copy
import json
import logging
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmcv_common as common  # noqa: E402  (patches torchvision and the runners' sleeps)

# mmengine's environment report reads torchvision.__version__ from the stand-in
sys.modules["torchvision"].__version__ = "0.0.0+stub"

import mmcv  # noqa: E402
import mmengine  # noqa: E402
import torch  # noqa: E402
from mmcv.runner import EpochBasedRunner, IterBasedRunner  # noqa: E402
from mmcv.runner import Hook as MMCVHook  # noqa: E402
from mmcv.utils import get_logger  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.logging import MMLogger  # noqa: E402
from mmengine.model import BaseModel  # noqa: E402
from mmengine.registry import DATASETS, HOOKS, MODELS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402
from torch import nn  # noqa: E402

REPO = common.REPO
sys.path.insert(0, REPO)  # `--exact` outputs import hookport.ext.mmengine through custom_imports
FIXTURES = os.path.join(REPO, "fixtures", "convert")
OUT = os.path.join(REPO, "tests", "data", "reference", "convert", "mmengine_check.json")
ITERS_PER_EPOCH = 10
MAX_ITERS = 3000  # longer schedules are only loaded and built, not trained
EXACT_RTOL = 1e-9


@MODELS.register_module()
class ConvertCheckModel(BaseModel):
    """Two linear layers; loss = mean output."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)

    def forward(self, inputs, labels=None, mode="tensor"):
        out = self.head(self.backbone(torch.stack(inputs) if isinstance(inputs, list) else inputs))
        return dict(loss=out.mean()) if mode == "loss" else [dict(pred=o) for o in out]


@DATASETS.register_module()
class ConvertCheckDataset(torch.utils.data.Dataset):
    """ITERS_PER_EPOCH fixed samples."""

    def __len__(self):
        return ITERS_PER_EPOCH

    def __getitem__(self, idx):
        return dict(inputs=torch.full((2,), float(idx)), labels=0)


def _momentum(group):
    if "betas" in group:
        return float(group["betas"][0])
    return float(group["momentum"]) if "momentum" in group else None


@HOOKS.register_module()
class ConvertCheckRecorder(Hook):
    """Records lr/momentum before every training iteration."""

    priority = "HIGHEST"
    log = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        groups = runner.optim_wrapper.optimizer.param_groups
        ConvertCheckRecorder.log["lr"].append([float(g["lr"]) for g in groups])
        ConvertCheckRecorder.log["momentum"].append([_momentum(g) for g in groups])


class MMCVRecorder(MMCVHook):
    """The same, for MMCV (registered LOWEST: after the updaters)."""

    def __init__(self, log):
        self.log = log

    def before_train_iter(self, runner):
        self.log["lr"].append([float(v) for v in runner.current_lr()])
        self.log["momentum"].append([float(v) for v in runner.current_momentum()])


def _length(train_cfg):
    if train_cfg.get("type") == "IterBasedTrainLoop":
        return train_cfg["max_iters"]
    return train_cfg["max_epochs"] * ITERS_PER_EPOCH


def run_mmengine(cfg, name):
    """Train the toy model with the converted schedule through MMEngine's Runner."""
    ConvertCheckRecorder.log = dict(lr=[], momentum=[])
    optimizer = copy.deepcopy(cfg["optim_wrapper"]["optimizer"])
    optimizer.pop("_delete_", None)
    extra = {"custom_imports": cfg["custom_imports"]} if "custom_imports" in cfg else {}
    with tempfile.TemporaryDirectory() as work_dir:
        runner_cfg = dict(**extra,
            model=dict(type="ConvertCheckModel"), work_dir=work_dir,
            train_dataloader=dict(dataset=dict(type="ConvertCheckDataset"),
                                  sampler=dict(type="DefaultSampler", shuffle=False), batch_size=1),
            train_cfg=copy.deepcopy(cfg["train_cfg"]), optim_wrapper=dict(type="OptimWrapper", optimizer=optimizer),
            param_scheduler=copy.deepcopy(cfg["param_scheduler"]),
            default_hooks=dict(checkpoint=None, logger=None), custom_hooks=[dict(type="ConvertCheckRecorder")],
            randomness=dict(seed=0), log_level="ERROR", experiment_name=f"convert_check_{name}")
        runner_cfg["train_cfg"].pop("val_interval", None)
        runner_cfg["train_cfg"].pop("val_begin", None)
        Runner.from_cfg(mmengine.Config(runner_cfg)).train()
    return ConvertCheckRecorder.log


def run_mmcv(legacy):
    """Train the toy model with the original lr_config/momentum_config through MMCV's runner."""
    log = dict(lr=[], momentum=[])
    runner_cfg = dict(legacy.get("runner") or dict(type="EpochBasedRunner", max_epochs=legacy["total_epochs"]))
    runner_cfg.setdefault("type", "EpochBasedRunner")
    runner_cls = {"EpochBasedRunner": EpochBasedRunner, "IterBasedRunner": IterBasedRunner}[runner_cfg.pop("type")]
    torch.manual_seed(0)
    model = common.ToyModel()
    optimizer = dict(legacy["optimizer"])
    optimizer.pop("paramwise_cfg", None)
    optimizer.pop("constructor", None)
    optim = getattr(torch.optim, optimizer.pop("type"))(model.parameters(), **optimizer)
    runner = runner_cls(model, optimizer=optim, work_dir=None,
                        logger=get_logger("convert_check", log_level=logging.ERROR), **runner_cfg)
    runner.register_training_hooks(lr_config=copy.deepcopy(legacy.get("lr_config")),
                                   momentum_config=copy.deepcopy(legacy.get("momentum_config")))
    runner.register_hook(MMCVRecorder(log), priority="LOWEST")
    runner.run([common.toy_loader(ITERS_PER_EPOCH)], [("train", 1)])
    return log


def compare(original, converted):
    """Verdict on two per-iteration trajectories (lists of per-group values)."""
    worst = dict(max_abs=0.0, max_rel=0.0, iter=0)
    for it, (a_groups, b_groups) in enumerate(zip(original, converted)):
        for a, b in zip(a_groups, b_groups):
            if a is None or b is None:
                continue
            diff = abs(a - b)
            if diff > worst["max_abs"]:
                worst = dict(max_abs=diff, max_rel=diff / abs(a) if a else float("inf"), iter=it)
    exact = len(original) == len(converted) and (worst["max_abs"] == 0 or worst["max_rel"] <= EXACT_RTOL)
    return dict(status="exact" if exact else "deviates", **worst)


def fixtures():
    """(name, original path, converted path, dialect) for every converted fixture."""
    golden = os.path.join(FIXTURES, "golden")
    for name in sorted(os.listdir(golden)):
        if name.endswith(".out.py"):
            base = name[: -len(".out.py")]
            # back-ports (--to mmcv) run the other way: MMEngine original, MMCV output
            dialect = "mmengine" if base.startswith("backport_") else "mmcv"
            yield f"golden/{base}", os.path.join(golden, base + ".in.py"), os.path.join(golden, name), dialect
    trees = os.path.join(FIXTURES, "trees")
    for tree in sorted(os.listdir(trees)):
        expected = os.path.join(trees, tree, "expected")
        for folder, _, files in sorted(os.walk(expected)):
            for name in sorted(files):
                converted = os.path.join(folder, name)
                rel = os.path.relpath(converted, expected)
                yield (f"trees/{tree}/{rel}", os.path.join(trees, tree, "configs", rel), converted,
                       "imix" if tree == "imix" else "mmcv")


def check_backport(original_path, converted_path):
    """A back-port: the MMEngine original trained by MMEngine, the MMCV output by MMCV."""
    record = dict(original=os.path.relpath(original_path, REPO), converted=os.path.relpath(converted_path, REPO))
    engine_cfg = mmengine.Config.fromfile(original_path).to_dict()
    legacy = mmcv.Config.fromfile(converted_path).to_dict()
    record["loads"] = True
    if "lr_config" not in legacy or "runner" not in legacy or "optimizer" not in legacy:
        return record
    if not hasattr(torch.optim, legacy["optimizer"].get("type", "")):
        return record
    original = run_mmengine(engine_cfg, os.path.basename(original_path).replace(".", "_"))
    converted = run_mmcv(legacy)
    record.update(mmengine=original, mmcv=converted, lr=compare(original["lr"], converted["lr"]),
                  momentum=compare(original["momentum"], converted["momentum"]))
    return record


def check(name, original_path, converted_path, dialect):
    """The record for one fixture."""
    if dialect == "mmengine":
        return check_backport(original_path, converted_path)
    record = dict(original=os.path.relpath(original_path, REPO), converted=os.path.relpath(converted_path, REPO))
    try:
        cfg = mmengine.Config.fromfile(converted_path).to_dict()
        record["loads"] = True
    except Exception as err:
        record.update(loads=False, error=f"{type(err).__name__}: {err}")
        return record
    if "param_scheduler" not in cfg or not all(k in cfg for k in ("optim_wrapper", "train_cfg")):
        return record
    length = _length(cfg["train_cfg"])
    record["iterations"] = length
    if length > MAX_ITERS or not hasattr(torch.optim, cfg["optim_wrapper"]["optimizer"].get("type", "")):
        record["trajectory"] = "not trained (too long or not a torch optimizer)"
        return record
    try:
        converted = run_mmengine(cfg, name.replace("/", "_"))
    except Exception as err:
        record["mmengine_error"] = f"{type(err).__name__}: {err}"
        return record
    record["mmengine"] = converted
    if dialect != "mmcv":
        return record
    legacy = mmcv.Config.fromfile(original_path).to_dict() if os.path.exists(original_path) else None
    if legacy is None or ("runner" not in legacy and "total_epochs" not in legacy) or "optimizer" not in legacy:
        return record
    try:
        original = run_mmcv(legacy)
    except Exception as err:  # e.g. a downstream policy (mmdet YOLOX) that plain MMCV does not have
        record["mmcv_error"] = f"{type(err).__name__}: {err}"
        return record
    record["mmcv"] = original
    record["lr"] = compare(original["lr"], converted["lr"])
    record["momentum"] = compare(original["momentum"], converted["momentum"])
    return record


def main():
    """Check every fixture and write the JSON reference."""
    logging.disable(logging.WARNING)
    MMLogger.get_instance("mmengine", log_level="ERROR")
    results = {}
    for name, original, converted, dialect in fixtures():
        results[name] = check(name, original, converted, dialect)
        verdict = results[name].get("lr", {}).get("status", "-")
        print(f"{name}: loads={results[name]['loads']} lr={verdict}", file=sys.stderr)
    doc = dict(source=f"mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, torch {torch.__version__}",
               generator="tools/refdata/convert_mmengine_check.py", iters_per_epoch=ITERS_PER_EPOCH, fixtures=results)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".tmp", "w") as handle:
        json.dump(doc, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(OUT + ".tmp", OUT)
    print(f"{len(results)} fixtures -> {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
