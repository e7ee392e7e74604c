"""Runner helpers outside hook classes: which loop they run in, and when a file counts as hook code."""
import ast
import textwrap

import pytest

from hookport.converters.codemod import Options, Status, transform_source
from hookport.converters.codemod.callers import caller_modes


def _modes(source, helpers):
    tree = ast.parse(textwrap.dedent(source))
    stages = {"after_train_iter": "train", "after_val_epoch": "val", "before_train_epoch": "train"}

    def fixed(owner, name):
        return frozenset((stages[name],)) if owner == "H" and name in stages else frozenset()
    return caller_modes(tree, helpers, fixed)


def test_a_helper_takes_the_loop_of_its_callers_even_through_another_helper():
    modes = _modes("""
        def inner(runner): pass
        def outer(runner): inner(runner)
        class H:
            def after_train_iter(self, runner): outer(runner)
            def after_val_epoch(self, runner): self.outer(runner)  # a method of that name: not the function
    """, {"inner": "name", "outer": "name"})
    assert modes["inner"].mode == modes["outer"].mode == "train"


@pytest.mark.parametrize("calls,mode,called", [
    ("def after_train_iter(self, runner): f(runner)\n    def after_val_epoch(self, runner): f(runner)", None, True),
    ("def after_val_epoch(self, runner): f(runner)", "val", True),
    ("def before_run(self, runner): f(runner)", None, True),  # a mount point of no loop
    ("def after_val_epoch(self, runner): pass", None, False),
])
def test_callers_in_several_loops_or_none_give_no_mode(calls, mode, called):
    modes = _modes(f"def f(runner): pass\nclass H:\n    {calls}\n", {"f": "name"})
    assert (modes["f"].mode, modes["f"].called) == (mode, called)


def test_a_call_at_module_level_is_from_no_loop():
    modes = _modes("def f(runner): pass\nclass H:\n    def after_val_epoch(self, runner): f(runner)\nf(None)\n",
                   {"f": "name"})
    assert modes["f"].mode is None


HELPER = """\
def log_norm(runner):
    runner.log_buffer.update({'grad_norm': 1.0})
"""


def test_a_helper_module_importing_the_hook_api_is_converted_without_a_hook_class():
    outcome = transform_source("from mmcv.runner import HOOKS, master_only\n\n\n@master_only\n" + HELPER, "h.py")
    assert outcome.status is Status.CHANGED
    assert outcome.output.startswith("from mmengine.dist import master_only\n")
    assert "runner.message_hub.update_scalar('train/grad_norm', 1.0)" in outcome.output
    assert [t.code for t in outcome.todos] == ["HP310"]  # the loop was assumed: nothing calls it here


@pytest.mark.parametrize("header", ["import mmcv\n", "from mmcv.runner import get_dist_info\n",
                                    "from imix.engine.hooks import HookBase\n", ""])
def test_a_helper_in_a_file_without_the_mmcv_hook_api_is_byte_identical(header):
    assert transform_source(header + "\n\n" + HELPER, "h.py").status is Status.SKIPPED


def test_ignoring_a_rule_leaves_the_helper_and_its_todo_out():
    source = "from mmcv.runner import Hook\n\n\n" + HELPER
    ignored = transform_source(source, "h.py", Options(ignore=("HP310",)))
    assert "    runner.log_buffer.update({'grad_norm': 1.0})" in ignored.output
    assert "HP310" not in ignored.fixes and "HP310" not in [t.code for t in ignored.todos]
    assert transform_source(source, "h.py", Options(ignore=("HP3", "HP9"))).status is Status.SKIPPED
    outcome = transform_source(source, "h.py", Options(select=("HP310",)))
    assert outcome.status is Status.CHANGED and outcome.fixes == {"HP310": 1}


def test_a_hook_class_helper_called_from_one_loop_uses_that_loop():
    source = textwrap.dedent("""\
        from mmcv.runner import Hook


        class Sizes(Hook):
            def _size(self, runner):
                return len(runner.data_loader)

            def after_val_epoch(self, runner):
                self._size(runner)
    """)
    output = transform_source(source, "h.py").output
    assert "return len(runner.val_dataloader)" in output and "TODO" not in output


def test_mount_point_values_are_left_with_a_todo_naming_the_argument_to_pass():
    source = "from mmcv.runner import Hook\n\n\ndef idx(runner):\n    return runner.inner_iter\n"
    outcome = transform_source(source, "h.py")
    assert outcome.status is Status.CHANGED  # the import moved; the helper kept its code
    assert "    return runner.inner_iter\n" in outcome.output
    (todo,) = outcome.todos
    assert todo.code == "HP303" and "add a batch_idx parameter" in todo.message
