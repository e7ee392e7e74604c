"""EarlyStoppingHook vs MMEngine 0.10.7 on scripted validation results, and in a real run.

Reference: tests/data/reference/mmengine_hooks/early_stopping.json (tools/refdata/mmengine_early_stopping.py).
MMEngine raises ValueError / RuntimeError where hookport raises its ConfigError / HookportError (bad
input, reported as ``file:line: message`` by the CLI); the messages are MMEngine's.
"""
import json
import math
import types
import warnings
from pathlib import Path

import pytest

from hookport.errors import ConfigError, HookportError
from hookport.hooks.early_stopping_hook import EarlyStoppingHook
from hookport.registry import HOOKS

REFERENCE = json.loads((Path(__file__).parents[2] / "tests/data/reference/mmengine_hooks/early_stopping.json")
                       .read_text())["scenarios"]
ERRORS = {"ValueError": ConfigError, "RuntimeError": HookportError}


def _plain(x):
    return x if isinstance(x, str) or math.isfinite(x) else repr(x)


def _value(x):
    return {"inf": math.inf, "nan": math.nan}.get(x, x)


class Runner:
    def __init__(self):
        self.train_loop = types.SimpleNamespace(stop_training=False)
        self.messages = []
        self.logger = types.SimpleNamespace(info=self.messages.append)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_matches_mmengine(name):
    scenario = REFERENCE[name]
    expected = scenario["result"]
    if "error" in expected:
        kind, message = expected["error"]
        with pytest.raises(ERRORS[kind]) as caught:
            EarlyStoppingHook(**scenario["kwargs"])
        assert caught.value.message == message
        return
    hook = HOOKS.build(dict(type="EarlyStoppingHook", **scenario["kwargs"]))
    assert hook.rule == expected["rule"]
    runner = Runner()
    hook.before_run(runner)
    for value, step in zip(scenario["sequence"], expected["steps"]):
        metrics = {"other": 1.0} if value == "other" else {scenario["kwargs"]["monitor"]: _value(value), "other": 1.0}
        error = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                hook.after_val_epoch(runner, metrics)
            except HookportError as err:
                error = [next(k for k, v in ERRORS.items() if type(err) is v), err.message]
        got = dict(value=value, stop=runner.train_loop.stop_training, wait_count=hook.wait_count,
                   best_score=_plain(hook.best_score), messages=list(runner.messages),
                   warnings=[str(w.message) for w in caught], error=error)
        assert got == step
        runner.messages.clear()


def test_stops_a_real_training_run_after_patience_validations(tmp_path):
    pytest.importorskip("torch")
    from hookport.runner.runner import Runner as HookportRunner
    from hookport.toy import ToyClassifier, ToyDataset

    runner = HookportRunner(
        model=ToyClassifier(), work_dir=str(tmp_path),
        train_dataloader=dict(dataset=ToyDataset(), batch_size=16, sampler=dict(type="DefaultSampler", shuffle=False)),
        val_dataloader=dict(dataset=ToyDataset(), batch_size=16, sampler=dict(type="DefaultSampler", shuffle=False)),
        val_evaluator=dict(type="Accuracy"), val_cfg=dict(),
        train_cfg=dict(by_epoch=True, max_epochs=20, val_interval=1),
        optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.0)),  # nothing learns: accuracy never improves
        custom_hooks=[dict(type="EarlyStoppingHook", monitor="accuracy/top1", patience=2)],
        default_hooks=dict(checkpoint=None), randomness=dict(seed=0), log_level="WARNING")
    try:
        runner.train()
    finally:
        runner.close()
    assert runner.epoch == 3  # best at epoch 1, then two validations without improvement
