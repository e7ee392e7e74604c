"""Differential test: what the Wandb/Mlflow/Neptune/Dvclive logger hooks send to their clients.

Reference: tests/data/reference/mmcv/logger_clients.json (tools/refdata/mmcv_logger_clients.py):
the legacy toy configs trained on real MMCV 1.7.2 with every client logger hook, the clients
being the recording stand-ins of fake_clients.py, which hookport gets here too.

One documented difference: MMCV creates the dvclive ``Live`` object when the hook is built,
hookport when the run starts (clients are imported only by a run, so ``hookport hooks`` and
convert's verification never need them); that one call is compared out of order.
"""
import json
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport.errors import HookportError  # noqa: E402
from hookport.registry import MMCV_HOOKS  # noqa: E402
from hookport.runner.dialect import load_dialect_config  # noqa: E402
from tests.compat_mmcv import fake_clients  # noqa: E402

ROOT = Path(__file__).parents[2]
FIXTURES = ROOT / "fixtures/mmcv"
REFERENCE = json.loads((ROOT / "tests/data/reference/mmcv/logger_clients.json").read_text())


def _train(name, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    for module in fake_clients.CLIENTS:
        monkeypatch.delitem(sys.modules, module, raising=False)
    calls = fake_clients.install()
    config = tmp_path / name
    config.write_text((FIXTURES / name).read_text() + "\n" + REFERENCE["log_config"] + "\n")
    cfg, dialect = load_dialect_config(str(config))
    cfg["work_dir"] = str(tmp_path / "work")
    session = dialect.build_runner(cfg)
    try:
        session.train()
    finally:
        session.close()
    return fake_clients.normalized(calls)


@pytest.mark.parametrize("reference", REFERENCE["result"], ids=lambda r: Path(r["config"]).stem)
def test_clients_receive_what_mmcv_sent(reference, tmp_path, monkeypatch):
    calls = _train(Path(reference["config"]).name, tmp_path, monkeypatch)
    live = ["dvclive.Live", [], {}]
    assert calls.count(live) == 1
    calls.remove(live)
    expected = list(reference["calls"])
    expected.remove(live)
    assert calls == expected


def test_a_missing_client_stops_the_run_before_training(monkeypatch):
    monkeypatch.setitem(sys.modules, "neptune", None)  # makes `import neptune` fail
    hook = MMCV_HOOKS.build(dict(type="NeptuneLoggerHook"))

    class Runner:
        rank, work_dir, hooks = 0, ".", []

    with pytest.raises(HookportError, match="pip install neptune"):
        hook.before_run(Runner())


def test_wandb_artifact_collects_log_files_from_subfolders_too(tmp_path, monkeypatch):
    for module in fake_clients.CLIENTS:
        monkeypatch.delitem(sys.modules, module, raising=False)
    calls = fake_clients.install()
    (tmp_path / "sub").mkdir()
    for name in ("a.log", "b.log.json", "c.pth", "sub/d.log", "sub/e.txt"):
        (tmp_path / name).write_text("x")
    hook = MMCV_HOOKS.build(dict(type="WandbLoggerHook", out_suffix=".log"))

    class Runner:
        rank, work_dir, hooks = 0, str(tmp_path), []

    hook.before_run(Runner())
    hook.after_run(Runner())
    assert [c[1][0] for c in calls if c[0] == "wandb.Artifact.add_file"] == ["a.log", "d.log"]
