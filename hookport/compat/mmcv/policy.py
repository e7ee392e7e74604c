"""``lr_config`` / ``momentum_config`` -> updater hook, with MMCV's policy-name resolution.

MMCV pops ``policy``; an all-lower-case name is ``.title()``-cased (``'step'`` -> ``Step``,
``'cyclic'`` -> ``Cyclic``), any other name is kept as written, and ``LrUpdaterHook`` /
``MomentumUpdaterHook`` is appended. So ``'CosineAnnealing'`` works and ``'cosineannealing'``
(-> ``Cosineannealing...``) does not; hookport says so instead of a bare KeyError. The caller's
dict is never mutated (MMCV's is).
"""
from __future__ import annotations

from typing import Any

from hookport.errors import ConfigError, RegistryError
from hookport.registry import MMCV_HOOKS

SUFFIX = {"lr_config": "LrUpdaterHook", "momentum_config": "MomentumUpdaterHook"}


def hook_type(policy: str, suffix: str) -> str:
    """The hook class name MMCV derives from ``policy``."""
    return (policy.title() if policy == policy.lower() else policy) + suffix


def build_updater(config: Any, key: str) -> Any:
    """Build the updater hook for ``config`` (the value of ``key``: 'lr_config' or 'momentum_config').

    Returns None for None; a hook object is returned as is.
    """
    if config is None or not isinstance(config, dict):
        return config
    if "policy" not in config:
        raise ConfigError(f"{key} needs a 'policy' key (e.g. policy='step'), got keys {sorted(config)}")
    args = dict(config)
    policy = args.pop("policy")
    if not isinstance(policy, str):
        raise ConfigError(f"{key}: policy must be a string, got {policy!r}")
    suffix = SUFFIX[key]
    name = hook_type(policy, suffix)
    try:
        cls = MMCV_HOOKS.get(name)
    except RegistryError:
        raise ConfigError(_unknown_policy(key, policy, name, suffix)) from None
    try:
        return cls(**args)
    except TypeError as err:
        raise ConfigError(f"{key}: cannot build {name}: {err}") from None


def _unknown_policy(key: str, policy: str, name: str, suffix: str) -> str:
    known = sorted(n[: -len(suffix)] for n in MMCV_HOOKS.names() if n.endswith(suffix) and n != suffix)
    close = [k for k in known if k.lower() == policy.lower()]
    if close:
        return (f"{key}: policy {policy!r} resolves to {name}, which MMCV does not have: an all-lower-case policy "
                f"is title-cased; write policy={close[0]!r}")
    return f"{key}: unknown policy {policy!r} (no {name}); known policies: {', '.join(known)}"
