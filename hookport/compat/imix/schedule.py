"""``hookport schedule`` for iMIX configs: the LR/momentum of every iteration, without torch.

iMIX steps its LR policy after every iteration (every ``gradient_accumulation_steps``
iterations when ``is_lr_accumulation``), in both training modes, so iteration
``i`` trains with the LR left by ``i`` preceding steps. The optimizer is simulated
by its param-group dicts; iMIX's policies never change momentum (``momentum`` or
``betas[0]`` of the optimizer config, constant).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from hookport.compat.imix.build import settings
from hookport.compat.imix.lr_policies import ConstantSchedule, build_policy
from hookport.errors import ConfigError
from hookport.optim.simulate import check_hyperparameters


class _SimOptimizer:
    """Just ``param_groups`` and ``defaults``: what the LR policies touch."""

    def __init__(self, groups: List[Dict[str, Any]]):
        self.param_groups = groups
        self.defaults = dict(groups[0])


def _groups(cfg: Any, where: Optional[str]) -> List[Dict[str, Any]]:
    optimizer = cfg.get("optimizer")
    if not isinstance(optimizer, dict) or "lr" not in optimizer:
        raise ConfigError("optimizer=dict(type=..., lr=...) is required", file=where)
    check_hyperparameters(optimizer, "optimizer")
    momentum = optimizer.get("momentum")
    if momentum is None and optimizer.get("betas") is not None:
        momentum = optimizer["betas"][0]
    return [{"lr": float(optimizer["lr"]), "momentum": momentum}]


def simulate(cfg: Any, iters_per_epoch: Optional[int] = None, where: Optional[str] = None) -> Dict[str, Any]:
    """``{"iters_per_epoch", "lr": [[lr per group] per iter], "momentum": [...]}`` for ``cfg``."""
    if "by_iter" not in cfg and not iters_per_epoch:
        raise ConfigError("this iMIX config trains by epoch: give --iters-per-epoch N", file=where)
    st = settings(cfg, iters_per_epoch, where)
    total = st.max_epoch * iters_per_epoch if st.by_epoch else st.max_iter
    optimizer = _SimOptimizer(_groups(cfg, where))
    lr_config = cfg.get("lr_config")
    policy = build_policy(lr_config, optimizer, where) if lr_config else ConstantSchedule(optimizer)
    lrs, momenta = [], []
    for it in range(total):
        lrs.append([g["lr"] for g in optimizer.param_groups])
        momenta.append([g["momentum"] for g in optimizer.param_groups])
        if not st.is_lr_accumulation or (it + 1) % st.gradient_accumulation_steps == 0:
            policy.step()
    return {"iters_per_epoch": iters_per_epoch, "lr": lrs, "momentum": momenta}
