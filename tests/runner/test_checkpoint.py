"""Checkpoint files: atomic writes, weights-only loads with a clear refusal, latest lookup, meta."""
import os

import pytest
import torch

from hookport.runner.checkpoint import (CheckpointError, atomic_torch_save, find_latest_checkpoint,
                                        load_checkpoint_file, state_dict_from_checkpoint, strip_prefix)
from tests.runner.base import RunnerTestCase


class Opaque:
    """Not on any allow-list."""


def test_atomic_save_never_leaves_a_partial_file(tmp_path):
    target = tmp_path / "ckpt.pth"
    atomic_torch_save({"a": torch.ones(2)}, str(target))
    with pytest.raises(Exception):
        atomic_torch_save({"bad": lambda: None}, str(target))  # unpicklable
    assert torch.load(target, weights_only=True)["a"].tolist() == [1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ["ckpt.pth"]


def test_load_refuses_arbitrary_objects_and_names_the_type(tmp_path):
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "meta": {"x": Opaque()}}, path)
    with pytest.raises(CheckpointError, match=r"test_checkpoint\.Opaque.*add_safe_globals"):
        load_checkpoint_file(str(path))


def test_load_allows_plain_checkpoints_and_reports_missing_files(tmp_path):
    path = tmp_path / "ok.pth"
    torch.save({"state_dict": {"w": torch.zeros(1)}, "meta": {"epoch": 1, "names": ("a", "b")}}, path)
    assert load_checkpoint_file(str(path))["meta"]["epoch"] == 1
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint_file(str(tmp_path / "missing.pth"))


def test_find_latest_and_state_dict_helpers(tmp_path):
    assert find_latest_checkpoint(str(tmp_path)) is None
    (tmp_path / "last_checkpoint").write_text(str(tmp_path / "epoch_3.pth"))
    assert find_latest_checkpoint(str(tmp_path)) == str(tmp_path / "epoch_3.pth")
    assert state_dict_from_checkpoint({"model": {"a": 1}}) == {"a": 1}
    assert list(strip_prefix({"module.a": 1, "b": 2})) == ["a", "b"]


class TestRunnerCheckpoint(RunnerTestCase):
    def test_checkpoint_content_and_meta(self):
        runner = self.build_runner(self.epoch_based_cfg())
        runner.train()
        ckpt = load_checkpoint_file(os.path.join(self.temp_dir, "epoch_2.pth"))
        self.assertEqual(set(ckpt), {"meta", "state_dict", "message_hub", "optimizer", "param_schedulers",
                                     "rng_state"})
        meta = ckpt["meta"]
        self.assertEqual((meta["epoch"], meta["iter"], meta["seed"]), (2, 8, 0))
        for key in ("hookport_version", "torch_version", "time", "experiment_name", "cfg", "dataset_meta"):
            self.assertIn(key, meta)
        self.assertEqual(len(ckpt["param_schedulers"]), 1)
        self.assertTrue(all(v.device.type == "cpu" for v in ckpt["state_dict"].values()))

    def test_iteration_checkpoint_counts_the_finished_iteration(self):
        runner = self.build_runner(self.iter_based_cfg())
        runner.train()
        meta = load_checkpoint_file(os.path.join(self.temp_dir, "iter_4.pth"))["meta"]
        self.assertEqual((meta["epoch"], meta["iter"]), (0, 4))

    def test_save_without_optimizer_and_schedulers(self):
        runner = self.build_runner(self.epoch_based_cfg())
        runner.train()
        path = runner.save_checkpoint(self.temp_dir, "bare.pth", save_optimizer=False, save_param_scheduler=False)
        self.assertEqual(set(load_checkpoint_file(path)), {"meta", "state_dict", "message_hub", "rng_state"})

    def test_load_from_restores_weights_only(self):
        runner = self.build_runner(self.epoch_based_cfg())
        runner.train()
        trained = {k: v.clone() for k, v in runner.model.state_dict().items()}
        other = self.build_runner(self.epoch_based_cfg(work_dir=os.path.join(self.temp_dir, "x"),
                                                       load_from=os.path.join(self.temp_dir, "epoch_2.pth")))
        metrics = other.val()
        self.assertIn("accuracy/top1", metrics)
        for key, value in other.model.state_dict().items():
            self.assertTrue(torch.equal(value, trained[key]))
