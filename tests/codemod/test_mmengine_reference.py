"""The converted mmdet-2.x-style and iMIX-style hooks in REAL MMEngine 0.10.7.

Reads ``tests/data/reference/codemod/mmengine_check.json``, written by
``tools/refdata/codemod_mmengine_check.py`` (run with $REFENV/bin/python): each golden
``fixtures/codemod/hooks/*.out.py`` imported next to real MMEngine and trained in a tiny
MMEngine Runner with the hook built from ``dict(type='ClassName')``.
"""
import ast
import hashlib
import json

import pytest

from hookport.hooks.hook import STAGES

from .conftest import FIXTURES, ROOT

REFERENCE = json.loads((ROOT / "tests" / "data" / "reference" / "codemod" / "mmengine_check.json").read_text())
FILES = REFERENCE["files"]
#: hooks whose conversion is complete without a human (no TODO on their run path)
MECHANICAL = {"CheckInvalidLossHook", "ExpMomentumEMAHook", "MemoryProfilerHook", "SetEpochInfoHook",
              "SyncNormHook", "YOLOXModeSwitchHook", "EMAIterHook", "EMAEpochHook", "TextLoggerHook",
              "ProgressLoggerHook"}


def test_reference_is_from_mmengine_0_10_7_and_covers_every_golden():
    assert REFERENCE["mmengine"] == "0.10.7"
    assert sorted(FILES) == sorted(p.name for p in FIXTURES.glob("hooks/*.out.py"))


@pytest.mark.parametrize("name", sorted(FILES))
def test_reference_matches_the_current_golden(name):
    digest = hashlib.sha256((FIXTURES / "hooks" / name).read_bytes()).hexdigest()
    assert FILES[name]["sha256"] == digest, "golden changed: rerun tools/refdata/codemod_mmengine_check.py"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_converted_hook_imports_and_registers_in_mmengine(name):
    entry = FILES[name]
    assert "import_error" not in entry
    assert entry["hooks"]
    for hook, record in entry["hooks"].items():
        if hook != "BaseEMAHook":  # an unregistered base class, as in mmdet 2.x
            assert record["registered"], hook


def _expected_stages(path):
    """MMEngine mount points a class defines itself or inherits from a class of the same file."""
    tree = ast.parse(path.read_text())
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}

    def stages(cls):
        own = {f.name for f in cls.body if isinstance(f, ast.FunctionDef) and f.name in STAGES}
        for base in cls.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                own |= stages(classes[base.id])
        return own
    return {name: sorted(stages(cls)) for name, cls in classes.items()}


@pytest.mark.parametrize("name", sorted(FILES))
def test_mmengine_dispatches_exactly_the_converted_methods(name):
    expected = _expected_stages(FIXTURES / "hooks" / name)
    for hook, record in FILES[name]["hooks"].items():
        if record.get("built"):
            assert record["stages"] == expected[hook], hook


def test_mechanical_ports_train_to_the_end_in_mmengine():
    ran = {h: r for e in FILES.values() for h, r in e["hooks"].items() if r.get("built")}
    assert MECHANICAL <= set(ran)
    for hook in MECHANICAL:
        assert ran[hook]["finished"], (hook, ran[hook]["error"])


def test_behaviour_seen_in_mmengine():
    hooks = {h: r for e in FILES.values() for h, r in e["hooks"].items()}
    # generic after_iter split into train + val: memory logged in both loops, per loop
    assert {"train/memory_rss", "val/memory_rss"} <= set(hooks["MemoryProfilerHook"]["scalars"])
    assert hooks["SetEpochInfoHook"]["epochs_seen"] == [0, 1]
    assert hooks["YOLOXModeSwitchHook"]["use_l1"] is True  # runner.train_dataloader reached the switch
    # module-level runner helpers: log_buffer.update became message_hub.update_scalar('train/...')
    assert "train/progress" in hooks["ProgressLoggerHook"]["scalars"]
    assert hooks["EMAIterHook"]["ema_calls"] == ["init"] + ["update"] * 4
    assert hooks["EMAEpochHook"]["ema_calls"] == ["load_bkp", "save_0", "load_bkp", "save_1"]
    # iMIX LOW (40) became MMEngine 'LOW' (70); MMCV hooks keep MMEngine's default NORMAL
    assert hooks["TextLoggerHook"]["priority"] == 70
    assert hooks["CheckInvalidLossHook"]["priority"] == 50


def test_unfinished_port_fails_only_where_a_todo_says_so():
    record = FILES["num_class_check.out.py"]["hooks"]["NumClassCheckHook"]
    assert not record["finished"]
    lines = (FIXTURES / "hooks" / "num_class_check.out.py").read_text().splitlines()
    failing = record["error"]["line"]
    assert "TODO(hookport HP903)" in lines[failing - 2]
    assert "runner.data_loader" in lines[failing - 1]
