"""Behaviour: the original hook on its legacy dialect == the converted hook on the MMEngine dialect.

Each case takes a golden pair (``*.in.py`` / ``*.out.py``), loads the original into the MMCV
(or iMIX) dialect and the converted one into the MMEngine dialect of hookport's canonical
runner, trains the same toy problem (2 epochs x 2 iterations, a validation pass after
each epoch), and compares what was observed:

* a probe hook, registered LOWEST in each run, snapshots the hook's public state and the
  epoch / iteration counters after every mount point both systems have;
* the model and dataset record what the hook asked of them (``set_epoch``, EMA calls,
  pipeline switches), in order;
* the scalars the hook logged (MMCV ``log_buffer.update`` vs ``message_hub.update_scalar``).

The converted sources import ``mmengine.*``; here those names are served by hookport's own
equivalents (``hookport.hooks.Hook``, ``hookport.registry.HOOKS``...), which is what
"running on the MMEngine dialect" means for hookport.
"""
import re
import sys
import types
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from . import behaviour_toy  # noqa: E402
from .conftest import FIXTURES  # noqa: E402

EPOCH_STAGES = ("before_train_epoch", "after_train_epoch")
ITER_STAGES = ("before_train_iter", "after_train_iter")
VAL_STAGES = ("before_val_epoch", "after_val_iter", "after_val_epoch")
MMCV_PROBED = EPOCH_STAGES + ITER_STAGES + VAL_STAGES
IMIX_PROBED = ("before_train",) + EPOCH_STAGES + ITER_STAGES + ("after_train",)
WATCHED_SCALARS = ("memory_rss", "acc", "top5", "extra", "seen", "progress")

# Hooks whose conversion left no TODO on their run path (a TODO'd construct is not expected to run).
MMCV_CASES = [
    ("hooks/check_invalid_loss", "CheckInvalidLossHook", dict(interval=1)),
    ("hooks/memory_profiler", "MemoryProfilerHook", dict(interval=1)),
    ("hooks/set_epoch_info", "SetEpochInfoHook", {}),
    ("hooks/sync_norm", "SyncNormHook", dict(num_last_epochs=1, interval=2)),
    ("hooks/yolox_mode_switch", "YOLOXModeSwitchHook", dict(num_last_epochs=1)),
    ("hooks/progress_logger", "ProgressLoggerHook", dict(interval=3)),
    ("rules/hp203_split_generic", "Generic", {}),
    ("rules/hp104_model_wrapper", "Wrapper", {}),
    # module-level runner helpers (log_buffer.update, hook.every_n_iters, data_loader) called from the hook
    ("rules/hp310_runner_function", "FunctionUser", {}),
]


def _state(hook):
    """The hook's plain-valued attributes (what its methods changed)."""
    simple = (int, float, bool, str, type(None), tuple)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in sorted(vars(hook).items())
            if isinstance(v, simple + (list,)) and k not in ("trainer", "priority", "_level", "_priority")
            and all(isinstance(x, simple) for x in (v if isinstance(v, list) else ()))}


def _epoch(stage, epoch):
    # iMIX's trainer has an epoch only inside the epoch loop (imix.md §1.3): not compared outside it.
    return None if stage in ("before_train", "after_train") else epoch


class _Probe:
    """Snapshots the target hook after every shared mount point (runs last: LOWEST)."""

    def __init__(self, target_name, log):
        self.target_name, self.log, self.target = target_name, log, None

    def record(self, stage, runner):
        if self.target is None:
            self.target = next(h for h in runner.hooks if type(h).__name__ == self.target_name)
        self.log.append((stage, _epoch(stage, runner.epoch), runner.iter, _state(self.target),
                         len(behaviour_toy.EVENTS)))


def _mmcv_probe(target, log):
    from hookport.compat.mmcv.hook import Hook as MMCVHook

    class MMCVProbe(MMCVHook, _Probe):
        def __init__(self):
            _Probe.__init__(self, target, log)

    for stage in MMCV_PROBED:
        setattr(MMCVProbe, stage, lambda self, runner, _s=stage: self.record(_s, runner))
    return MMCVProbe()


def _imix_probe(target, log):
    """An iMIX-style probe class (argument-less events; the trainer view gives the counters)."""
    from hookport.compat.imix.hook import HookBase

    class ImixProbe(HookBase, _Probe):
        def __init__(self):
            HookBase.__init__(self)
            _Probe.__init__(self, target, log)

        def snapshot(self, stage):
            trainer = self.trainer
            if self.target is None:
                self.target = next(h for h in trainer._hooks if type(h).__name__ == self.target_name)
            self.log.append((stage, _epoch(stage, getattr(trainer, "epoch", None)), trainer.iter,
                             _state(self.target), len(behaviour_toy.EVENTS)))

    for stage in IMIX_PROBED:
        setattr(ImixProbe, stage, lambda self, _s=stage: self.snapshot(_s))
    return ImixProbe


def _mmengine_probe(target, log, stages=MMCV_PROBED):
    from hookport.hooks.hook import Hook

    class EngineProbe(Hook, _Probe):
        def __init__(self):
            _Probe.__init__(self, target, log)

    for stage in stages:
        setattr(EngineProbe, stage, lambda self, runner, *args, _s=stage, **kw: self.record(_s, runner))
    return EngineProbe()


def _load(source, name, hook, registry, tmp_path, monkeypatch):
    """Import ``source`` as module ``name`` (its classes are suffixed, so each run registers fresh names).

    Rule fixtures do not register their hook; it is registered here so the config can name it.
    """
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(name, None)
    module = __import__(name)
    monkeypatch.setitem(sys.modules, name, module)
    if hook not in registry._modules:
        registry.register_module()(getattr(module, hook))
    return module


def _suffixed(source, tag):
    for cls in re.findall(r"^class (\w+)", source, flags=re.M):
        source = re.sub(rf"\b{cls}\b", f"{cls}_{tag}", source)
    return source


@pytest.fixture
def mmengine_names(monkeypatch):
    """``mmengine.hooks`` & co. served by hookport's equivalents for the converted sources."""
    from torch.nn.parallel import DataParallel, DistributedDataParallel

    from hookport.hooks.hook import Hook
    from hookport.registry import HOOKS
    from hookport.runner.dist import get_dist_info

    modules = {
        "mmengine": {}, "mmengine.hooks": dict(Hook=Hook), "mmengine.registry": dict(HOOKS=HOOKS),
        "mmengine.dist": dict(get_dist_info=get_dist_info),
        "mmengine.model": dict(is_model_wrapper=lambda m: isinstance(m, (DataParallel, DistributedDataParallel))),
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        monkeypatch.setitem(sys.modules, name, module)


@pytest.fixture
def legacy_names():
    """``mmcv.*`` / ``imix.*`` served by hookport's stand-ins for the original sources."""
    from hookport.compat import shims

    shims.install()


@pytest.fixture
def registries():
    """Forget the suffixed hook classes a test registered (the registries are process-wide)."""
    from hookport.registry import HOOKS, IMIX_HOOKS, MMCV_HOOKS

    yield
    for reg in (HOOKS, MMCV_HOOKS, IMIX_HOOKS):
        for name in [n for n in reg._modules if n.endswith(("_orig", "_conv"))]:
            del reg._modules[name]


def _spy(obj, attr, record):
    original = getattr(obj, attr)

    def spy(*args, **kwargs):
        record(*args, **kwargs)
        return original(*args, **kwargs)
    setattr(obj, attr, spy)


def _train_mmcv(module_name, hook_type, args, tmp_path):
    from hookport.compat import shims
    from hookport.runner.dialect import DIALECTS

    shims.install()
    toy = "tests.codemod.behaviour_toy"
    data = dict(type=f"{toy}.Pairs")
    cfg = dict(
        model=dict(type=f"{toy}.LegacyToy"),
        data=dict(samples_per_gpu=4, workers_per_gpu=0, train=data, val=dict(data, n=4, seed=1),
                  train_dataloader=dict(shuffle=False)),
        optimizer=dict(type="SGD", lr=0.1), optimizer_config=dict(), runner=dict(type="EpochBasedRunner", max_epochs=2),
        log_config=dict(interval=1, hooks=[]), workflow=[("train", 1), ("val", 1)], seed=0, log_level="ERROR",
        custom_imports=dict(imports=[module_name]), custom_hooks=[dict(type=hook_type, **args)],
        work_dir=str(tmp_path / "run"))
    session = DIALECTS.get("mmcv").build_runner(cfg)
    runner = session.runner
    log, scalars = [], []
    runner.register_hook(_mmcv_probe(hook_type, log), "LOWEST")

    def on_update(values, count=1):
        scalars.extend((f"{runner.mode}/{k}", count) for k in values if k in WATCHED_SCALARS)
    _spy(runner.log_buffer, "update", on_update)
    session.train()
    session.close()
    return log, scalars


def _train_mmengine(module_name, hook_type, args, tmp_path, stages=MMCV_PROBED):
    import importlib

    from hookport.runner.runner import Runner

    importlib.import_module(module_name)
    toy = "tests.codemod.behaviour_toy"
    loader = dict(dataset=dict(type=f"{toy}.Pairs"), sampler=dict(type="DefaultSampler", shuffle=False),
                  batch_size=4, num_workers=0)
    cfg = dict(
        model=dict(type=f"{toy}.EngineToy"), work_dir=str(tmp_path / "run"), train_dataloader=loader,
        val_dataloader=dict(loader, dataset=dict(type=f"{toy}.Pairs", n=4, seed=1)),
        val_evaluator=dict(type="Accuracy"), train_cfg=dict(by_epoch=True, max_epochs=2, val_interval=1),
        val_cfg=dict(), optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1)),
        default_hooks=dict(checkpoint=None, logger=dict(type="LoggerHook", interval=1)),
        custom_hooks=[dict(type=hook_type, **args)], randomness=dict(seed=0), log_level="ERROR")
    log, scalars = [], []
    if stages is IMIX_PROBED:  # iMIX has no validation hooks: train only
        for key in ("val_dataloader", "val_evaluator", "val_cfg"):
            cfg.pop(key)
        cfg["train_cfg"] = dict(by_epoch=True, max_epochs=2)
    runner = Runner.from_cfg(cfg)
    runner.register_hook(_mmengine_probe(hook_type, log, stages), "LOWEST")

    def on_update(key, value, count=1, **kwargs):
        if key.split("/")[-1] in WATCHED_SCALARS:
            scalars.append((key, count))
    _spy(runner.message_hub, "update_scalar", on_update)
    runner.train()
    runner.close()
    return log, scalars


@pytest.mark.parametrize("fixture,hook,args", MMCV_CASES, ids=[c[0] for c in MMCV_CASES])
def test_mmcv_hook_and_its_conversion_behave_alike(fixture, hook, args, tmp_path, monkeypatch, legacy_names,
                                                   mmengine_names, registries):
    stem = Path(fixture).name
    original = _suffixed((FIXTURES / f"{fixture}.in.py").read_text(), "orig")
    converted = _suffixed((FIXTURES / f"{fixture}.out.py").read_text(), "conv")
    from hookport.registry import HOOKS, MMCV_HOOKS

    _load(original, f"cm_orig_{stem}", f"{hook}_orig", MMCV_HOOKS, tmp_path, monkeypatch)
    behaviour_toy.EVENTS.clear()
    legacy_log, legacy_scalars = _train_mmcv(f"cm_orig_{stem}", f"{hook}_orig", args, tmp_path)
    legacy_events = list(behaviour_toy.EVENTS)

    _load(converted, f"cm_conv_{stem}", f"{hook}_conv", HOOKS, tmp_path, monkeypatch)
    behaviour_toy.EVENTS.clear()
    engine_log, engine_scalars = _train_mmengine(f"cm_conv_{stem}", f"{hook}_conv", args, tmp_path)

    # every shared mount point was probed: per epoch 2 epoch + 2x2 iteration + 3 validation calls
    assert len(legacy_log) == 2 * (2 + 4 + 3)
    assert engine_log == legacy_log
    assert behaviour_toy.EVENTS == legacy_events
    assert engine_scalars == legacy_scalars


def _train_imix(module_name, hook_type, args, level, tmp_path):
    from hookport.registry import IMIX_HOOKS
    from hookport.runner.dialect import DIALECTS, detect_dialect

    log = []
    IMIX_HOOKS.register_module(name="CodemodProbe_orig")(_imix_probe(hook_type, log))
    toy = "tests.codemod.behaviour_toy"
    custom = dict(type=hook_type, **args)
    if level is not None:
        custom["level"] = level
    cfg = dict(
        model=dict(type=f"{toy}.EngineToy"), optimizer=dict(type="SGD", lr=0.1), optimizer_config=dict(grad_clip=None),
        train_data=dict(samples_per_gpu=4, workers_per_gpu=0, data=dict(type=f"{toy}.Pairs")), total_epochs=2,
        log_config=dict(period=1), seed=0, work_dir=str(tmp_path / "run"), custom_imports=dict(imports=[module_name]),
        custom_hooks=[custom, dict(type="CodemodProbe_orig", level=60)])
    assert detect_dialect(cfg).name == "imix"
    runner = DIALECTS.get("imix").build_runner(cfg)
    runner.train()
    runner.close()
    return log


# iMIX hooks (level given in the config, as iMIX's custom_hooks do); relative imports made absolute.
IMIX_CASES = [
    ("hooks/imix_text_logger", "TextLoggerHook", dict(text="hi"), None),
    ("hooks/imix_ema", "EMAIterHook", {}, 30),
    ("hooks/imix_ema", "EMAEpochHook", {}, 40),
    ("rules/hp107_imix_relative", "Counter", {}, None),
    ("rules/hp356_imix_helper", "Recorder", {}, None),
]


@pytest.mark.parametrize("fixture,hook,args,level", IMIX_CASES, ids=[f"{c[0]}:{c[1]}" for c in IMIX_CASES])
def test_imix_hook_and_its_conversion_behave_alike(fixture, hook, args, level, tmp_path, monkeypatch, legacy_names,
                                                   mmengine_names, registries):
    from hookport.registry import HOOKS, IMIX_HOOKS

    stem = Path(fixture).name
    original = re.sub(r"from \.+(base_hook|builder) import", "from imix.engine.hooks import",
                      (FIXTURES / f"{fixture}.in.py").read_text())
    _load(_suffixed(original, "orig"), f"cm_orig_{stem}", f"{hook}_orig", IMIX_HOOKS, tmp_path, monkeypatch)
    behaviour_toy.EVENTS.clear()
    imix_log = _train_imix(f"cm_orig_{stem}", f"{hook}_orig", args, level, tmp_path)
    imix_events = list(behaviour_toy.EVENTS)

    converted = _suffixed((FIXTURES / f"{fixture}.out.py").read_text(), "conv")
    _load(converted, f"cm_conv_{stem}", f"{hook}_conv", HOOKS, tmp_path, monkeypatch)
    behaviour_toy.EVENTS.clear()
    engine_log, _ = _train_mmengine(f"cm_conv_{stem}", f"{hook}_conv", args, tmp_path, IMIX_PROBED)

    assert len(imix_log) == 1 + 2 * (2 + 4) + 1
    assert engine_log == imix_log
    assert behaviour_toy.EVENTS == imix_events
