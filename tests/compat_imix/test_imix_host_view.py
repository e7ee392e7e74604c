"""The trainer view of iMIX hooks in non-iMIX runners, and import cost of the iMIX modules."""
import subprocess
import sys
import types

import pytest

from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.trainer import HostTrainerView, view_of
from hookport.runner.dispatch import HookTable


class Reader(HookBase):
    def __init__(self):
        super().__init__()
        self.seen = []

    def before_train_iter(self):
        self.seen.append(("before", self.trainer.iter, self.trainer.inner_iter))

    def after_train_iter(self):
        t = self.trainer
        t.log_buffer.put_scalar("seen", 1.0)
        self.seen.append(("after", t.iter, t.inner_iter, t.epoch, t.max_iter, t.max_epoch, t.output,
                          len(t.data_loader), t.optimizer.name, t.by_epoch, t.log_buffer.iter))


class FakeRunner(types.SimpleNamespace):
    """A runner stand-in (real runners, like this subclass, can be weakly referenced)."""


def mmcv_like_runner():
    """An MMCV 1.x-style runner: hooks get no arguments besides the runner; values are attributes."""
    return FakeRunner(model=object(), optimizer=types.SimpleNamespace(name="sgd"), iter=0, epoch=0,
                                 inner_iter=0, outputs=None, data_loader=[1, 2, 3], max_iters=6, max_epochs=2,
                                 hooks=[], work_dir="w", cfg=None)


def test_mmcv_style_host_counters_and_outputs():
    runner = mmcv_like_runner()
    table = HookTable("mmcv")
    hook = Reader()
    table.register(hook, 90)
    for it in range(4):
        runner.iter, runner.epoch, runner.inner_iter = it, it // 3, it % 3
        runner.outputs = {"loss": it}
        table.call("before_train_iter", runner)
        table.call("after_train_iter", runner)
    assert isinstance(view_of(runner), HostTrainerView)
    assert hook.seen[-2:] == [("before", 3, 0), ("after", 3, 0, 1, 6, 2, {"loss": 3}, 3, "sgd", True, 3)]
    # the log buffer follows the host's iteration: the current scalars are those of this iteration
    assert view_of(runner).log_buffer.latest() == {"seen": (1.0, 3)}


def test_mmengine_style_arguments_win_over_attributes():
    runner = mmcv_like_runner()
    del runner.inner_iter, runner.outputs
    table = HookTable("mmengine")
    hook = Reader()
    table.register(hook, 90)
    table.call("before_train_iter", runner, 2, {"inputs": []})
    table.call("after_train_iter", runner, 2, {"inputs": []}, {"loss": 0.5})
    assert hook.seen[1][2] == 2 and hook.seen[1][6] == {"loss": 0.5}


def test_missing_host_attribute_names_the_runner():
    runner = FakeRunner(iter=0)
    view = view_of(runner)
    with pytest.raises(AttributeError, match="trainer has no attribute 'model' in this runner \\(FakeRunner\\)"):
        view.model


def test_imix_hook_modules_and_listing_import_no_torch():
    code = ("import sys\n"
            "import hookport.compat.imix.hooks, hookport.compat.imix.placement, hookport.compat.imix.schedule\n"
            "from hookport.runner.dialect import DIALECTS\n"
            "DIALECTS.get('imix').hook_table(dict(model=dict(type='M'), total_epochs=1, log_config=dict(period=1),"
            " optimizer=dict(type='SGD', lr=0.1), custom_hooks=[dict(type='EMAIterHook', level=40)]))\n"
            "assert not [m for m in sys.modules if m.split('.')[0] == 'torch'], 'torch imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
