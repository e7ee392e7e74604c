"""``hookport schedule`` for iMIX configs: pure simulation, equal to the LR a real run trains with."""
import json
import os
import sys

import pytest

from hookport.errors import ConfigError
from hookport.runner.dialect import DIALECTS

from tests.compat_imix.imix_helpers import CONFIGS, engine, load_cfg


def test_schedule_does_not_need_torch():
    import subprocess

    code = ("import sys; from hookport.compat.imix.schedule import simulate; "
            "simulate({'by_iter': True, 'max_iter': 3, 'optimizer': {'type': 'SGD', 'lr': 0.1}}); "
            "assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name, ipe", [("toy_by_epoch.py", 3), ("toy_by_iter.py", None), ("toy_accumulation.py", 3)])
def test_simulation_equals_the_lr_of_a_real_run(imix_fixture_env, tmp_path, name, ipe):
    sim = DIALECTS.get("imix").schedule(load_cfg(name), ipe)
    eng = engine(name, tmp_path)
    eng.train()
    trained = [r["lr"] for r in imix_fixture_env.EVENTS if r["event"] == "before_train_iter"]
    assert [lrs[0] for lrs in sim["lr"]] == pytest.approx(trained)
    assert {m[0] for m in sim["momentum"]} == {0.9}


def test_accumulation_steps_the_lr_every_n_iterations():
    sim = DIALECTS.get("imix").schedule(load_cfg("toy_accumulation.py"), 3)
    assert [lr[0] for lr in sim["lr"]] == pytest.approx([0.025, 0.025, 0.0625, 0.0625, 0.1, 0.1])
    no_acc = DIALECTS.get("imix").schedule(load_cfg("toy_accumulation.py", is_lr_accumulation=False), 3)
    assert [lr[0] for lr in no_acc["lr"]] == pytest.approx([0.025, 0.0625, 0.1, 0.1, 0.01, 0.01])


def test_by_epoch_needs_iterations_per_epoch():
    with pytest.raises(ConfigError, match="--iters-per-epoch"):
        DIALECTS.get("imix").schedule(load_cfg("toy_by_epoch.py"), None)


def test_schedule_command(capsys):
    from hookport.cli import main

    assert main(["schedule", os.path.join(CONFIGS, "toy_by_iter.py"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [lr[0] for lr in doc["lr"]] == pytest.approx([0.025, 0.0625, 0.1, 0.1, 0.01, 0.01, 0.01])
