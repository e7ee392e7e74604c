"""Dialects: how a config of one hook system is read (see DESIGN.md, "The canonical runner").

A :class:`Dialect` decides the priority scheme, the default hooks built from the
config's keys, and the train-step protocol; everything else is the shared
runner. Dialects live in their own modules and register in :data:`DIALECTS`;
the table imports its known modules on first use so ``import hookport`` stays
cheap and a dialect's module is only loaded when it is asked for.
"""
from __future__ import annotations

import importlib
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type

from hookport.errors import ConfigError
from hookport.hooks.hook import STAGES


class Dialect:
    """One hook system's reading of a config.

    Attributes:
        name: ``'mmengine'``, ``'mmcv'`` or ``'imix'``.
        scheme: the priority scheme (see :mod:`hookport.priority`).
        stages: the mount points ``hookport hooks`` shows for this dialect.
        marker_keys: top-level config keys that only this dialect uses.
        extends: dialects whose config format this one extends (iMIX configs use MMCV's keys plus
            their own): when both are detected, this one is the config's dialect.
        leftover_keys: marker keys that ``hookport convert`` may leave in an otherwise converted
            config with a TODO (MMEngine has nothing they could become, and MMEngine ignores them):
            next to another dialect's keys they do not make the config a mix.
    """

    name: str = ""
    scheme: str = "mmengine"
    stages: Tuple[str, ...] = STAGES
    marker_keys: Tuple[str, ...] = ()
    extends: Tuple[str, ...] = ()
    leftover_keys: Tuple[str, ...] = ()

    def markers(self, cfg: dict) -> List[str]:
        """The keys of ``cfg`` that mark it as this dialect."""
        return [key for key in self.marker_keys if key in cfg]

    def detect(self, cfg: dict) -> bool:
        """Whether ``cfg`` looks like this dialect."""
        return bool(self.markers(cfg))

    def hook_table(self, cfg: dict, *, distributed: bool = False):
        """Every hook (defaults + custom) built from ``cfg``, without building model or data."""
        raise NotImplementedError

    def register_hooks(self, runner, default_hooks: Optional[dict] = None,
                       custom_hooks: Optional[Sequence[Any]] = None) -> None:
        """Register this dialect's default and custom hooks on ``runner`` (``runner.cfg`` holds the config)."""
        raise NotImplementedError

    def build_runner(self, cfg: dict):
        """A canonical :class:`~hookport.runner.runner.Runner` configured for this dialect."""
        raise NotImplementedError

    def schedule(self, cfg: dict, iters_per_epoch: int) -> Dict[str, List[List[float]]]:
        """``dict(lr=[[per group] per iter], momentum=[...])`` without training (pure Python)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Dialect {self.name}>"


class DialectTable:
    """Name -> dialect class, filled by ``register`` and by importing the known modules."""

    def __init__(self, modules: Dict[str, str]):
        self._modules = dict(modules)
        self._classes: Dict[str, Type[Dialect]] = {}

    def register(self, cls: Type[Dialect]) -> Type[Dialect]:
        """Class decorator: register ``cls`` under ``cls.name``."""
        if not cls.name:
            raise ValueError(f"{cls.__name__} has no name")
        self._classes[cls.name] = cls
        return cls

    def _load(self, name: str) -> None:
        module = self._modules.get(name)
        if module is not None and name not in self._classes:
            importlib.import_module(module)

    def names(self) -> List[str]:
        """Every known dialect name."""
        return sorted(set(self._modules) | set(self._classes))

    def get(self, name: str) -> Dialect:
        """A new instance of the dialect called ``name``."""
        if name not in self._modules and name not in self._classes:
            raise ConfigError(f"unknown dialect {name!r}; expected one of {', '.join(self.names())}")
        self._load(name)
        if name not in self._classes:
            raise ConfigError(f"dialect {name!r} is not available (module {self._modules[name]} "
                              f"did not register it)")
        return self._classes[name]()

    def available(self) -> List[Dialect]:
        """Instances of every dialect whose module can be imported, in name order."""
        found = []
        for name in self.names():
            try:
                found.append(self.get(name))
            except ModuleNotFoundError as err:
                # A dialect whose own module is missing is not installed; any other import error is real.
                if err.name and self._modules.get(name, "").startswith(err.name):
                    continue
                raise
        return found


DIALECTS = DialectTable({
    "mmengine": "hookport.runner.dialect_mmengine",
    "mmcv": "hookport.compat.mmcv.dialect",
    "imix": "hookport.compat.imix.dialect",
})


def detect_dialect(cfg: dict, override: Optional[str] = None, *, file: Optional[str] = None) -> Dialect:
    """Pick the dialect of ``cfg``: ``override`` when given (and not ``'auto'``), else by its keys.

    A config with keys of several dialects (say MMCV's ``lr_config`` next to MMEngine's
    ``param_scheduler``) is an error naming the keys; a config with none is MMEngine's.
    """
    if override and override != "auto":
        return DIALECTS.get(override)
    hits = [(d, d.markers(cfg)) for d in DIALECTS.available()]
    hits = [(d, keys) for d, keys in hits if keys]
    extended = {name for d, _ in hits for name in d.extends}
    hits = [(d, keys) for d, keys in hits if d.name not in extended]
    if not hits:
        return DIALECTS.get("mmengine")
    if len(hits) > 1:
        # A converted config that kept, say, `workflow` with a TODO is still that other dialect's.
        decisive = [(d, keys) for d, keys in hits if not set(keys) <= set(d.leftover_keys)]
        if len(decisive) == 1:
            ignored = ", ".join(key for d, keys in hits if (d, keys) not in decisive for key in keys)
            warnings.warn(f"{file or 'config'}: {ignored} ignored (no {decisive[0][0].name} meaning; "
                          f"left by a conversion?)", UserWarning, stacklevel=2)
            hits = decisive
    if len(hits) > 1:
        described = "; ".join(f"{d.name}: {', '.join(keys)}" for d, keys in hits)
        raise ConfigError(f"config mixes keys of several dialects ({described}); "
                          f"convert it fully or pass --dialect", file=file)
    return hits[0][0]


def load_dialect_config(path: str, cfg_options: Optional[Sequence[str]] = None,
                        override: Optional[str] = None) -> Tuple[Any, Dialect]:
    """Load a config file for ``run``/``hooks``/``schedule`` and pick its dialect.

    ``--cfg-options`` are applied before detection. An iMIX config is read again with
    iMIX's ``_base_`` rule (sibling bases: first wins).
    """
    from hookport.compat import shims
    from hookport.config import load_config

    # Legacy hook modules named by custom_imports may import mmcv.* / imix.* stand-ins.
    shims.install()
    try:
        cfg = load_config(path, cfg_options=cfg_options)
    except ConfigError as err:
        # iMIX configs may define a key in several sibling bases (the first wins there), which
        # MMCV's rule rejects: read with iMIX's rule, and keep the error unless it is iMIX.
        cfg = load_config(path, base_rule="imix", cfg_options=cfg_options)
        dialect = detect_dialect(cfg, override, file=str(path))
        if dialect.name != "imix":
            raise err
        return cfg, dialect
    dialect = detect_dialect(cfg, override, file=str(path))
    if dialect.name == "imix":
        cfg = load_config(path, base_rule="imix", cfg_options=cfg_options)
    return cfg, dialect
