"""Errors found while interpreting a loaded config are printed as ``file:line: message``.

The line is the assignment of the key the error is about, in the file that defines it (a ``_base_``
file when the child does not); a key set by ``--cfg-options`` has no line in any file.
"""
import json
import os
import sys

import pytest

from tests.cli.conftest import IMIX_BY_ITER, MMCV_TOY, MMENGINE_TOY


def test_unknown_hook_type_in_a_base_file_points_at_the_base(cli, write, tmp_path):
    base = write("bases/base.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        custom_hooks = [
            dict(type='EMAHook'),
            dict(type='EmptyCacheHok'),
        ]
    """)
    child = write("child.py", "_base_ = ['bases/base.py']\nx = 1\n")
    assert cli("hooks", child) == 2
    assert cli.error_line() == (f"{base}:2: custom_hooks[1]: unknown hook type 'EmptyCacheHok'; "
                                "did you mean 'EmptyCacheHook'?")


def test_unknown_default_hook_type_points_at_default_hooks(cli, write):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        seed = 1
        default_hooks = dict(timer=dict(type='IterTimerHok'))
    """)
    assert cli("hooks", cfg) == 2
    assert cli.error_line().startswith(f"{cfg}:3: default_hooks.timer: unknown hook type 'IterTimerHok'; "
                                       "did you mean 'IterTimerHook'")


def test_model_with_bad_kwargs_names_the_model_line(cli, write, tmp_path):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        model = dict(type='ToyClassifier', in_features=8, bogus=3)
    """)
    assert cli("run", cfg, "--work-dir", tmp_path / "w") == 2
    line = cli.error_line()
    assert line.startswith(f"{cfg}:2: cannot build model ") and "'bogus'" in line


def test_bad_train_cfg_value_in_run_names_train_cfg_and_its_line(cli, write, tmp_path):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        train_cfg = dict(by_epoch=True, max_epochs='3', val_interval=1)
    """)
    assert cli("run", cfg, "--work-dir", tmp_path / "w") == 2
    assert cli.error_line() == f"{cfg}:2: train_cfg: max_epochs must be a positive int, got '3'"
    assert cli("schedule", cfg) == 2
    assert cli.error_line() == f"{cfg}:2: train_cfg.max_epochs must be an int, got '3'"


def test_val_cfg_with_an_unknown_argument_names_val_cfg(cli, write, tmp_path):
    cfg = write("cfg.py", f"_base_ = [{MMENGINE_TOY!r}]\nval_cfg = dict(bogus=1)\n")
    assert cli("run", cfg, "--work-dir", tmp_path / "w") == 2
    line = cli.error_line()
    assert line.startswith(f"{cfg}:2: val_cfg: ") and "'bogus'" in line


def test_mmcv_lr_policy_and_logger_typos_point_at_their_keys(cli, write, mmcv_hooks_path):
    policy = write("policy.py", f"""
        _base_ = [{MMCV_TOY!r}]
        lr_config = dict(policy='Stepp', step=[2])
    """)
    assert cli("schedule", policy) == 2
    assert cli.error_line().startswith(f"{policy}:2: lr_config: unknown policy 'Stepp'")
    logger = write("logger.py", f"""
        _base_ = [{MMCV_TOY!r}]
        # a typo in a logger hook
        log_config = dict(interval=5, hooks=[dict(type='TextLogerHook')])
    """)
    assert cli("hooks", logger) == 2
    assert cli.error_line().startswith(f"{logger}:3: unknown hook type 'TextLogerHook'; did you mean 'TextLoggerHook'")


def test_mmcv_priority_name_of_another_scheme_points_at_custom_hooks(cli, write, mmcv_hooks_path):
    cfg = write("cfg.py", f"""
        _base_ = [{MMCV_TOY!r}]
        custom_hooks = [dict(type='EpochMarkerHook', priority='HIGHER')]
    """)
    assert cli("hooks", cfg) == 2
    assert cli.error_line().startswith(f"{cfg}:2: hook EpochMarkerHook: unknown priority name 'HIGHER'")


def test_imix_level_between_levels_points_at_custom_hooks(cli, write, imix_hooks_path):
    cfg = write("cfg.py", f"""
        _base_ = [{IMIX_BY_ITER!r}]
        custom_hooks = [
            dict(type='LrWatcherHook', level=25),
        ]
    """)
    assert cli("hooks", cfg) == 2
    assert cli.error_line().startswith(f"{cfg}:2: custom_hooks[0] (LrWatcherHook).level: invalid priority 25")


def test_a_key_set_by_cfg_options_names_the_file_without_a_line(cli, mmcv_hooks_path):
    assert cli("schedule", MMCV_TOY, "--cfg-options", "lr_config.policy='Stepp'") == 2
    assert cli.error_line().startswith(f"{os.path.normpath(MMCV_TOY)}: lr_config: unknown policy 'Stepp'")


def test_running_from_another_directory_names_the_file_as_given(cli, write, tmp_path, monkeypatch):
    write("sub/cfg.py", f"_base_ = [{MMENGINE_TOY!r}]\ncustom_hooks = [dict(type='EMAHok')]\n")
    monkeypatch.chdir(tmp_path)
    assert cli("hooks", os.path.join("sub", "cfg.py")) == 2
    expected = os.path.join("sub", "cfg.py") + ":2: custom_hooks[0]: unknown hook type 'EMAHok'"
    assert cli.error_line().startswith(expected)


@pytest.fixture
def user_hooks(tmp_path, monkeypatch):
    """A package ``userhooks`` on sys.path with one good hook module and broken ones."""
    pkg = tmp_path / "userhooks"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "good.py").write_text("from hookport.hooks import Hook\n\n\nclass MyHook(Hook):\n    priority = 'LOW'\n")
    (pkg / "needs_dep.py").write_text("import no_such_dependency_hp\n")
    (pkg / "raises.py").write_text("x = 1\nraise ValueError('boom')\n")
    (pkg / "syntax.py").write_text("x = (\n")
    (pkg / "shapes.py").write_text("from hookport.hooks import Hook\n\n\nclass NotAHook:\n    pass\n\n\n"
                                   "class OldSignature(Hook):\n    def after_train_iter(self, runner):\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield pkg
    for name in [m for m in sys.modules if m.startswith("userhooks")]:
        del sys.modules[name]


def test_dotted_hook_path_with_a_priority_key_is_placed_by_it(cli, write, user_hooks):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        custom_hooks = [dict(type='userhooks.good.MyHook', priority='VERY_HIGH')]
    """)
    assert cli("hooks", cfg, "--json") == 0
    doc = json.loads(cli.out)
    assert doc["hooks"][1] == {"hook": "MyHook", "priority": 10, "priority_name": "VERY_HIGH"}


@pytest.mark.parametrize("type_path, where, message", [
    ("userhooks.good.MyHok", None,
     "unknown hook type 'userhooks.good.MyHok': module 'userhooks.good' has no attribute 'MyHok'; "
     "did you mean 'userhooks.good.MyHook'"),
    ("userhooks.nothere.MyHook", None,
     "unknown hook type 'userhooks.nothere.MyHook': no module 'userhooks.nothere' can be imported"),
    ("userhooks.needs_dep.X", ("needs_dep.py", 1),
     "type 'userhooks.needs_dep.X': cannot import 'userhooks.needs_dep': ModuleNotFoundError: "
     "No module named 'no_such_dependency_hp'"),
    ("userhooks.raises.X", ("raises.py", 2),
     "type 'userhooks.raises.X': cannot import 'userhooks.raises': ValueError: boom"),
    ("userhooks.syntax.X", ("syntax.py", 1),
     "type 'userhooks.syntax.X': cannot import 'userhooks.syntax': SyntaxError: '(' was never closed"),
])
def test_bad_dotted_hook_paths_are_one_line(cli, write, user_hooks, type_path, where, message):
    cfg = write("cfg.py", f"_base_ = [{MMENGINE_TOY!r}]\ncustom_hooks = [dict(type={type_path!r})]\n")
    assert cli("hooks", cfg) == 2
    prefix = f"{cfg}:2" if where is None else f"{user_hooks / where[0]}:{where[1]}"
    assert cli.error_line().startswith(f"{prefix}: custom_hooks[0]: {message}")


@pytest.mark.parametrize("assignment, message", [
    ("val_dataloader = dict(dataset=dict(type='ToyDatset'))",
     "val_dataloader: unknown dataset type 'ToyDatset'; did you mean 'ToyDataset'?"),
    ("train_dataloader = dict(batch_size=0)",
     "train_dataloader: dataloader: batch_size should be a positive integer value, but got batch_size=0"),
    ("train_cfg = 5", "train_cfg must be a dict, got 5"),
    ("val_cfg = [1]", "val_cfg must be a dict, got [1]"),
    ("work_dir = 5", "work_dir must be a path, got 5"),
])
def test_mmengine_runner_keys_are_named_and_located(cli, write, tmp_path, assignment, message):
    cfg = write("cfg.py", f"_base_ = [{MMENGINE_TOY!r}]\n{assignment}\n")
    work = () if assignment.startswith("work_dir") else ("--work-dir", tmp_path / "w")
    assert cli("run", cfg, *work) == 2
    assert cli.error_line() == f"{cfg}:2: {message}"


@pytest.mark.parametrize("base, assignment, message", [
    (MMCV_TOY, "work_dir = 5", "work_dir must be a path, got 5"),
    (IMIX_BY_ITER, "work_dir = 5", "work_dir must be a path, got 5"),
    (MMCV_TOY, "data = dict(samples_per_gpu=0)",
     "data: batch_size should be a positive integer value, but got batch_size=0"),
])
def test_legacy_runner_keys_are_named_and_located(cli, write, tmp_path, mmcv_hooks_path, imix_hooks_path,
                                                  base, assignment, message):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\n{assignment}\n")
    work = () if assignment.startswith("work_dir") else ("--work-dir", tmp_path / "w")
    assert cli("run", cfg, *work) == 2
    assert cli.error_line() == f"{cfg}:2: {message}"


def test_a_training_failure_is_not_pinned_to_a_config_line(cli, write, tmp_path):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        optim_wrapper = dict(optimizer=dict(type='SGD', lr=1e38, momentum=0.9))
        custom_hooks = [dict(type='CheckInvalidLossHook', interval=1)]
        train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=1)
    """)
    assert cli("run", cfg, "--work-dir", tmp_path / "w") == 2
    assert cli.error_line().startswith("loss is nan at iteration ")


def test_imix_first_base_wins_and_is_the_one_named(cli, write, imix_hooks_path):
    first = write("first.py", "optimizer = dict(type='SGD', lr='x')\n")
    write("second.py", "optimizer = dict(type='SGD', lr=0.1)\n")
    cfg = write("cfg.py", f"_base_ = ['first.py', 'second.py', {IMIX_BY_ITER!r}]\n")
    assert cli("schedule", cfg, "--iters-per-epoch", "2") == 2
    assert cli.error_line() == f"{first}:1: optimizer.lr must be a number >= 0, got 'x'"


@pytest.mark.parametrize("base, type_path, message", [
    (MMENGINE_TOY, "userhooks.shapes.NotAHook", "userhooks.shapes.NotAHook is not a hook: derive it from "),
    (MMCV_TOY, "userhooks.shapes.NotAHook", "userhooks.shapes.NotAHook is not a hook: derive it from "),
    (MMENGINE_TOY, "userhooks.shapes.OldSignature", "hook OldSignature.after_train_iter(runner) cannot be called as "),
])
def test_classes_that_cannot_be_hooks_are_located_errors(cli, write, tmp_path, user_hooks, mmcv_hooks_path,
                                                         base, type_path, message):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\ncustom_hooks = [dict(type={type_path!r})]\n")
    for command in (("hooks", cfg), ("run", cfg, "--work-dir", tmp_path / "w")):
        assert cli(*command) == 2
        line = cli.error_line()
        assert line.startswith(f"{cfg}:2: ") and message in line
    assert not (tmp_path / "w").exists()
