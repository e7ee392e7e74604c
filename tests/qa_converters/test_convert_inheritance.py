"""Converted trees mean, under MMEngine's base rules, what the legacy tree meant."""
from __future__ import annotations

from hookport.config import Config
from tests.qa_converters.helpers import convert_tree, write_tree

RUNTIME = """
    checkpoint_config = dict(interval=1)
    log_config = dict(interval=50, hooks=[dict(type='TextLoggerHook')])
"""


def test_child_adding_a_logger_backend_restates_the_visualizer(tmp_path):
    """A base's ``visualizer = dict(vis_backends=vis_backends)`` is resolved when MMEngine reads the base,
    so a child that only redefines ``vis_backends`` used to lose its Tensorboard backend silently."""
    src = write_tree(tmp_path / "src", {
        "_base_/runtime.py": RUNTIME,
        "child.py": """
            _base_ = './_base_/runtime.py'
            log_config = dict(interval=20, hooks=[dict(type='TextLoggerHook'), dict(type='TensorboardLoggerHook')])
        """,
    })
    out = tmp_path / "out"
    assert convert_tree(src, out, "--scope", "mmdet") == 0
    text = (out / "child.py").read_text()
    assert "visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends)" in text
    backends = Config.fromfile(str(out / "child.py")).visualizer["vis_backends"]
    assert [b["type"] for b in backends] == ["LocalVisBackend", "TensorboardVisBackend"]
    assert Config.fromfile(str(out / "child.py")).visualizer["type"] == "DetLocalVisualizer"
