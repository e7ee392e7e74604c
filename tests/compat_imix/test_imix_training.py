"""Real tiny iMIX runs: call order, counters and trainer values iteration by iteration."""
import json
import os

import pytest
import torch

from tests.compat_imix.imix_helpers import CONFIGS, engine, events, load_cfg

from hookport.compat.imix.dialect import table_of
from hookport.runner.dialect import DIALECTS

KEYS = ("event", "iter", "epoch", "inner_iter", "log_buffer_iter")


def by_epoch_expected(epochs=2, batches=3):
    """iMIX's counters (imix.md §4.3) for a by-epoch run, as (event, iter, epoch, inner_iter, log_buffer.iter)."""
    rows = [("before_train", 0, None, None, 0)]
    it, inner = 0, None
    for epoch in range(epochs):
        rows.append(("before_train_epoch", it, epoch, inner, it))
        for inner in range(batches):
            rows += [("before_train_iter", it, epoch, inner, it), ("after_train_iter", it, epoch, inner, it)]
            it += 1
        rows.append(("after_train_epoch", it, epoch, inner, it))
    rows.append(("after_train", it, epochs - 1, inner, it))
    return rows


def test_by_epoch_counters_and_trainer_values(imix_fixture_env, tmp_path):
    eng = engine("toy_by_epoch.py", tmp_path)
    eng.train()
    assert events(imix_fixture_env, keys=KEYS) == by_epoch_expected()
    rows = imix_fixture_env.EVENTS
    assert {(r["by_epoch"], r["max_iter"], r["max_epoch"], r["start_iter"], r["steps"]) for r in rows} == {
        (True, 6, 2, 0, 1)}
    after = [r for r in rows if r["event"] == "after_train_iter"]
    # the loss is still backpropagatable when hooks see it (OptimizerHook runs in the same event)
    assert all(r["loss_requires_grad"] and r["has_total_loss"] and r["has_model_output"] for r in after)
    # NORMAL custom hooks run after LRSchedulerHook (HIGH): they see the LR of the next iteration
    assert [r["lr"] for r in after] == pytest.approx([0.0625, 0.1, 0.1, 0.01, 0.01, 0.01])


def test_by_epoch_hooks_see_checkpoint_and_evaluation_of_the_same_epoch(imix_fixture_env, tmp_path):
    eng = engine("toy_by_epoch.py", tmp_path)
    eng.train()
    watcher = next(h for h in eng.hooks if type(h).__name__ == "EvalWatcherHook")
    assert [(e, name, dtype) for e, name, _, dtype in watcher.seen] == [
        (0, "ToyClassifier_ToyDataset_epoch0_model.pth", "ToyDataset"),
        (1, "ToyClassifier_ToyDataset_epoch1_model.pth", "ToyDataset")]  # the periodic name, as iMIX
    assert all("accuracy/top1" in results for _, _, results, _ in watcher.seen)
    files = set(os.listdir(tmp_path))
    assert {"ToyClassifier_ToyDataset_epoch0_model.pth", "ToyClassifier_ToyDataset_epoch1_model.pth",
            "ToyClassifier_ToyDataset_model_final.pth", "best_result.pth", "model_best.pth", "eval_result.json",
            "training_status.json", "wa_epoch0.pth", "wa_epoch1.pth"} <= files
    lr_watch = next(h for h in eng.hooks if type(h).__name__ == "LrWatcherHook")
    # LrWatcherHook (HIGH, inserted after LRSchedulerHook) reads the logged pre-step lr
    assert [it for it, _, _ in lr_watch.seen] == list(range(6))
    assert [logged for _, _, logged in lr_watch.seen] == pytest.approx([0.025, 0.0625, 0.1, 0.1, 0.01, 0.01])
    status = [json.loads(line) for line in open(tmp_path / "training_status.json")]
    assert [s["iteration"] for s in status] == [0, 1, 2, 3, 4, 5]
    assert all({"lr", "iter_time", "data_time", "total_loss"} <= set(s) for s in status)
    logger = next(h for h in eng.hooks if type(h).__name__ == "EveryNLoggerHook")
    assert [it for it, _ in logger.logged_at] == [0, 1, 2, 3, 4, 5]  # period re-read from cfg.log_config (1)
    timer = next(h for h in eng.hooks if type(h).__name__ == "StepTimerHook")
    assert timer.summary == (7, True, 2)  # iMIX's iter + 1 - start_iter - warmup at the end of by-epoch training


def test_call_order_within_events(imix_fixture_env, tmp_path):
    """Per event: the dispatch order is the iMIX list order, the same for every event."""
    eng = engine("toy_by_epoch.py", tmp_path)
    calls = []
    for stage in eng.table.stages:
        for hook in eng.table.members(stage):
            original = getattr(hook, stage)
            setattr(hook, stage, (lambda s, h, f: lambda: (calls.append((s, type(h).__name__)), f())[1])(
                stage, hook, original))
    eng.table = type(eng.table)("imix", eng.table.stages)
    from hookport.compat.imix.dialect import table_of

    eng.table = table_of(eng.hooks)
    eng.train()
    first_iter = [name for stage, name in calls if stage == "after_train_iter"][:12]
    assert first_iter == ["OptimizerHook", "LRSchedulerHook", "LrWatcherHook", "IterationTimerHook",
                          "PeriodicLogger", "CheckPointHook", "EvaluateHook", "TrainerRecorderHook",
                          "WeightAverageIterHook", "EveryNLoggerHook", "SnapshotHook", "StepTimerHook"]
    first_epoch_end = [name for stage, name in calls if stage == "after_train_epoch"][:8]
    assert first_epoch_end == ["IterationTimerHook", "PeriodicLogger", "CheckPointHook", "EvaluateHook",
                               "TrainerRecorderHook", "EvalWatcherHook", "WeightAverageEpochHook", "SnapshotHook"]


def test_by_iter_counters_checkpoints_and_evaluation(imix_fixture_env, tmp_path):
    eng = engine("toy_by_iter.py", tmp_path)
    eng.train()
    rows = events(imix_fixture_env, keys=KEYS)
    expected = [("before_train", 0, None, None, 0)]
    for it in range(7):
        expected += [("before_train_iter", it, None, None, it), ("after_train_iter", it, None, None, it)]
    expected.append(("after_train", 6, None, None, 7))  # the last index, not incremented
    assert rows == expected
    assert {(r["by_epoch"], r["max_iter"], r["max_epoch"]) for r in imix_fixture_env.EVENTS} == {(False, 7, 0)}
    files = sorted(f for f in os.listdir(tmp_path) if f.endswith("_model.pth") or "final" in f)
    assert files == ["ToyClassifier_ToyDataset_iter0000002_model.pth", "ToyClassifier_ToyDataset_iter0000005_model.pth",
                     "ToyClassifier_ToyDataset_model_final.pth"]
    evals = [json.loads(line) for line in open(tmp_path / "eval_result.json")]
    assert [(e["iter"], e["model_name"]) for e in evals] == [
        (2, "ToyClassifier_ToyDataset_iter0000002_model.pth"), (5, "ToyClassifier_ToyDataset_iter0000005_model.pth"),
        (6, "ToyClassifier_ToyDataset_model_final.pth")]
    assert not hasattr(eng.trainer, "epoch") and not hasattr(eng.trainer, "inner_iter")


def test_by_iter_resume_continues_counters_and_schedule(imix_fixture_env, tmp_path):
    full = engine("toy_by_iter.py", tmp_path / "full")
    full.train()
    full_lrs = [r["lr"] for r in imix_fixture_env.EVENTS if r["event"] == "before_train_iter"]
    imix_fixture_env.EVENTS.clear()
    resumed = engine("toy_by_iter.py", tmp_path / "resumed",
                     resume_from=str(tmp_path / "full" / "ToyClassifier_ToyDataset_iter0000002_model.pth"))
    assert resumed.trainer.start_iter == 3
    resumed.train()
    rows = events(imix_fixture_env, keys=("event", "iter", "log_buffer_iter", "start_iter"))
    assert rows[0] == ("before_train", 3, 3, 3)
    assert [r[1] for r in rows if r[0] == "before_train_iter"] == [3, 4, 5, 6]
    assert rows[-1] == ("after_train", 6, 7, 3)
    resumed_lrs = [r["lr"] for r in imix_fixture_env.EVENTS if r["event"] == "before_train_iter"]
    assert resumed_lrs == pytest.approx(full_lrs[3:])
    assert sorted(f for f in os.listdir(tmp_path / "resumed") if f.endswith(".pth") and "iter" in f) == [
        "ToyClassifier_ToyDataset_iter0000005_model.pth"]


def test_gradient_accumulation(imix_fixture_env, tmp_path):
    eng = engine("toy_accumulation.py", tmp_path)
    snapshots = []
    first = next(eng.model.parameters())

    class Snap:  # after every iteration, record whether the weights moved
        def __init__(self):
            self.last = first.detach().clone()

        def __call__(self, view):
            snapshots.append((view.iter, not torch.equal(self.last, first.detach()), first.grad is not None
                              and bool(first.grad.abs().sum() > 0)))
            self.last = first.detach().clone()

    snap = Snap()
    from hookport.compat.imix.loop import ImixLoop
    from hookport.compat.imix.engine import _forward

    loop = ImixLoop(eng.trainer, eng.table, _forward(eng.model))
    loop._call["after_train_iter"] = loop._call["after_train_iter"] + (snap,)
    loop.run()
    # the optimizer steps on (iter+1) % 2 == 0 only; gradients accumulate in between
    assert [(it, moved) for it, moved, _ in snapshots] == [(i, i % 2 == 1) for i in range(6)]
    rows = [r for r in imix_fixture_env.EVENTS if r["event"] == "after_train_iter"]
    # a HIGH custom hook runs after LRSchedulerHook, which steps every 2 iterations
    assert [r["lr"] for r in rows] == pytest.approx([0.025, 0.0625, 0.0625, 0.1, 0.1, 0.1])
    assert {(r["max_iter"], r["steps"]) for r in rows} == {(6 // 2, 2)}
    history = eng.trainer.log_buffer.history("grad_norm").values()
    assert [it for _, it in history] == list(range(6))  # clipped (and logged) after every backward
    assert eng.trainer.output["loss"].item() == pytest.approx(eng.trainer.output["total_loss"].item() / 2)
    # mid-epoch checkpoint (iter_period 2) at iteration 1 of epoch 0; iterations 3 and 5 end an epoch
    assert "ToyClassifier_ToyDataset_epoch0_iter2_model.pth" in os.listdir(tmp_path)
    # mid-epoch evaluation every eval_iter_period (2) iterations, except on epoch boundaries; and every epoch end
    evals = [json.loads(line) for line in open(tmp_path / "eval_result.json")]
    assert [(e["iter"], e["epoch"], e["model_name"]) for e in evals] == [
        (1, 0, "ToyClassifier_ToyDataset_epoch0_iter2_model.pth"), (3, 0, "ToyClassifier_ToyDataset_epoch0_model.pth"),
        (3, 1, "ToyClassifier_ToyDataset_epoch1_iter4_model.pth"), (6, 1, "ToyClassifier_ToyDataset_epoch1_model.pth")]


def test_after_train_runs_when_training_raises(imix_fixture_env, tmp_path):
    from hookport.compat.imix.hook import HookBase
    from hookport.compat.imix.dialect import table_of

    class Boom(HookBase):
        def after_train_iter(self):
            if self.trainer.iter == 1:
                raise RuntimeError("boom")

    eng = engine("toy_by_epoch.py", tmp_path)
    boom = Boom()
    boom.level = "LOWEST"
    eng.hooks.append(boom)
    eng.table = table_of(eng.hooks)
    from hookport.compat.imix.hook import attach

    attach(boom, eng.trainer)
    with pytest.raises(RuntimeError, match="boom"):
        eng.train()
    assert events(imix_fixture_env, keys=("event", "iter"))[-1] == ("after_train", 1)


def test_hookport_run_trains_an_imix_config(imix_fixture_env, tmp_path):
    from hookport.cli import main

    work = tmp_path / "run"
    assert main(["run", os.path.join(CONFIGS, "toy_by_iter.py"), "--work-dir", str(work)]) == 0
    assert (work / "ToyClassifier_ToyDataset_model_final.pth").exists()
    recorded = json.load(open(work / "imix_events.json"))
    assert [r["iter"] for r in recorded if r["event"] == "after_train_iter"] == list(range(7))
    # --resume without a path picks the newest checkpoint the work dir recorded (the final one)
    imix_fixture_env.EVENTS.clear()
    assert main(["run", os.path.join(CONFIGS, "toy_by_iter.py"), "--work-dir", str(work), "--resume"]) == 0
    assert [r["event"] for r in imix_fixture_env.EVENTS] == ["before_train", "after_train"]


def test_by_epoch_resume_starts_at_the_next_epoch(imix_fixture_env, tmp_path):
    engine("toy_by_epoch.py", tmp_path / "full").train()
    imix_fixture_env.EVENTS.clear()
    resumed = engine("toy_by_epoch.py", tmp_path / "resumed",
                     resume_from=str(tmp_path / "full" / "ToyClassifier_ToyDataset_epoch0_model.pth"))
    assert (resumed.trainer.start_iter, resumed.trainer.start_epoch) == (3, 1)
    resumed.train()
    rows = events(imix_fixture_env, keys=KEYS)
    assert rows[0] == ("before_train", 3, None, None, 3)
    assert [r[:3] for r in rows if r[0] == "before_train_iter"] == [("before_train_iter", i, 1) for i in (3, 4, 5)]
    assert rows[-1] == ("after_train", 6, 1, 2, 6)


def test_fp16_config_trains_with_a_grad_scaler(imix_fixture_env, tmp_path):
    eng = engine("toy_by_iter.py", tmp_path, fp16=dict(init_scale=2.0 ** 8, growth_interval=2000))
    assert type(eng.hooks[0]).__name__ == "Fp16OptimizerHook"
    before = [p.detach().clone() for p in eng.model.parameters()]
    eng.train()
    assert any(not torch.equal(a, b.detach()) for a, b in zip(before, eng.model.parameters()))
    assert eng.hooks[0]._scaler is not None


@pytest.mark.gpu
def test_fp16_on_cuda_uses_autocast_and_a_live_grad_scaler(imix_fixture_env, tmp_path):
    eng = engine("toy_by_iter.py", tmp_path, fp16=dict(init_scale=2.0 ** 8, growth_interval=2))
    eng.model.cuda()
    dtypes = []
    eng.model.head.register_forward_hook(lambda m, i, o: dtypes.append(o.dtype))
    eng.train()
    scaler = eng.hooks[0]._scaler
    assert scaler.is_enabled() and set(dtypes) == {torch.float16}
    assert scaler.get_scale() >= 2.0 ** 8  # grew (growth_interval 2) or stayed: finite fp16 gradients
    assert all(torch.isfinite(p).all() for p in eng.model.parameters())


def test_organizer_mode_helpers_during_training(imix_fixture_env, tmp_path):
    from imix.engine.organizer import is_by_iter, is_mixed_precision

    from hookport.compat.imix.dialect import table_of
    from hookport.compat.imix.hook import HookBase, attach

    seen = []

    class Probe(HookBase):
        def before_train(self):
            seen.append((is_by_iter(), is_mixed_precision()))

    eng = engine("toy_by_iter.py", tmp_path)
    probe = Probe()
    attach(probe, eng.trainer)
    eng.hooks.append(probe)
    eng.table = table_of(eng.hooks)
    eng.train()
    assert seen == [(True, False)] and (is_by_iter(), is_mixed_precision()) == (False, False)


def test_common_metric_lines_follow_imix_layout(imix_fixture_env, tmp_path):
    eng = engine("toy_by_epoch.py", tmp_path)
    eng.train()
    logger = next(h for h in eng.hooks if type(h).__name__ == "PeriodicLogger")
    lines = logger._loggers[0].lines
    assert len(lines) == 6
    assert lines[4].startswith("epoch:1 \t 2/3 \t current_iter:5 \t max_iter:6 \t max_epoch:2 \t total_loss: ")
    assert "\t lr:1.000000e-02 \t" in lines[4] and "load_data_time:" in lines[4] and "eta:0:00:00" in lines[4]


@pytest.mark.slow
def test_distributed_run_records_evaluation_once(tmp_path):
    """torchrun with two CPU processes (gloo): data sharded, checkpoints and eval records from rank 0 only."""
    import subprocess
    import sys

    from tests.compat_imix.imix_helpers import FIXTURES

    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=FIXTURES + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           "-m", "hookport", "run", os.path.join(CONFIGS, "toy_by_epoch.py"), "--work-dir",
                           str(tmp_path), "--launcher", "pytorch"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    evals = [json.loads(line) for line in open(tmp_path / "eval_result.json")]
    assert [(e["epoch"], e["iter"], e["max_iter"]) for e in evals] == [(0, 2, 4), (1, 4, 4)]  # 12 samples / 2 / 4
    assert evals[-1]["model_name"] == "ToyClassifier_ToyDataset_epoch1_model.pth"


def test_hookport_run_load_from_loads_weights_only(imix_fixture_env, tmp_path):
    from hookport.cli import main

    first = tmp_path / "first"
    assert main(["run", os.path.join(CONFIGS, "toy_by_iter.py"), "--work-dir", str(first)]) == 0
    imix_fixture_env.EVENTS.clear()
    final = first / "ToyClassifier_ToyDataset_model_final.pth"
    assert main(["run", os.path.join(CONFIGS, "toy_by_iter.py"), "--work-dir", str(tmp_path / "second"),
                 "--cfg-options", f"load_from={final}"]) == 0
    # weights only: counters start from 0 again
    assert [r["iter"] for r in imix_fixture_env.EVENTS if r["event"] == "before_train_iter"] == list(range(7))
    cfg = load_cfg("toy_by_iter.py", work_dir=str(tmp_path / "third"), load_from=str(final))
    runner = DIALECTS.get("imix").build_runner(cfg)
    seen = []
    runner.imix_engine.trainer.data_loader = []  # stop right after before_train: only the loaded weights matter
    runner.imix_engine.trainer.max_iter = 0
    recorder = next(h for h in runner.hooks if type(h).__name__ == "WeightAverageIterHook")
    recorder.before_train = lambda: seen.append({k: v.clone() for k, v in runner.model.state_dict().items()})
    runner.imix_engine.table = table_of(runner.imix_engine.hooks)
    runner.train()
    runner.close()
    saved = torch.load(final, weights_only=True)["model"]
    assert all(torch.equal(seen[0][k], saved[k]) for k in saved)


def test_demo_config_with_imix_builtin_custom_hooks(tmp_path):
    import glob

    from hookport.cli import main

    assert main(["run", os.path.join(CONFIGS, "toy_demo.py"), "--work-dir", str(tmp_path)]) == 0
    files = set(os.listdir(tmp_path))
    assert {"ema_epoch0.pth", "ema_epoch1.pth", "ema_epoch2.pth", "ToyClassifier_ToyDataset_model_final.pth"} <= files
    (log_file,) = glob.glob(str(tmp_path / "*" / "*.log"))
    texts = [line.split(" - ")[-1] for line in open(log_file) if "custom hook test" in line]
    assert texts[0].startswith("before_train") and texts[-1].startswith("after_train:") and len(texts) == 2 + 9
    ema = torch.load(tmp_path / "ema_epoch2.pth", weights_only=True)
    final = torch.load(tmp_path / "ToyClassifier_ToyDataset_model_final.pth", weights_only=True)["model"]
    assert set(ema) == set(final) and not all(torch.equal(ema[k], final[k]) for k in ema)  # an average, not a copy
