"""CheckpointHook against MMEngine 0.10.7 (tests/data/reference/mmengine_hooks/checkpoint_hook.json).

Each reference scenario drives the hook through epochs/iterations and validations exactly as
tools/refdata/mmengine_hooks.py drove MMEngine's hook; after every event the files on disk,
``last_checkpoint``, the message-hub state, the log messages and the save calls must match.
"""
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from hookport.errors import ConfigError
from hookport.hooks.checkpoint_hook import CheckpointHook, best_checkpoint_name, infer_rule

from .fakes import FakeRunner

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                        / "checkpoint_hook.json").read_text())
INFO_KEYS = ("best_score", "best_ckpt", "last_ckpt", "keep_ckpt_ids")


def snapshot(runner, hook):
    files = sorted(os.listdir(hook.out_dir)) if os.path.isdir(hook.out_dir) else []
    pointer = os.path.join(runner.work_dir, "last_checkpoint")
    rel = lambda p: os.path.relpath(p, runner.work_dir) if isinstance(p, str) and p.startswith("/") else p
    last = rel(open(pointer).read()) if os.path.exists(pointer) else None
    info = {k: v for k, v in runner.message_hub.runtime_info.items()
            if k in INFO_KEYS or k.startswith(("best_score_", "best_ckpt_"))}
    info = {k: ([rel(x) for x in v] if isinstance(v, list) else rel(v)) for k, v in info.items()}
    log = [re.sub(re.escape(runner.work_dir) + "/?", "<work_dir>/", line) for line in runner.logger.lines]
    return dict(files=files, last_checkpoint=last, runtime_info=info, log=log, saved=list(runner.saved))


@pytest.mark.parametrize("scenario", REFERENCE["scenarios"], ids=lambda s: s["name"])
def test_scenario_matches_mmengine(scenario, tmp_path):
    length, by_epoch, val = scenario["length"], scenario["by_epoch"], scenario["val"]
    runner = FakeRunner(str(tmp_path), max_epochs=length if by_epoch else 0,
                        max_iters=length if not by_epoch else length * 4)
    hook = CheckpointHook(**scenario["kwargs"])
    hook.before_train(runner)
    metrics = iter(val["metrics"]) if val else None
    expected = iter(scenario["events"])
    for step in range(length):
        runner.logger.lines, runner.saved = [], []
        if by_epoch:
            runner.epoch, runner.iter = step, (step + 1) * 4 - 1
            hook.after_train_epoch(runner)
            runner.epoch, runner.iter = step + 1, (step + 1) * 4
        else:
            runner.iter = step
            hook.after_train_iter(runner, step, None, None)
            runner.iter = step + 1
        want = next(expected)
        assert snapshot(runner, hook) == {k: want[k] for k in ("files", "last_checkpoint", "runtime_info",
                                                               "log", "saved")}, f"after train step {step + 1}"
        if val and (step + 1) % val["every"] == 0:
            runner.logger.lines, runner.saved = [], []
            hook.after_val_epoch(runner, dict(next(metrics)))
            want = next(expected)
            assert snapshot(runner, hook) == {k: want[k] for k in ("files", "last_checkpoint", "runtime_info",
                                                                   "log", "saved")}, f"after val {step + 1}"


@pytest.mark.parametrize("key,rule", sorted(REFERENCE["inferred_rules"].items()))
def test_rule_inference_matches_mmengine(key, rule):
    assert infer_rule(key, None, CheckpointHook().greater_keys, CheckpointHook().less_keys) == rule
    assert CheckpointHook(save_best=key).rules == [rule]


@pytest.mark.parametrize("key", sorted(REFERENCE["uninferable"]))
def test_uninferable_rule_is_a_config_error(key):
    with pytest.raises(ConfigError, match=f"cannot infer the rule for key '{key}'"):
        CheckpointHook(save_best=key)


def test_best_name_replaces_slashes():
    assert best_checkpoint_name("coco/bbox_mAP", "epoch_3.pth") == "best_coco_bbox_mAP_epoch_3.pth"


@pytest.mark.parametrize("kwargs,message", [
    (dict(save_best=["auto", "acc"]), "'auto' must be the only"),
    (dict(save_best=["acc", "acc"]), "duplicates"),
    (dict(save_best=["acc", "loss"], rule=["greater", "less", "less"]), "one rule or one per"),
    (dict(save_best="acc", rule="bigger"), "rule must be"),
    (dict(save_best=3), "save_best must be"),
    (dict(save_begin=-1), "save_begin"),
    (dict(published_keys=["meta", "meta"]), "duplicates"),
    (dict(backend_args=dict(backend="s3")), "remote storage"),
])
def test_bad_arguments_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        CheckpointHook(**kwargs)


def test_missing_save_best_key_names_the_metrics(tmp_path):
    runner = FakeRunner(str(tmp_path), max_epochs=2)
    hook = CheckpointHook(interval=1, save_best="mAP")
    hook.before_train(runner)
    with pytest.raises(ConfigError, match=r"'mAP' is not among the metrics \['acc'\]"):
        hook.after_val_epoch(runner, dict(acc=1.0))


def test_out_dir_gets_the_work_dir_basename(tmp_path):
    runner = FakeRunner(str(tmp_path / "work" / "exp1"), max_epochs=1)
    hook = CheckpointHook(interval=1, out_dir=str(tmp_path / "remote"))
    hook.before_train(runner)
    hook.after_train_epoch(runner)
    assert (tmp_path / "remote" / "exp1" / "epoch_1.pth").exists()
    assert (tmp_path / "work" / "exp1" / "last_checkpoint").read_text() == str(tmp_path / "remote" / "exp1" /
                                                                               "epoch_1.pth")


def test_resumed_state_prunes_and_continues_keep_list(tmp_path):
    runner = FakeRunner(str(tmp_path), max_epochs=6)
    for step in (1, 2, 3):
        (tmp_path / f"epoch_{step}.pth").write_text("x")
    runner.message_hub.update_info("keep_ckpt_ids", [1, 2, 3])
    runner.message_hub.update_info("best_ckpt", str(tmp_path / "best_acc_epoch_2.pth"))
    hook = CheckpointHook(interval=1, max_keep_ckpts=2, save_best="acc")
    hook.before_train(runner)
    assert not (tmp_path / "epoch_1.pth").exists()
    assert list(hook.keep_ckpt_ids) == [2, 3]
    assert hook.best_ckpt_path == str(tmp_path / "best_acc_epoch_2.pth")
    runner.epoch = 3
    hook.after_train_epoch(runner)
    assert sorted(p.name for p in tmp_path.glob("epoch_*")) == ["epoch_3.pth", "epoch_4.pth"]


def test_non_main_rank_saves_but_writes_no_files_itself(tmp_path):
    runner = FakeRunner(str(tmp_path), max_epochs=3, rank=1)
    hook = CheckpointHook(interval=1, max_keep_ckpts=1)
    hook.before_train(runner)
    for epoch in range(2):
        runner.epoch = epoch
        hook.after_train_epoch(runner)
    assert [s["filename"] for s in runner.saved] == ["epoch_1.pth", "epoch_2.pth"]
    assert not (tmp_path / "last_checkpoint").exists()
    assert (tmp_path / "epoch_1.pth").exists()  # only rank 0 deletes


@settings(max_examples=60, deadline=None)
@given(length=st.integers(1, 12), interval=st.integers(-1, 5), save_begin=st.integers(0, 6),
       max_keep=st.integers(-1, 4), save_last=st.booleans(), by_epoch=st.booleans())
def test_periodic_files_match_closed_form(length, interval, save_begin, max_keep, save_last, by_epoch):
    saved = [s for s in range(1, length + 1)
             if (interval > 0 and s - save_begin >= 0 and (s - save_begin) % interval == 0)
             or (save_last and s == length)]
    kept = saved[-max_keep:] if max_keep > 0 else saved
    with tempfile.TemporaryDirectory() as work_dir:
        runner = FakeRunner(work_dir, max_epochs=length, max_iters=length)
        hook = CheckpointHook(interval=interval, by_epoch=by_epoch, save_begin=save_begin, max_keep_ckpts=max_keep,
                              save_last=save_last)
        hook.before_train(runner)
        for step in range(length):
            runner.epoch = runner.iter = step
            hook.after_train_epoch(runner)
            hook.after_train_iter(runner, step)
        prefix = "epoch" if by_epoch else "iter"
        files = sorted((f for f in os.listdir(work_dir) if f.endswith(".pth")),
                       key=lambda f: int(f[len(prefix) + 1:-4]))
        assert files == [f"{prefix}_{s}.pth" for s in kept]
        assert [s["filename"] for s in runner.saved] == [f"{prefix}_{s}.pth" for s in saved]
