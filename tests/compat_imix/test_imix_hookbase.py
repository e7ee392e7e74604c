"""HookBase: argument-less events adapted to the dispatcher, ``self.trainer`` as a weak proxy."""
import weakref

import pytest

from hookport.compat.imix.hook import IMIX_STAGES, HookBase
from hookport.compat.imix.trainer import TrainerView
from hookport.errors import HookValidationError
from hookport.runner.dispatch import HookTable


class Recorder(HookBase):
    def __init__(self, log):
        super().__init__()
        self.log = log

    def before_train(self):
        self.log.append(("before_train", self.trainer.iter))

    def after_train_iter(self):
        self.log.append(("after_train_iter", self.trainer.iter))


def test_only_overridden_imix_events_are_dispatched():
    hook = Recorder([])
    assert [s for s in IMIX_STAGES if hook.bound(s)] == ["before_train", "after_train_iter"]
    assert hook.bound("before_run") is None and hook.bound("after_val_epoch") is None


def test_adapter_drops_host_arguments_and_sets_a_weak_trainer():
    log = []
    table = HookTable("imix", IMIX_STAGES)
    hook = Recorder(log)
    table.register(hook)
    view = TrainerView()
    view.iter = 4
    table.call("before_train", view)
    table.call("after_train_iter", view, 4, {"x": 1}, {"loss": 0})  # host-style arguments are ignored
    assert log == [("before_train", 4), ("after_train_iter", 4)]
    assert isinstance(hook.trainer, weakref.ProxyTypes)
    assert hook.trainer.iter == 4


@pytest.mark.parametrize("signature", ["self, runner", "self, runner, batch_idx"])
def test_events_with_arguments_fail_at_registration(signature):
    namespace = {}
    exec(f"def before_train_iter({signature}): pass", namespace)
    Bad = type("Bad", (HookBase,), {"before_train_iter": namespace["before_train_iter"]})
    with pytest.raises(HookValidationError, match=r"Bad\.before_train_iter.*no arguments"):
        HookTable("imix").register(Bad())


def test_level_set_in_init_like_imix_hooks_is_the_table_priority():
    from hookport.compat.imix.levels import PriorityStatus

    class High(HookBase):
        def __init__(self):
            super().__init__()
            self._level = PriorityStatus.HIGH

        def after_train_iter(self):
            pass

    table = HookTable("imix")
    table.register(Recorder([]))
    table.register(High())
    assert [type(h).__name__ for h in table.hooks] == ["High", "Recorder"]
    assert table.as_json("imix")["hooks"][0] == {"hook": "High", "priority": 20, "priority_name": "HIGH"}


def test_imix_import_paths_resolve_to_hookport_stand_ins():
    import importlib.util

    if importlib.util.find_spec("imix") is not None and not __import__("hookport.compat.shims").compat.shims.is_shimmed("imix"):
        pytest.skip("real iMIX installed")
    from imix.engine.hooks import HOOKS, HookBase as ImixHookBase, PriorityStatus
    from imix.engine.hooks.base_hook import HookBase as FromBaseHook
    from imix.engine.hooks.builder import HOOKS as FromBuilder, build_hook
    from imix.engine.hooks.periods import get_log_buffer  # noqa: F401

    from hookport.priority import PriorityStatus as Canonical
    from hookport.registry import IMIX_HOOKS

    assert ImixHookBase is FromBaseHook is HookBase
    assert HOOKS is FromBuilder is IMIX_HOOKS
    assert PriorityStatus is Canonical
    assert type(build_hook(dict(type="TextLoggerHook", text="hi"))).__name__ == "TextLoggerHook"


def test_imix_utils_stand_ins_used_by_imix_hooks():
    import subprocess
    import sys

    code = ("import sys\n"
            "from hookport.compat import shims; shims.install()\n"
            "import imix.utils.distributed_info as comm\n"
            "from imix.utils.distributed_info import master_only_run\n"
            "from imix.utils.registry import Registry, build_from_cfg\n"
            "from imix.utils.checkpoint import PeriodicCheckpointer\n"
            "assert 'torch' not in sys.modules\n"
            "assert comm.get_world_size() == 1 and comm.is_main_process()\n"
            "assert master_only_run(lambda: 3)() == 3\n"
            "comm.synchronize()\n"
            "R = Registry('thing'); R.register_module(module=dict)\n"
            "assert build_from_cfg(dict(type='dict', a=1), R) == {'a': 1}\n")
    subprocess.run([sys.executable, "-c", code], check=True)
