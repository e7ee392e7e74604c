"""The MMEngine dialect: ``default_hooks`` / ``custom_hooks``, MMEngine priorities.

Default hooks are assembled as MMEngine 0.10.7's Runner does: the six defaults
below in this order; a ``default_hooks`` entry with a known key replaces that
default (its ``priority`` key, if any, overrides the class priority), ``None``
removes it, an unknown key is appended after the defaults. ``custom_hooks`` follow
in list order. Each hook is then inserted after every hook of equal or higher
priority, so ties keep registration order.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from hookport.errors import ConfigError, HookportError
from hookport.registry import HOOKS, apply_custom_imports
from hookport.runner.dialect import DIALECTS, Dialect
from hookport.runner.dispatch import HookTable

# (key, config) of MMEngine's default hooks, in registration order; priorities are the classes'.
DEFAULT_HOOKS: Tuple[Tuple[str, Dict[str, Any]], ...] = (
    ("runtime_info", {"type": "RuntimeInfoHook"}),
    ("timer", {"type": "IterTimerHook"}),
    ("sampler_seed", {"type": "DistSamplerSeedHook"}),
    ("logger", {"type": "LoggerHook"}),
    ("param_scheduler", {"type": "ParamSchedulerHook"}),
    ("checkpoint", {"type": "CheckpointHook", "interval": 1}),
)


def assemble_hooks(default_hooks: Optional[dict] = None, custom_hooks: Optional[Sequence[Any]] = None) -> List[Any]:
    """The hook specs (configs or instances) to register, in registration order."""
    return [spec for _, spec in assemble_named_hooks(default_hooks, custom_hooks)]


def assemble_named_hooks(default_hooks: Optional[dict] = None,
                         custom_hooks: Optional[Sequence[Any]] = None) -> List[Tuple[str, Any]]:
    """``(where, spec)`` in registration order; ``where`` names the entry (``default_hooks.logger``,
    ``custom_hooks[0]``) for error messages."""
    merged: Dict[str, Any] = {key: copy.deepcopy(spec) for key, spec in DEFAULT_HOOKS}
    if default_hooks is not None:
        if not isinstance(default_hooks, dict):
            raise ConfigError(f"default_hooks must be a dict, got {type(default_hooks).__name__}")
        for key, spec in default_hooks.items():
            if spec is None:
                if key not in merged:
                    raise ConfigError(f"default_hooks.{key} is None but there is no default hook {key!r} "
                                      f"to remove (defaults: {', '.join(k for k, _ in DEFAULT_HOOKS)})")
                del merged[key]
            else:
                merged[key] = spec
    if custom_hooks is not None and not isinstance(custom_hooks, (list, tuple)):
        raise ConfigError(f"custom_hooks must be a list, got {type(custom_hooks).__name__}")
    return ([(f"default_hooks.{key}", spec) for key, spec in merged.items()] +
            [(f"custom_hooks[{i}]", spec) for i, spec in enumerate(custom_hooks or ())])


@contextlib.contextmanager
def _entry_errors(where: str) -> Iterator[None]:
    """Prefix a HookportError raised while building or registering one hook with the entry it came from."""
    try:
        yield
    except HookportError as err:
        err.message = f"{where}: {err.message}"  # same error (class, location), clearer subject
        err.args = (err.message,)
        raise


def build_hook(spec: Any, scheme: str = "mmengine", registry: Any = None) -> Tuple[Any, Any]:
    """``(hook, priority or None)`` from a hook config dict or a hook instance.

    A config's ``priority`` key is not a constructor argument: it is returned instead.
    A hook written for another system may place itself: its class lists the config keys
    that place it (``placement_keys``, e.g. iMIX's ``level``) and, when no ``priority`` is
    given, ``hook.host_priority(scheme, **those keys)`` gives its priority in ``scheme``.
    ``registry`` is where types are looked up (default: ``HOOKS``; MMCV uses ``MMCV_HOOKS``).
    """
    registry = HOOKS if registry is None else registry
    placement: Dict[str, Any] = {}
    if isinstance(spec, dict):
        cfg = dict(spec)
        priority = cfg.pop("priority", None)
        keys = getattr(registry.get(cfg["type"]), "placement_keys", ()) if "type" in cfg else ()
        placement = {key: cfg.pop(key) for key in keys if key in cfg}
        hook = registry.build(cfg)
    elif callable(getattr(spec, "bound", None)):
        hook, priority = spec, None
    else:
        raise ConfigError(f"a hook must be a dict(type=...) or a Hook instance, got {spec!r}")
    if priority is None and callable(getattr(hook, "host_priority", None)):
        priority = hook.host_priority(scheme, **placement)
    return hook, priority


@DIALECTS.register
class MMEngineDialect(Dialect):
    """MMEngine 0.10.7 configs (the canonical dialect)."""

    name = "mmengine"
    scheme = "mmengine"
    marker_keys = ("default_hooks", "param_scheduler", "optim_wrapper", "train_cfg", "val_cfg", "test_cfg",
                   "train_dataloader", "val_dataloader", "test_dataloader", "val_evaluator", "test_evaluator",
                   "log_processor", "visualizer")

    def hook_table(self, cfg: dict, *, distributed: bool = False) -> HookTable:
        """All hooks of ``cfg`` in dispatch order (MMEngine adds no hook for distributed runs)."""
        apply_custom_imports(cfg)
        table = HookTable(self.scheme, self.stages)
        for where, spec in assemble_named_hooks(cfg.get("default_hooks"), cfg.get("custom_hooks")):
            with _entry_errors(where):
                hook, priority = build_hook(spec, self.scheme)
                table.register(hook, priority)
        return table

    def register_hooks(self, runner, default_hooks: Optional[dict] = None,
                       custom_hooks: Optional[Sequence[Any]] = None) -> None:
        """Register the assembled hooks on ``runner``."""
        for where, spec in assemble_named_hooks(default_hooks, custom_hooks):
            with _entry_errors(where):
                runner.register_hook(spec)

    def build_runner(self, cfg: dict):
        """``Runner.from_cfg(cfg)``."""
        from hookport.runner.runner import Runner

        return Runner.from_cfg(cfg, dialect=self)

    def schedule(self, cfg: dict, iters_per_epoch: int) -> Dict[str, Any]:
        """LR/momentum per iteration, as MMEngine's ParamSchedulerHook would produce them."""
        from hookport.optim.simulate import simulate_mmengine

        return simulate_mmengine(cfg, iters_per_epoch)
