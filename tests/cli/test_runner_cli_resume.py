"""`hookport run --resume`: an empty work dir starts fresh; unreadable checkpoints are one clear line."""

import pytest
import torch

from tests.cli.conftest import MMENGINE_TOY

ONE_EPOCH = ("--cfg-options", "train_cfg.max_epochs=1")


def test_resume_without_value_in_an_empty_work_dir_trains_from_scratch(cli, tmp_path):
    work = tmp_path / "w"
    assert cli("run", MMENGINE_TOY, "--work-dir", work, "--resume", *ONE_EPOCH) == 0
    assert "resumed from" not in cli.out and "Epoch(train) [1][6/6]" in cli.out
    assert (work / "epoch_1.pth").exists()


@pytest.fixture
def real_checkpoint(cli, tmp_path):
    """The bytes of a real one-epoch checkpoint of the toy config."""
    work = tmp_path / "trained"
    assert cli("run", MMENGINE_TOY, "--work-dir", work, *ONE_EPOCH) == 0
    return (work / "epoch_1.pth").read_bytes()


class Unsafe:
    """A type a weights-only load must refuse."""


@pytest.mark.parametrize("content, message", [
    (lambda real: b"", "the checkpoint file is empty"),
    (lambda real: real[:2000], "cannot read checkpoint (corrupt, truncated or not a PyTorch checkpoint): RuntimeError"),
    (lambda real: bytes(range(128, 256)) * 3,
     "cannot read checkpoint (corrupt, truncated or not a PyTorch checkpoint): "),
    (lambda real: b"hello\n", "cannot read checkpoint (corrupt, truncated or not a PyTorch checkpoint): "),
])
def test_unreadable_checkpoint_is_one_line_naming_the_file(cli, tmp_path, real_checkpoint, content, message):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(content(real_checkpoint))
    assert cli("run", MMENGINE_TOY, "--work-dir", tmp_path / "w", "--resume", bad) == 2
    line = cli.error_line()
    assert line.startswith(f"{bad}: {message}")
    assert "weights-only" not in line and "Weights only" not in line  # it is not a safety refusal


@pytest.mark.parametrize("zip_format", [True, False])
def test_checkpoint_with_a_foreign_type_is_refused_by_name(cli, tmp_path, zip_format):
    bad = tmp_path / "unsafe.pth"
    torch.save({"state_dict": {}, "meta": Unsafe()}, bad, _use_new_zipfile_serialization=zip_format)
    assert cli("run", MMENGINE_TOY, "--work-dir", tmp_path / "w", "--resume", bad) == 2
    expected = f"{bad}: refusing to unpickle {__name__}.Unsafe: not allowed in a weights-only load"
    assert cli.error_line().startswith(expected)


def test_last_checkpoint_naming_a_missing_file_is_one_line(cli, tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    (work / "last_checkpoint").write_text(str(work / "epoch_9.pth"))
    assert cli("run", MMENGINE_TOY, "--work-dir", work, "--resume") == 2
    assert cli.error_line() == f"{work / 'epoch_9.pth'}: checkpoint not found"
