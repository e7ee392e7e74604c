"""Differential test: legacy toy configs trained by hookport vs the same configs on real MMCV 1.7.2.

Reference: tests/data/reference/mmcv/toy_run.json (tools/refdata/mmcv_toy_run.py). The runs use
fixtures/mmcv/legacy_toy_cfg.py (EpochBasedRunner, EvalHook with save_best, max_keep_ckpts) and
legacy_toy_iter_cfg.py (IterBasedRunner, a ('val', 2) workflow phase, gradient accumulation with an
incomplete last group) unchanged, including their MMCV-style custom hooks.
"""
import json
import os
import os.path as osp
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport.runner.dialect import load_dialect_config  # noqa: E402

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "fixtures/mmcv"
REFS = {Path(r["config"]).name: r for r in json.loads((ROOT / "tests/data/reference/mmcv/toy_run.json").read_text())["result"]}
TIMINGS = ("time", "data_time", "memory", "eta")


@pytest.fixture(scope="module", params=sorted(REFS))
def run(request, tmp_path_factory):
    """Train a toy config once (about a second); yields (dialect, runner, work_dir, reference)."""
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(FIXTURES))
    work_dir = str(tmp_path_factory.mktemp("legacy_toy"))
    cfg, dialect = load_dialect_config(str(FIXTURES / request.param))
    cfg["work_dir"] = work_dir
    session = dialect.build_runner(cfg)
    session.train()
    session.close()
    yield dialect, session.runner, work_dir, REFS[request.param]
    mp.undo()


def _records(work_dir, ts):
    with open(osp.join(work_dir, f"{ts}.log.json")) as f:
        return [json.loads(line) for line in f]


def test_detected_as_mmcv(run):
    assert run[0].name == "mmcv"


def test_final_weights_bit_identical(run):
    _, runner, _, REF = run
    got = {k: v.flatten().tolist() for k, v in runner.model.state_dict().items()}
    assert got == REF["final_weights"]


def test_work_dir_files_and_latest_link(run):
    _, runner, work_dir, REF = run
    assert sorted(n.replace(runner.timestamp, "<ts>") for n in os.listdir(work_dir)) == REF["files"]
    assert os.readlink(osp.join(work_dir, "latest.pth")) == REF["latest_link"]


def test_checkpoint_layout(run):
    _, _, work_dir, REF = run
    ckpt = torch.load(osp.join(work_dir, "latest.pth"), map_location="cpu", weights_only=True)
    assert sorted(ckpt) == REF["checkpoint_keys"]
    # hookport adds its own version next to MMCV's keys.
    assert sorted(set(ckpt["meta"]) - {"hookport_version"}) == REF["checkpoint_meta_keys"]
    meta = ckpt["meta"]
    got = dict(epoch=meta["epoch"], iter=meta["iter"], mmcv_version=meta["mmcv_version"],
               hook_msgs={k: osp.basename(v) if isinstance(v, str) else v for k, v in meta["hook_msgs"].items()})
    assert got == REF["checkpoint_meta"]
    assert sorted(ckpt["optimizer"]) == REF["checkpoint_optimizer_keys"]
    assert list(ckpt["state_dict"]) == REF["checkpoint_state_keys"]


def test_json_log_keys_and_values(run):
    _, runner, work_dir, REF = run
    records = _records(work_dir, runner.timestamp)
    assert [list(r) for r in records] == REF["json_log_keys"]
    assert [{k: v for k, v in r.items() if k not in TIMINGS + ("config", "env_info")} for r in records] == REF["json_log"]


def test_text_log_lines(run):
    _, runner, work_dir, REF = run
    with open(osp.join(work_dir, f"{runner.timestamp}.log")) as f:
        lines = [line.split(" - ", 3)[-1].rstrip("\n") for line in f
                 if re.search(r"(Epoch|Iter)(\(val\))? \[", line)]
    assert [re.sub(r"(eta|time|data_time|memory): [^,]*, ", "", line) for line in lines] == REF["text_log"]


def test_custom_hooks_see_what_they_saw_under_mmcv(run):
    _, runner, _, REF = run
    hooks = {type(h).__name__: h for h in runner.hooks}
    got = dict(epoch_marker=[list(s) for s in hooks["EpochMarkerHook"].seen],
               run_info=json.loads(json.dumps([list(r) for r in hooks["RunInfoHook"].records])),
               grad_norms=hooks["GradProbeHook"].grad_norms)
    assert got == REF["hook_records"]


def test_resume_continues_from_mmcv_layout(run, tmp_path):
    """Resuming epoch_2.pth for one more epoch reproduces the final weights."""
    _, _, work_dir, REF = run
    if not REF["config"].endswith("legacy_toy_cfg.py"):
        pytest.skip("resume is checked on the epoch-based run")
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(FIXTURES))
    try:
        cfg, dialect = load_dialect_config(str(FIXTURES / "legacy_toy_cfg.py"))
        cfg["work_dir"] = str(tmp_path)
        cfg["resume_from"] = osp.join(work_dir, "epoch_2.pth")
        session = dialect.build_runner(cfg)
        assert (session.runner.epoch, session.runner.iter) == (2, 20)
        session.train()
        session.close()
    finally:
        mp.undo()
    got = {k: v.flatten().tolist() for k, v in session.runner.model.state_dict().items()}
    assert got == REF["final_weights"]


def test_real_mmcv_checkpoint_resumes(tmp_path):
    """MMCV 1.7.2's own epoch_2.pth resumes in hookport; the last epoch ends on MMCV's final weights."""
    ref = REFS["legacy_toy_cfg.py"]
    mp = pytest.MonkeyPatch()
    mp.syspath_prepend(str(FIXTURES))
    try:
        cfg, dialect = load_dialect_config(str(FIXTURES / "legacy_toy_cfg.py"))
        cfg["work_dir"] = str(tmp_path)
        cfg["resume_from"] = str(ROOT / "tests/data/reference/mmcv/mmcv_toy_epoch_2.pth")
        session = dialect.build_runner(cfg)
        runner = session.runner
        assert (runner.epoch, runner.iter) == (2, 20)
        # CheckpointHook (NORMAL) saved epoch_2.pth before EvalHook (LOW) found epoch 2's better score.
        assert osp.basename(runner.meta["hook_msgs"]["best_ckpt"]) == "best_mse_epoch_1.pth"
        session.train()
        session.close()
    finally:
        mp.undo()
    got = {k: v.flatten().tolist() for k, v in runner.model.state_dict().items()}
    assert got == ref["final_weights"]
