"""The ``mmcv`` dialect: MMCV 1.x configs (and MMDetection 2.x-era codebases) on hookport.

Detection: a config is MMCV's when it has a legacy runtime key (``runner``, ``total_epochs``,
``workflow``, ``checkpoint_config``, ``log_config``, ``lr_config``, ``momentum_config``,
``optimizer_config``, ``evaluation``, ``data`` with ``samples_per_gpu``); keys iMIX alone uses
take precedence (iMIX configs share several of these names). A config that also has MMEngine
keys is rejected by :func:`hookport.runner.dialect.detect_dialect` with both key lists.
"""
from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, List

from hookport.compat.mmcv.defaults import default_hooks
from hookport.compat.mmcv.hook import MMCV_STAGES
from hookport.errors import HookportError
from hookport.registry import apply_custom_imports
from hookport.runner.dialect import DIALECTS, Dialect
from hookport.runner.dispatch import HookTable

MARKER_KEYS = ("runner", "total_epochs", "workflow", "checkpoint_config", "log_config", "lr_config",
               "momentum_config", "optimizer_config", "evaluation")


def prepare(cfg: Any) -> None:
    """Make ``mmcv.*`` importable (stand-ins when absent) and honour ``custom_imports``."""
    from hookport.compat import shims

    shims.install()
    apply_custom_imports(cfg)


@contextlib.contextmanager
def located(cfg: Any) -> Iterator[None]:
    """Name the config file in any HookportError raised inside (when it does not name one yet)."""
    try:
        yield
    except HookportError as err:
        filename = getattr(cfg, "filename", None)
        raise err.located(file=filename if isinstance(filename, str) else None)


def table_of(specs) -> HookTable:
    """A dispatch table with ``[(hook, priority)]`` registered in order (stable among equals)."""
    table = HookTable("mmcv", MMCV_STAGES)
    for hook, priority in specs:
        table.register(hook, priority)
    return table


@DIALECTS.register
class MMCVDialect(Dialect):
    """MMCV 1.7.2 (``(self, runner)`` hooks, MMCV priorities, EpochBased/IterBasedRunner)."""

    name = "mmcv"
    scheme = "mmcv"
    stages = MMCV_STAGES
    marker_keys = MARKER_KEYS
    # What `hookport convert` keeps with a TODO: a ('val', k) workflow, an evaluation it cannot place.
    leftover_keys = ("workflow", "evaluation")

    def markers(self, cfg: dict) -> List[str]:
        """The legacy MMCV keys of ``cfg`` (none when the config is iMIX's)."""
        found = [key for key in MARKER_KEYS if key in cfg]
        data = cfg.get("data")
        if isinstance(data, dict) and "samples_per_gpu" in data:
            found.append("data.samples_per_gpu")
        if found and DIALECTS.get("imix").markers(cfg):
            return []  # iMIX-only keys decide; lr_config & co. are shared names
        return found

    def hook_table(self, cfg: dict, *, distributed: bool = False) -> HookTable:
        """Every hook ``cfg`` implies, without building model or datasets (EvalHook has no loader)."""
        with located(cfg):
            prepare(cfg)
            return table_of(default_hooks(cfg, distributed=distributed))

    def schedule(self, cfg: dict, iters_per_epoch: int) -> Dict[str, Any]:
        """LR/momentum per iteration as MMCV 1.7.2 applies them (pure Python)."""
        from hookport.compat.mmcv.simulate import simulate_mmcv

        with located(cfg):
            prepare(cfg)
            return simulate_mmcv(cfg, iters_per_epoch)

    def build_runner(self, cfg: dict):
        """An MMCV-semantics runner (EpochBasedRunner/IterBasedRunner) for ``cfg``."""
        from hookport.compat.mmcv.build import build_runner

        return build_runner(cfg)
