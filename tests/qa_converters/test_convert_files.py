"""File-level guarantees of `hookport convert`: line endings, idempotence, untouched MMEngine files."""
from __future__ import annotations

from hookport.cli import main

LEGACY_CRLF = (b"optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\r\n# comment\r\n"
               b"lr_config = dict(policy='step', step=[30, 60])\r\n"
               b"runner = dict(type='EpochBasedRunner', max_epochs=90)\r\n")


def test_crlf_file_keeps_its_line_ends_and_a_second_run_changes_nothing(tmp_path, capsys):
    """A CRLF config used to come out LF: --in-place rewrote every line of a Windows checkout."""
    path = tmp_path / "cfg.py"
    path.write_bytes(LEGACY_CRLF)
    assert main(["convert", str(path), "--in-place", "--no-verify"]) == 0
    data = path.read_bytes()
    assert b"param_scheduler" in data and b"# comment\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")
    assert main(["convert", str(path), "--check", "--no-verify"]) == 0
    out = tmp_path / "out.py"
    assert main(["convert", str(tmp_path / "cfg.py"), "-o", str(out), "--no-verify"]) == 0
    assert out.read_bytes() == data


def test_mmengine_crlf_file_is_left_byte_identical(tmp_path, capsys):
    """An already converted file is 'unchanged' and --check says so."""
    path = tmp_path / "engine.py"
    path.write_bytes(b"optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))\r\n"
                     b"train_cfg = dict(by_epoch=True, max_epochs=3)\r\n")
    before = path.read_bytes()
    assert main(["convert", str(path), "--check", "--no-verify"]) == 0
    assert main(["convert", str(path), "--in-place", "--no-verify"]) == 0
    assert path.read_bytes() == before
