"""The ``imix`` dialect: iMIX configs, PriorityStatus levels, iMIX's default hooks and loop.

Detection (``detect.yaml``): keys only iMIX reads (``by_iter``, ``train_data``,
``test_data``, ``gradient_accumulation_steps``, ``is_lr_accumulation``,
``eval_iter_period``), a ``custom_hooks`` entry with ``level``, iMIX's
``checkpoint_config`` keys (``iter_period``...) or ``lr_config`` keys of iMIX's
policies (``use_warmup``, ``lr_steps``...). Configs are read with iMIX's base
rule (the first ``_base_`` that defines a key wins).
"""
from __future__ import annotations

import functools
import os
from typing import Any, Dict, List, Optional

from hookport.compat.imix.build import all_hooks, settings
from hookport.compat.imix.hook import IMIX_STAGES
from hookport.compat.imix.lr_policies import policy_class
from hookport.errors import ConfigError
from hookport.registry import apply_custom_imports
from hookport.runner.dialect import DIALECTS, Dialect
from hookport.runner.dispatch import HookTable
from hookport.tables import load_table


@functools.lru_cache(maxsize=None)
def _rules() -> Dict[str, Any]:
    return load_table(os.path.join(os.path.dirname(__file__), "detect.yaml"))


def _filename(cfg: Any) -> Optional[str]:
    name = getattr(cfg, "filename", None)
    return name if isinstance(name, str) else None


def _host_markers(cfg: dict) -> bool:
    """Whether ``cfg`` has top-level keys of a dialect that can host iMIX hooks (MMEngine, MMCV).

    Only the hosts' ``marker_keys`` are read: their ``markers()`` may consult iMIX's in turn.
    """
    for name in ("mmengine", "mmcv"):
        try:
            host = DIALECTS.get(name)
        except ConfigError:  # that dialect is not available
            continue
        if any(key in cfg for key in host.marker_keys):
            return True
    return False


def table_of(hooks: List[Any], table: Optional[HookTable] = None) -> HookTable:
    """A dispatch table (``table``, or a new one) holding ``hooks`` in exactly this (iMIX) order."""
    table = HookTable("imix", IMIX_STAGES) if table is None else table
    for hook in hooks:
        table.insert(len(table), hook, hook.level)
    return table


@DIALECTS.register
class ImixDialect(Dialect):
    """iMIX (``HookBase`` hooks, ``PriorityStatus`` levels 0-60, ``Organizer`` default hooks)."""

    name = "imix"
    scheme = "imix"
    stages = IMIX_STAGES
    base_rule = "imix"
    extends = ("mmcv",)  # lr_config, optimizer_config, checkpoint_config, log_config, total_epochs

    def markers(self, cfg: dict) -> List[str]:
        """The iMIX-only keys of ``cfg`` (dotted where nested).

        ``level`` in ``custom_hooks`` alone does not make a config iMIX's when it has keys of
        another dialect: that is an iMIX hook listed in an MMEngine or MMCV config (mixed use).
        """
        rules = _rules()
        found = [key for key in rules["keys"] if key in cfg]
        for section in ("checkpoint_config", "lr_config"):
            value = cfg.get(section)
            if isinstance(value, dict):
                found += [f"{section}.{k}" for k in rules[f"{section}_keys"] if k in value]
        hooks = cfg.get("custom_hooks") or []
        levels = []
        if isinstance(hooks, (list, tuple)):
            levels = [f"custom_hooks[{i}].level" for i, h in enumerate(hooks)
                      if isinstance(h, dict) and rules["custom_hook_key"] in h]
        if levels and not found and _host_markers(cfg):
            return []
        return found + levels

    def hook_table(self, cfg: dict, *, distributed: bool = False) -> HookTable:
        """All hooks of ``cfg`` in iMIX's order (main process: with logger and checkpoint hooks)."""
        where = _filename(cfg)
        apply_custom_imports(cfg)
        st = settings(cfg, where=where)
        if cfg.get("lr_config"):  # LRSchedulerHook is listed without its policy: check the name here
            policy_class(cfg["lr_config"], where)
        return table_of(all_hooks(cfg, st, where=where, main_process=not distributed))

    def register_hooks(self, runner, default_hooks: Optional[dict] = None,
                       custom_hooks: Optional[Any] = None) -> None:
        """Assemble iMIX training on ``runner`` (its model, work dir and rank) and register its hooks."""
        from hookport.compat.imix.runner import attach_engine

        attach_engine(runner)

    def build_runner(self, cfg: dict):
        """A canonical Runner whose ``train()`` runs iMIX's loop with iMIX's hooks and trainer view."""
        from hookport.compat.imix.runner import ImixRunner

        return ImixRunner.from_cfg(cfg, dialect=self)

    def schedule(self, cfg: dict, iters_per_epoch: int) -> Dict[str, Any]:
        """LR/momentum per iteration, as iMIX's LRSchedulerHook would leave them."""
        from hookport.compat.imix.schedule import simulate

        return simulate(cfg, iters_per_epoch, where=_filename(cfg))
