"""MMEngine 0.10.7's EarlyStoppingHook on scripted validation results (run with $REFENV/bin/python).

Writes tests/data/reference/mmengine_hooks/early_stopping.json: for each scenario (hook arguments
and a sequence of ``metrics`` dicts given to ``after_val_epoch``), after every call: whether the
train loop was told to stop, the hook's ``wait_count`` and ``best_score``, the messages logged and
the warnings raised; or the error a constructor / call raises (type and text).
"""
from __future__ import annotations

import json
import math
import os
import types
import warnings

from mmengine.hooks import EarlyStoppingHook

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine_hooks",
                   "early_stopping.json")

INF, NAN = float("inf"), float("nan")
SCENARIOS = {
    "accuracy_improves_then_stalls": (dict(monitor="accuracy", patience=2), [0.5, 0.7, 0.75, 0.79, 0.6, 0.9]),
    "loss_inferred_less": (dict(monitor="loss", patience=3, min_delta=0.01), [1.0, 0.8, 0.795, 0.9, 0.81, 0.7]),
    "top1_substring_greater": (dict(monitor="accuracy/top1", min_delta=0.0, patience=1), [10.0, 10.0, 11.0]),
    "explicit_rule_less": (dict(monitor="mse", rule="less", min_delta=0.0, patience=2), [3.0, 2.0, 2.0, 2.5]),
    "stopping_threshold": (dict(monitor="mAP", stopping_threshold=0.6), [0.2, 0.5, 0.61]),
    "threshold_less": (dict(monitor="val_loss", rule="less", stopping_threshold=0.1), [0.5, 0.1, 0.05]),
    "not_finite_stops": (dict(monitor="loss"), [1.0, INF]),
    "nan_stops": (dict(monitor="acc"), [0.1, NAN]),
    "not_finite_ignored": (dict(monitor="loss", check_finite=False, patience=1), [1.0, INF]),
    "monitor_missing_warns": (dict(monitor="acc"), ["other"]),
    "monitor_missing_strict": (dict(monitor="acc", strict=True), ["other"]),
    "patience_one_min_delta": (dict(monitor="mIoU", patience=1, min_delta=0.5), [1.0, 1.4, 2.0]),
    "unknown_rule": (dict(monitor="foo", rule="bigger"), []),
    "cannot_infer_rule": (dict(monitor="foo"), []),
}


class _Runner:
    def __init__(self):
        self.train_loop = types.SimpleNamespace(stop_training=False)
        self.messages = []
        self.logger = types.SimpleNamespace(info=self.messages.append)


def _plain(x):
    return x if isinstance(x, str) or math.isfinite(x) else repr(x)


def run(kwargs, sequence):
    try:
        hook = EarlyStoppingHook(**kwargs)
    except Exception as err:
        return dict(error=[type(err).__name__, str(err)])
    runner = _Runner()
    hook.before_run(runner)
    steps = []
    for value in sequence:
        metrics = {"other": 1.0} if value == "other" else {kwargs["monitor"]: value, "other": 1.0}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                hook.after_val_epoch(runner, metrics)
                error = None
            except Exception as err:
                error = [type(err).__name__, str(err)]
        steps.append(dict(value=_plain(value), stop=runner.train_loop.stop_training, wait_count=hook.wait_count,
                          best_score=_plain(hook.best_score), messages=list(runner.messages),
                          warnings=[str(w.message) for w in caught], error=error))
        runner.messages.clear()
    return dict(rule=hook.rule, steps=steps)


def main():
    out = {name: dict(kwargs=kwargs, sequence=[_plain(v) for v in seq], result=run(kwargs, seq))
           for name, (kwargs, seq) in SCENARIOS.items()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(dict(mmengine_version="0.10.7", scenarios=out), f, indent=1, sort_keys=True)
        f.write("\n")
    print(os.path.abspath(OUT))


if __name__ == "__main__":
    main()
