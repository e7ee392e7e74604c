"""``mmcv.*`` stand-ins: what legacy hook files import resolves to hookport's MMCV compat layer."""
import subprocess
import sys

import pytest

from hookport.compat import shims


@pytest.fixture(autouse=True)
def stand_ins():
    served = shims.install()
    if not served["mmcv"]:
        pytest.skip("a real mmcv is installed")


def test_runner_names_resolve_to_compat_classes():
    from mmcv.runner import (HOOKS, CheckpointHook, EpochBasedRunner, Hook, LrUpdaterHook, OptimizerHook,
                             StepLrUpdaterHook, get_dist_info, get_priority, master_only)
    from mmcv.runner.hooks import HOOKS as HOOKS2
    from mmcv.runner.hooks.lr_updater import annealing_cos, format_param

    from hookport.compat.mmcv import hook, lr_updater
    from hookport.registry import MMCV_HOOKS

    assert HOOKS is HOOKS2 is MMCV_HOOKS
    assert Hook is hook.Hook and StepLrUpdaterHook is lr_updater.StepLrUpdaterHook
    assert issubclass(StepLrUpdaterHook, LrUpdaterHook) and HOOKS.get("OptimizerHook") is OptimizerHook
    assert HOOKS.get("CheckpointHook") is CheckpointHook and EpochBasedRunner.__name__ == "EpochBasedRunner"
    assert get_dist_info() == (0, 1) and master_only(lambda: 7)() == 7
    assert get_priority("very_high") == 10 and get_priority(45) == 45
    assert annealing_cos(1.0, 0.0, 0.5) == pytest.approx(0.5)

    class Opt:
        param_groups = [{}, {}]

    assert format_param("SGD", Opt, 0.1) == [0.1, 0.1]


def test_importing_runner_stand_in_needs_no_torch():
    code = ("from hookport.compat import shims; shims.install();"
            "import mmcv.runner, mmcv.utils, mmcv.parallel, sys; assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_torch_names_load_lazily():
    import torch

    from mmcv.parallel import MMDataParallel, is_module_wrapper
    from mmcv.runner import BaseModule, load_checkpoint, save_checkpoint

    module = BaseModule()
    assert isinstance(module, torch.nn.Module) and module.init_cfg is None
    wrapped = MMDataParallel(torch.nn.Linear(2, 2))
    assert is_module_wrapper(wrapped) and not is_module_wrapper(torch.nn.Linear(2, 2))
    assert callable(load_checkpoint) and callable(save_checkpoint)


def test_auto_fp16_follows_fp16_enabled():
    import torch

    from mmcv.runner import auto_fp16, wrap_fp16_model

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fp16_enabled = False
            self.fc = torch.nn.Linear(2, 2)

        @auto_fp16()
        def forward(self, x):
            return self.fc(x)

    net = Net()
    assert net(torch.ones(1, 2)).dtype == torch.float32
    wrap_fp16_model(net)
    assert net.fp16_enabled and net(torch.ones(1, 2)).dtype == torch.bfloat16  # CPU autocast


def test_utils_registry_and_checks():
    from mmcv.utils import Registry, build_from_cfg, is_list_of, is_method_overridden

    from hookport.compat.mmcv.hook import Hook

    things = Registry("thing")

    @things.register_module()
    class Thing:
        def __init__(self, x=1):
            self.x = x

    assert build_from_cfg(dict(type="Thing", x=3), things).x == 3
    assert is_list_of([1, 2], int) and not is_list_of((1, 2), int)

    class H(Hook):
        def before_run(self, runner):
            pass

    assert is_method_overridden("before_run", Hook, H) and not is_method_overridden("after_run", Hook, H())
