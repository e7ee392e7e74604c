"""Speed of `hookport convert`: a generated 500-file MMDetection-2.x-style tree, and one file from a cold start.

Run with ``pytest benchmarks/test_convert_speed.py`` (pytest-benchmark prints the timings).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hookport.converters import Converter, Options, collect_inputs

GROUPS = 50  # 50 x (3 bases + 7 children) = 500 files
CHILDREN = 7
RUNTIME = """checkpoint_config = dict(interval=1)
log_config = dict(interval=50, hooks=[dict(type='TextLoggerHook')])
dist_params = dict(backend='nccl')
log_level = 'INFO'
load_from = None
resume_from = None
workflow = [('train', 1)]
"""
SCHEDULE = """# optimizer
optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
# learning policy
lr_config = dict(policy='step', warmup='linear', warmup_iters=500, warmup_ratio=0.001, step=[8, 11])
runner = dict(type='EpochBasedRunner', max_epochs=12)
"""
DATASET = """dataset_type = 'CocoDataset'
data_root = 'data/coco/'
train_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True)]
data = dict(
    samples_per_gpu=2,
    workers_per_gpu=2,
    train=dict(type=dataset_type, ann_file=data_root + 'train.json', pipeline=train_pipeline),
    val=dict(type=dataset_type, ann_file=data_root + 'val.json', pipeline=train_pipeline))
evaluation = dict(interval=1, metric='bbox')
"""
CHILD = """_base_ = ['../_base_/dataset.py', '../_base_/schedule.py', '../_base_/runtime.py']
model = dict(type='FasterRCNN', depth={depth})
# a longer schedule for this one
lr_config = dict(step=[{a}, {b}])
runner = dict(max_epochs={epochs})
evaluation = dict(interval={interval})
"""


def make_tree(root: Path) -> Path:
    """Write the 500-file tree under ``root``."""
    for group in range(GROUPS):
        base = root / f"group{group:02d}" / "_base_"
        base.mkdir(parents=True)
        (base / "runtime.py").write_text(RUNTIME)
        (base / "schedule.py").write_text(SCHEDULE)
        (base / "dataset.py").write_text(DATASET)
        for child in range(CHILDREN):
            folder = root / f"group{group:02d}" / "models"
            folder.mkdir(exist_ok=True)
            (folder / f"model{child}.py").write_text(CHILD.format(
                depth=18 + child, a=8 + child, b=11 + child, epochs=12 + child, interval=1 + child % 3))
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_tree(tmp_path_factory.mktemp("bench"))


def _convert_all(root: Path, verify: bool):
    inputs = collect_inputs([str(root)])
    converter = Converter(Options(scope="mmdet", verify=verify))
    converter.prepare([p for p, _ in inputs])
    outcomes = [converter.convert(p) for p, _ in inputs]
    assert len(outcomes) == GROUPS * (3 + CHILDREN)
    assert all(o.status == "changed" for o in outcomes), [o.error for o in outcomes if o.error][:3]
    return outcomes


def test_convert_500_file_tree(benchmark, tree):
    benchmark.pedantic(_convert_all, args=(tree, False), rounds=1, iterations=1)


def test_convert_and_verify_500_file_tree(benchmark, tree):
    outcomes = benchmark.pedantic(_convert_all, args=(tree, True), rounds=1, iterations=1)
    assert all("schedule exact" in o.verification["summary"] for o in outcomes if "models" in o.path)


def test_one_file_cold_start(benchmark, tmp_path):
    """One conversion in a fresh interpreter (libcst's import is most of it); the target is 0.3 s."""
    root = make_tree(tmp_path / "t")
    child = root / "group00" / "models" / "model0.py"

    def convert_once():
        proc = subprocess.run([sys.executable, "-m", "hookport", "convert", str(child), "--no-verify"],
                              capture_output=True, text=True, env=dict(os.environ))
        assert proc.returncode == 0, proc.stderr

    benchmark.pedantic(convert_once, rounds=3, iterations=1)
    best = benchmark.stats.stats.min
    benchmark.extra_info.update(cold_start_best_s=round(best, 3), target_s=0.3)
    print(f"cold start, one file: best {best:.3f} s (target 0.3 s on an idle machine)")
