"""Real-world-like trees: outputs and reports match their goldens, and the converted tree merges to the translation.

The merge check is the converter's central promise: for every file F, MMEngine's view of the converted
tree (bases merged, no duplicate keys among sibling bases) equals the translation of F's complete
legacy config.
"""
from __future__ import annotations

import json
import os

import pytest

from hookport.converters import Converter, Options, collect_inputs
from hookport.converters.config.tree import Loader
from hookport.converters.config.values import Opaque, plain
from tests.convert.helpers import TREES

SCOPES = {"mmdet": "mmdet", "mmcls": "mmpretrain", "mmseg": "mmseg", "imix": None}


def _options(name: str) -> Options:
    return Options(scope=SCOPES[name], verify=False, execute=name == "imix")


def _convert_tree(name: str):
    root = TREES / name / "configs"
    inputs = collect_inputs([str(root)])
    converter = Converter(_options(name))
    converter.prepare([p for p, _ in inputs])
    return converter, inputs, [converter.convert(p) for p, _ in inputs]


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_tree_outputs_match_goldens(name):
    _, inputs, outcomes = _convert_tree(name)
    for (_, rel), outcome in zip(inputs, outcomes):
        assert outcome.status != "failed", outcome.error
        assert outcome.output == (TREES / name / "expected" / rel).read_text(), rel


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_tree_report_matches_golden(name, tmp_path, monkeypatch):
    from hookport.cli import main

    monkeypatch.chdir(TREES / name)
    args = ["convert", "configs", "-o", str(tmp_path / "out"), "--no-verify", "--report", str(tmp_path / "r.json")]
    if SCOPES[name]:
        args += ["--scope", SCOPES[name]]
    if name == "imix":
        args.append("--exec")
    assert main(args) == 0
    assert json.loads((tmp_path / "r.json").read_text()) == json.loads((TREES / name / "expected_report.json").read_text())


def _resolve(value, full):
    """Expected values name other keys by source (``vis_backends=vis_backends``); look them up."""
    if isinstance(value, Opaque) and value.src in full:
        return plain(full[value.src])
    if isinstance(value, dict):
        return {k: _resolve(v, full) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, full) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_converted_tree_merges_to_the_translation(name, tmp_path):
    converter, inputs, outcomes = _convert_tree(name)
    out_root = tmp_path / "configs"
    for (_, rel), outcome in zip(inputs, outcomes):
        target = out_root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(outcome.output)
    # MMEngine's rule: a key defined by two sibling bases is an error (first_wins=False)
    loader = Loader(first_wins=False)
    for path, rel in inputs:
        expected = converter.translate(converter.loader.load(path)).out
        left = converter.suppressed.get(os.path.abspath(path), set())  # documented HPC003: children write it
        loaded = loader.load(str(out_root / rel))
        for key, value in expected.items():
            if key in left:
                assert key not in loaded.full, (rel, key)
                continue
            assert plain(loaded.full.get(key)) == _resolve(plain(value), loaded.full), (rel, key)


def test_children_override_bases_partially():
    _, inputs, outcomes = _convert_tree("mmdet")
    by_rel = dict(zip([r for _, r in inputs], outcomes))
    child = by_rel[os.path.join("faster_rcnn", "faster_rcnn_r50_fpn_2x_coco.py")].output
    # merge keys become partial dicts, and default hooks keep their type
    assert "train_cfg = dict(type='EpochBasedTrainLoop', val_interval=2)" in child
    assert "default_hooks = dict(checkpoint=dict(type='CheckpointHook', save_best='auto'))" in child
    two_x = by_rel[os.path.join("_base_", "schedules", "schedule_2x.py")].output
    # replace keys become the complete new value: the whole param_scheduler list
    assert two_x.count("dict(") >= 3 and "milestones=[16, 22]" in two_x and "end=501" in two_x
    assert "# twice as long\ntrain_cfg = dict(type='EpochBasedTrainLoop', max_epochs=24)" in two_x


def test_sibling_collision_left_to_children():
    converter, inputs, outcomes = _convert_tree("mmseg")
    schedule = dict(zip([r for _, r in inputs], outcomes))[os.path.join("_base_", "schedules", "schedule_80k.py")]
    assert "default_hooks" not in schedule.output
    assert any(f.code == "HPC003" and "default_hooks" in f.message for f in schedule.findings)


def test_missing_and_cyclic_bases_fail_with_location(tmp_path):
    (tmp_path / "a.py").write_text("_base_ = ['./b.py']\nrunner = dict(type='EpochBasedRunner', max_epochs=1)\n")
    (tmp_path / "b.py").write_text("_base_ = './a.py'\n")
    (tmp_path / "c.py").write_text("x = 1\n_base_ = './missing.py'\n")
    converter = Converter(Options(verify=False))
    cyclic = converter.convert(str(tmp_path / "a.py"))
    assert cyclic.status == "failed" and "cyclic _base_" in cyclic.error
    missing = converter.convert(str(tmp_path / "c.py"))
    assert missing.status == "failed" and missing.error.startswith(f"{tmp_path / 'c.py'}:2: cannot read config")


def test_duplicate_legacy_key_among_bases_is_an_error(tmp_path):
    (tmp_path / "a.py").write_text("log_level = 'INFO'\n")
    (tmp_path / "b.py").write_text("log_level = 'DEBUG'\n")
    (tmp_path / "c.py").write_text("_base_ = ['a.py', 'b.py']\n")
    outcome = Converter(Options(verify=False)).convert(str(tmp_path / "c.py"))
    assert outcome.status == "failed" and "duplicate key 'log_level' among bases" in outcome.error
