"""Configs shaped like iMIX's own (DeVLBERT, MCAN, UNITER): hook lists (golden files), hook settings, schedules."""
import json
import os

import pytest

from hookport.compat.imix.build import all_hooks, settings
from hookport.runner.dialect import DIALECTS, load_dialect_config

from tests.compat_imix.imix_helpers import FIXTURES

REAL_LIKE = os.path.join(FIXTURES, "real_like")


@pytest.mark.parametrize("name", ["devlbert_vqa", "mcan_vqa", "uniter_vqa"])
def test_hooks_json_matches_golden(name, capsys):
    from hookport.cli import main

    assert main(["hooks", os.path.join(REAL_LIKE, f"{name}.py"), "--json"]) == 0
    with open(os.path.join(REAL_LIKE, f"{name}.hooks.json")) as f:
        assert json.loads(capsys.readouterr().out) == json.load(f)


def load(name):
    cfg, dialect = load_dialect_config(os.path.join(REAL_LIKE, f"{name}.py"))
    assert dialect.name == "imix"
    return cfg


def hooks_by_name(cfg):
    return {type(h).__name__: h for h in all_hooks(cfg, settings(cfg))}


def test_devlbert_first_base_wins_and_ema_hooks_follow_the_defaults():
    cfg = load("devlbert_vqa")
    assert cfg.seed == 0 and cfg.lr_config.milestones == [5640, 7520]
    assert [type(h).__name__ for h in all_hooks(cfg, settings(cfg))][-2:] == ["EMAIterHook", "EMAEpochHook"]
    lrs = [lr[0] for lr in DIALECTS.get("imix").schedule(cfg, 470)["lr"]]
    assert len(lrs) == 30 * 470
    assert lrs[0] == 0.0 and lrs[1098] == pytest.approx(1e-5) and lrs[2196] == pytest.approx(2e-5)
    assert lrs[5640] == pytest.approx(2e-6) and lrs[7520] == pytest.approx(2e-7)


def test_mcan_fp16_warmup_timer_and_checkpoint_prefix():
    cfg = load("mcan_vqa")
    hooks = hooks_by_name(cfg)
    assert hooks["Fp16OptimizerHook"]._grad_scaler_config["init_scale"] == 2.0 ** 16
    assert hooks["IterationTimerHook"]._warmup_iter == 27000
    assert hooks["CheckPointHook"].prefix == "MCAN_VQADATASET" and hooks["CheckPointHook"].epoch_period == 1
    assert hooks["EvaluateHook"]._period is None and hooks["PeriodicLogger"]._period == 1
    lrs = [lr[0] for lr in DIALECTS.get("imix").schedule(cfg, 15000)["lr"]]
    assert lrs[0] == pytest.approx(5e-5 * 0.25) and lrs[27000] == pytest.approx(5e-5)
    assert lrs[90000] == pytest.approx(1e-5) and lrs[108000] == pytest.approx(2e-6)


def test_uniter_accumulation_and_mid_epoch_evaluation():
    cfg = load("uniter_vqa")
    assert cfg.seed == 42
    hooks = hooks_by_name(cfg)
    assert hooks["OptimizerHook"]._grad_clip == {"max_norm": 2.0}
    assert hooks["EvaluateHook"]._period == 500 and hooks["CheckPointHook"].iter_period == 500
    st = settings(cfg, iters_per_epoch=100)
    assert (st.max_iter, st.gradient_accumulation_steps) == (7 * 100 // 5, 5)
    lrs = [lr[0] for lr in DIALECTS.get("imix").schedule(cfg, 1000)["lr"]]
    # the LR steps every 5th iteration: linear warm-up over 600 steps = 3000 iterations
    assert lrs[:6] == [0.0] * 5 + [pytest.approx(8e-5 / 600)]
    assert lrs[3000] == pytest.approx(8e-5) and lrs[-1] == pytest.approx(8e-5 * (6000 - 1399) / 5400)
