"""Build an optimizer wrapper from ``optim_wrapper=dict(type, optimizer, paramwise_cfg, ...)``.

:class:`DefaultOptimWrapperConstructor` follows MMEngine 0.10.7's parameter-wise
rules: every parameter gets its own group; ``custom_keys`` match a substring of
``'<module prefix>.<param name>'`` (longest key first, ties alphabetical) and set
``lr = base_lr * lr_mult`` / ``weight_decay = base_wd * decay_mult``; otherwise
``bias_lr_mult``, ``bias_decay_mult``, ``norm_decay_mult``, ``dwconv_decay_mult``
and ``flat_decay_mult`` apply.
"""
from __future__ import annotations

import copy
from typing import Any, List, Optional

from torch import nn

from hookport.errors import ConfigError
from hookport.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS

_NORM_TYPES = (nn.modules.batchnorm._BatchNorm, nn.modules.instancenorm._InstanceNorm, nn.GroupNorm, nn.LayerNorm)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class DefaultOptimWrapperConstructor:
    """Callable that turns a model into a configured optimizer wrapper.

    Args:
        optim_wrapper_cfg: ``dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=...), ...)``.
        paramwise_cfg: parameter-wise multipliers (see the module docstring).
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None):
        if not isinstance(optim_wrapper_cfg, dict):
            raise ConfigError(f"optim_wrapper must be a dict, got {type(optim_wrapper_cfg).__name__}")
        if "optimizer" not in optim_wrapper_cfg:
            raise ConfigError("optim_wrapper needs an 'optimizer' key")
        self.optim_wrapper_cfg = copy.deepcopy(optim_wrapper_cfg)
        self.optimizer_cfg = self.optim_wrapper_cfg.pop("optimizer")
        self.paramwise_cfg = paramwise_cfg or {}
        self.base_lr = self.optimizer_cfg.get("lr") if isinstance(self.optimizer_cfg, dict) else None
        self.base_wd = self.optimizer_cfg.get("weight_decay") if isinstance(self.optimizer_cfg, dict) else None
        custom = self.paramwise_cfg.get("custom_keys", {})
        if not isinstance(custom, dict):
            raise ConfigError(f"paramwise_cfg.custom_keys must be a dict, got {custom!r}")
        if custom and self.base_lr is None:
            raise ConfigError("paramwise_cfg.custom_keys needs the optimizer's base 'lr'")

    def __call__(self, model: nn.Module):
        """Build the optimizer over ``model``'s parameters and wrap it."""
        model = getattr(model, "module", model)  # parameters of the user's model, not the DDP wrapper
        optimizer_cfg = copy.deepcopy(self.optimizer_cfg)
        if self.paramwise_cfg:
            params: List[dict] = []
            self.add_params(params, model)
            optimizer_cfg["params"] = params
        else:
            optimizer_cfg["params"] = model.parameters()
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        wrapper_cfg = dict(self.optim_wrapper_cfg)
        wrapper_cfg.setdefault("type", "OptimWrapper")
        return OPTIM_WRAPPERS.build(wrapper_cfg, default_args={"optimizer": optimizer})

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = "") -> None:
        """Append one parameter group per parameter of ``module`` and its children."""
        cfg = self.paramwise_cfg
        custom_keys = cfg.get("custom_keys", {})
        # Longest key first; alphabetical among equal lengths, so the match is deterministic.
        sorted_keys = sorted(sorted(custom_keys), key=len, reverse=True)
        is_norm = isinstance(module, _NORM_TYPES)
        is_dwconv = isinstance(module, nn.Conv2d) and module.in_channels == module.groups
        for name, param in module.named_parameters(recurse=False):
            group: dict = {"params": [param]}
            params.append(group)
            if not param.requires_grad:
                continue
            key = next((k for k in sorted_keys if k in f"{prefix}.{name}"), None)
            if key is not None:
                rule = custom_keys[key]
                group["lr"] = self.base_lr * rule.get("lr_mult", 1.0)
                if self.base_wd is not None:
                    group["weight_decay"] = self.base_wd * rule.get("decay_mult", 1.0)
                continue
            if name == "bias" and not is_norm and cfg.get("bias_lr_mult") is not None:
                group["lr"] = self.base_lr * cfg["bias_lr_mult"]
            if self.base_wd is None:
                continue
            if is_norm and cfg.get("norm_decay_mult") is not None:
                group["weight_decay"] = self.base_wd * cfg["norm_decay_mult"]
            elif name == "bias" and cfg.get("bias_decay_mult") is not None:
                group["weight_decay"] = self.base_wd * cfg["bias_decay_mult"]
            elif is_dwconv and cfg.get("dwconv_decay_mult") is not None:
                group["weight_decay"] = self.base_wd * cfg["dwconv_decay_mult"]
            elif param.ndim == 1 and cfg.get("flat_decay_mult") is not None:
                group["weight_decay"] = self.base_wd * cfg["flat_decay_mult"]
        for child_name, child in module.named_children():
            self.add_params(params, child, f"{prefix}.{child_name}" if prefix else child_name)


def build_optim_wrapper(model: nn.Module, cfg: Any):
    """Build a wrapper from ``cfg`` (a wrapper instance is returned as is).

    A dict without ``optimizer``, ``constructor`` and ``type`` names several wrappers, as MMEngine
    reads it: its values must be built :class:`OptimWrapper` objects, which become an
    :class:`~hookport.optim.wrapper_dict.OptimWrapperDict` (several optimizers from configs need a
    constructor that builds them).
    """
    if not isinstance(cfg, dict):
        return cfg
    if not {"optimizer", "constructor", "type"} & set(cfg):
        return _wrapper_dict(cfg)
    cfg = copy.deepcopy(cfg)
    constructor_type = cfg.pop("constructor", "DefaultOptimWrapperConstructor")
    paramwise_cfg = cfg.pop("paramwise_cfg", None)
    constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
        {"type": constructor_type, "optim_wrapper_cfg": cfg, "paramwise_cfg": paramwise_cfg})
    return constructor(model)


def _wrapper_dict(cfg: dict):
    from hookport.optim.wrapper import OptimWrapper
    from hookport.optim.wrapper_dict import OptimWrapperDict

    for name, item in cfg.items():
        if not isinstance(item, OptimWrapper):
            raise ConfigError(f"optim_wrapper has no 'optimizer', 'type' or 'constructor', so each item must be a "
                              f"built OptimWrapper (several optimizers from a config need a constructor that "
                              f"builds them, as in MMEngine), but got {name}={item}")
    return OptimWrapperDict(**cfg)
