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


def test_legacy_base_outside_the_run_is_a_warning(tmp_path, capsys):
    """The output child only holds the difference over its converted base; a base left out of the
    run (outside the tree) used to stay legacy without a word, so the pair no longer trained."""
    src = write_tree(tmp_path / "src", {
        "outside/sched.py": """
            optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
            lr_config = dict(policy='step', step=[2])
            runner = dict(type='EpochBasedRunner', max_epochs=3)
        """,
        "tree/child.py": """
            _base_ = '../outside/sched.py'
            lr_config = dict(step=[1])
        """,
    })
    assert convert_tree(src / "tree", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert "1 finding(s) need attention" in err
    capsys.readouterr()
    assert convert_tree(src, tmp_path / "out_all") == 0  # base in the run: nothing to say
    assert "0 finding(s) need attention" in capsys.readouterr().err


def test_base_outside_the_run_is_named_in_the_report(tmp_path):
    """The warning names the base and where the child includes it."""
    from hookport.converters import Converter, Options

    write_tree(tmp_path, {
        "outside/sched.py": "optimizer = dict(type='SGD', lr=0.1)\nlr_config = dict(policy='step', step=[2])\n"
                            "total_epochs = 3\n",
        "tree/child.py": "_base_ = '../outside/sched.py'\nlr_config = dict(step=[1])\n",
    })
    converter = Converter(Options(verify=False))
    child = str(tmp_path / "tree" / "child.py")
    converter.prepare([child])
    warnings = [f for f in converter.convert(child).findings if f.code == "HPC004"]
    assert len(warnings) == 1 and "../outside/sched.py" in warnings[0].message and warnings[0].line == 1


def test_unquoted_base_reference_is_read(tmp_path):
    """MMCV's spelling ``{{_base_.x}}`` (unquoted; Python reads a set of a set) used to be
    'not evaluated' (exit 2); only the quoted form, which MMCV itself mangles, was read."""
    src = write_tree(tmp_path / "src", {
        "base.py": """
            steps = [3, 5]
            optimizer = dict(type='SGD', lr=0.1)
            lr_config = dict(policy='step', step=[8, 11])
            total_epochs = 12
        """,
        "child.py": """
            _base_ = './base.py'
            lr_config = dict(step={{_base_.steps}})
        """,
    })
    out = tmp_path / "out"
    assert convert_tree(src, out) == 0
    scheduler = Config.fromfile(str(out / "child.py")).param_scheduler
    assert [s["milestones"] for s in scheduler if s["type"] == "MultiStepLR"] == [[3, 5]]
