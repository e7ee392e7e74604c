"""LoggerHook: when lines are written, where tags go, and the out_dir copy (fake runner, real
LogProcessor and Visualizer); the line format itself is checked against MMEngine in
test_log_processor.py and test_runner_run_reference.py."""
import json
import os

import pytest

from hookport.errors import ConfigError
from hookport.hooks.logger_hook import LoggerHook
from hookport.runner.log_processor import LogProcessor
from hookport.runner.vis_backends import build_visualizer

from .fakes import FakeRunner


def make_runner(tmp_path, **kwargs):
    runner = FakeRunner(str(tmp_path / "work"), **kwargs)
    os.makedirs(runner.log_dir, exist_ok=True)
    runner.log_processor = LogProcessor()
    runner.visualizer = build_visualizer(None, save_dir=os.path.join(runner.log_dir, "vis_data"))
    return runner


def train_epoch(runner, hook, epoch=0):
    n = len(runner.train_dataloader)
    runner.epoch = epoch
    for i in range(n):
        runner.iter = epoch * n + i
        hub = runner.message_hub
        hub.update_scalar("train/lr", 0.1)
        hub.update_scalar("train/data_time", 0.01)
        hub.update_scalar("train/loss", 1.0 / (runner.iter + 1))
        hub.update_scalar("train/time", 0.1)
        hub.update_info("eta", 10.0)
        hook.after_train_iter(runner, i)


def train_lines(runner):
    return [line for line in runner.logger.lines if line.startswith("Epoch(train)")]


def scalars(runner, name="scalars.json"):
    with open(os.path.join(runner.log_dir, "vis_data", name)) as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize("interval,ignore_last,n,expected", [
    (2, True, 5, [2, 4]),
    (2, False, 5, [2, 4, 5]),
    (3, True, 2, [2]),  # an epoch no longer than the interval still logs its end
])
def test_interval_and_ignore_last(tmp_path, interval, ignore_last, n, expected):
    runner = make_runner(tmp_path, max_epochs=1, n_train=n)
    hook = LoggerHook(interval=interval, ignore_last=ignore_last)
    hook.before_run(runner)
    train_epoch(runner, hook)
    assert [line.split("]", 1)[1].split()[0] for line in train_lines(runner)] == [f"[{i}/{n}]" for i in expected]
    assert [r["step"] for r in scalars(runner)] == expected
    assert scalars(runner) == scalars(runner, f"{runner.timestamp}.json")


def test_exp_name_every_interval_exp_name_and_at_epoch_end(tmp_path):
    runner = make_runner(tmp_path, max_epochs=2, n_train=4)
    hook = LoggerHook(interval=10, interval_exp_name=3)
    hook.before_run(runner)
    train_epoch(runner, hook, 0)
    train_epoch(runner, hook, 1)
    exp_lines = [i for i, line in enumerate(runner.logger.lines) if line == "Exp name: exp"]
    assert len(exp_lines) == 4  # iterations 3, 4 (epoch end), 6, 8 (epoch end)


@pytest.mark.parametrize("by_epoch,training,step", [(True, True, 3), (False, True, 12), (True, False, 0)])
def test_val_metrics_step(tmp_path, by_epoch, training, step):
    runner = make_runner(tmp_path, training=training)
    runner.epoch, runner.iter = 3, 12
    hook = LoggerHook(log_metric_by_epoch=by_epoch)
    hook.before_run(runner)
    runner.message_hub.update_scalar("val/acc", 0.5)
    hook.after_val_epoch(runner, dict(acc=0.5))
    record = scalars(runner)[-1]
    assert record == dict(acc=0.5, step=step)
    assert runner.logger.lines[-1].endswith("acc: 0.5000")


def test_test_results_json_holds_non_scalars(tmp_path):
    runner = make_runner(tmp_path, training=False)
    hook = LoggerHook()
    hook.before_run(runner)
    runner.message_hub.update_scalar("test/acc", 0.75)
    runner.message_hub.update_info("test/per_class", [0.5, 1.0])
    hook.after_test_epoch(runner, dict(acc=0.75))
    with open(os.path.join(runner.log_dir, f"{runner.timestamp}.json")) as f:
        assert json.load(f) == {"acc": 0.75, "per_class": [0.5, 1.0]}


def test_out_dir_copy_and_keep_local(tmp_path):
    runner = make_runner(tmp_path)
    log_file = os.path.join(runner.log_dir, f"{runner.timestamp}.log")
    with open(log_file, "w") as f:
        f.write("log\n")
    hook = LoggerHook(out_dir=str(tmp_path / "remote"), keep_local=False)
    hook.before_run(runner)
    train_epoch(runner, hook)
    hook.after_run(runner)
    remote = tmp_path / "remote" / "work"
    assert (remote / f"{runner.timestamp}.log").read_text() == "log\n"
    assert (remote / "vis_data" / "scalars.json").exists()
    assert not os.path.exists(log_file)
    assert runner.logger.lines[0] == f"Text logs will be saved to {remote} after the training process."


@pytest.mark.parametrize("kwargs,message", [
    (dict(interval=0), "interval must be a positive int"),
    (dict(interval=1.5), "interval must be a positive int"),
    (dict(ignore_last="yes"), "ignore_last"),
    (dict(out_dir=3), "out_dir"),
    (dict(out_suffix=[".log", 3]), "out_suffix"),
    (dict(keep_local=None), "keep_local"),
    (dict(backend_args=dict(backend="petrel")), "remote storage"),
])
def test_bad_arguments_are_config_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LoggerHook(**kwargs)
