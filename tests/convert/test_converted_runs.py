"""A converted training config trains on the MMEngine dialect (hookport's runner refuses what MMEngine refuses)."""
import os

import pytest

from hookport.cli import main

LEGACY = """
model = dict(type='ToyClassifier')
data = dict(samples_per_gpu=8, workers_per_gpu=0, train=dict(type='ToyDataset'), val=dict(type='ToyDataset'){test})
optimizer = dict(type='SGD', lr=0.05, momentum=0.9)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='step', step=[1])
runner = dict(type='EpochBasedRunner', max_epochs=2)
checkpoint_config = dict(interval=1)
log_config = dict(interval=2, hooks=[dict(type='TextLoggerHook')])
"""


@pytest.mark.parametrize("test_split", ["", ", test=dict(type='ToyDataset')"], ids=["no_test_split", "test_split"])
def test_config_without_evaluation_converts_to_one_that_trains(test_split, tmp_path):
    """No ``evaluation``: MMCV never validated; the val (and test) loop sets become None instead of a
    ValLoop without an evaluator, which MMEngine and hookport reject before training."""
    pytest.importorskip("torch")
    legacy, converted = tmp_path / "legacy.py", tmp_path / "converted.py"
    legacy.write_text(LEGACY.format(test=test_split))
    assert main(["convert", str(legacy), "-o", str(converted), "--no-verify"]) == 0
    text = converted.read_text()
    for key in ("val_cfg", "val_dataloader", "test_cfg"):
        assert f"{key} = None" in text, key
    work_dir = tmp_path / "work"
    assert main(["run", str(converted), "--work-dir", str(work_dir)]) == 0
    assert {"epoch_1.pth", "epoch_2.pth"} <= set(os.listdir(work_dir))
