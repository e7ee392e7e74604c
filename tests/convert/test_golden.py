"""Golden pairs: every ``fixtures/convert/golden/*.in.py`` converts to its ``*.out.py`` byte for byte."""
from __future__ import annotations

import ast

import pytest

from hookport.converters import Converter
from tests.convert.helpers import GOLDEN, options_for

CASES = sorted(p for p in GOLDEN.glob("*.in.py") if p.with_name(p.name.replace(".in.py", ".out.py")).exists())


@pytest.mark.parametrize("source", CASES, ids=[p.name[:-6] for p in CASES])
def test_golden_pair(source):
    expected = source.with_name(source.name.replace(".in.py", ".out.py")).read_text()
    outcome = Converter(options_for(source)).convert(str(source))
    assert outcome.status == "changed", outcome.error
    assert outcome.output == expected
    ast.parse(outcome.output)  # the output is Python


@pytest.mark.parametrize("source", CASES, ids=[p.name[:-6] for p in CASES])
def test_output_is_a_fixed_point(source, tmp_path):
    converted = tmp_path / "converted.py"
    converted.write_text(source.with_name(source.name.replace(".in.py", ".out.py")).read_text())
    outcome = Converter(options_for(source)).convert(str(converted))
    assert outcome.status == "unchanged", [f.message for f in outcome.findings]


def test_golden_set_covers_every_policy_and_key():
    from hookport.converters.config.tables import table

    text = "\n".join(p.read_text() for p in CASES)
    for policy in table("schedules")["lr_policies"]:
        spelled = policy.lower() if policy in ("Fixed", "Step", "Exp", "Poly", "Inv", "Cyclic") else policy
        assert f"policy='{spelled}'" in text, policy
    for key in ("runner", "total_epochs", "workflow", "checkpoint_config", "log_config", "evaluation", "optimizer",
                "optimizer_config", "fp16", "lr_config", "momentum_config", "custom_hooks", "resume_from",
                "load_from", "auto_resume", "dist_params", "cudnn_benchmark", "mp_start_method",
                "opencv_num_threads", "find_unused_parameters", "gpu_ids", "seed", "deterministic",
                "auto_scale_lr", "data"):
        assert f"\n{key} = " in "\n" + text, key


def test_unsafe_value_fails_with_location_and_exec_hint():
    source = GOLDEN / "unsafe_value.in.py"
    outcome = Converter(options_for(source)).convert(str(source))
    assert outcome.status == "failed" and outcome.output is None
    expected = (GOLDEN / "unsafe_value.err.txt").read_text().strip()
    assert outcome.error.endswith(expected.split(":", 1)[1])
    assert "--exec" in outcome.error and ":3:" in outcome.error
