"""hookport's verification agrees with the REAL libraries on every converted fixture.

tests/data/reference/convert/mmengine_check.json comes from tools/refdata/convert_mmengine_check.py:
each converted fixture loaded with mmengine.Config.fromfile (MMEngine 0.10.7), its schedule trained by
MMEngine's Runner, the original by MMCV 1.7.2's runner, and the two trajectories compared.
"""
from __future__ import annotations

import json

import pytest

from hookport.converters import Converter
from tests.convert.helpers import ROOT, options_for

REFERENCE = json.loads((ROOT / "tests" / "data" / "reference" / "convert" / "mmengine_check.json").read_text())
FIXTURES = REFERENCE["fixtures"]
COMPARED = sorted(name for name, record in FIXTURES.items() if "lr" in record)


def test_every_converted_fixture_loads_in_real_mmengine():
    assert len(FIXTURES) >= 60
    assert [name for name, record in FIXTURES.items() if not record["loads"]] == []
    assert [name for name, record in FIXTURES.items() if "mmengine_error" in record] == []


def test_faithful_schedules_are_exact_in_the_real_libraries():
    exact = {name for name in COMPARED if FIXTURES[name]["lr"]["status"] == "exact"}
    for name in ("golden/lr_step_list", "golden/lr_poly_iter", "golden/lr_poly_warmup_exp", "golden/lr_onecycle",
                 "golden/lr_linear_annealing", "golden/lr_flat_cosine", "golden/lr_exp_warmup_constant",
                 "trees/mmdet/faster_rcnn/faster_rcnn_r50_fpn_2x_coco.py", "trees/mmcls/_base_/schedules/imagenet_bs2048.py"):
        assert name in exact, name
    # the official-style recipes are not (what the report warns about)
    assert FIXTURES["golden/official_step_warmup"]["lr"]["status"] == "deviates"


@pytest.mark.parametrize("name", COMPARED)
def test_hookport_verification_matches_the_real_libraries(name):
    record = FIXTURES[name]
    source = ROOT / record["original"]
    options = options_for(source, verify=True, iters_per_epoch=REFERENCE["iters_per_epoch"])
    outcome = Converter(options).convert(str(source))
    schedule = outcome.verification["schedule"]
    assert schedule["status"] in ("exact", "deviates"), schedule
    for param in ("lr", "momentum"):
        real, ours = record[param], schedule.get(param)
        if ours is None:
            continue
        assert ours["status"] == real["status"], (param, ours, real)
        if real["status"] == "deviates":
            assert ours["max_abs"] == pytest.approx(real["max_abs"], rel=1e-9, abs=1e-15)
            assert ours["iter"] == real["iter"]


def test_imix_exact_scheduler_in_real_mmengine_replays_the_imix_policy():
    from hookport.converters.config.tree import Loader
    from hookport.converters.config.values import plain
    from hookport.runner.dialect import DIALECTS

    record = FIXTURES["golden/imix_exact_bert"]
    assert record["loads"] and "mmengine_error" not in record
    legacy = plain(Loader().load(str(ROOT / record["original"])).full)
    imix = DIALECTS.get("imix").schedule(legacy, REFERENCE["iters_per_epoch"])
    assert len(imix["lr"]) == len(record["mmengine"]["lr"]) == 100
    for ours, real in zip(imix["lr"], record["mmengine"]["lr"]):
        assert ours[0] == pytest.approx(real[0], rel=1e-12, abs=1e-15)
