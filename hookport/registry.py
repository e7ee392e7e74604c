"""Registries and building objects from ``dict(type=..., **kwargs)`` configs.

A ``type`` may be a registered name, a class (or any callable), or a dotted
import path such as ``'my_project.hooks.MyHook'``. Registries form a tree:
a dialect (``mmcv``, ``imix``) keeps its own child registry so that, say,
MMCV's ``OptimizerHook`` and iMIX's ``OptimizerHook`` do not collide. A lookup
tries the registry itself, then its parents, then -- if the name is unique
there -- its children, so a hook registered through the ``mmcv.runner.HOOKS``
stand-in is found from an MMEngine config too. ``'scope.Name'`` picks a child
explicitly.

Built-in classes register themselves when their module is imported; each
registry knows the modules that hold its built-ins (``locations``) and imports
them on the first lookup that misses, so ``import hookport`` stays cheap.
"""
from __future__ import annotations

import difflib
import importlib
import sys
import traceback
from typing import Any, Dict, Iterable, List, Optional

from hookport.errors import RegistryError


class Registry:
    """A name -> class (or function) table with build-from-config.

    Args:
        name: what the registry holds, for messages ("hook", "model", ...).
        parent: the registry one level up, or None for a root.
        scope: the child's name under ``parent`` (``'mmcv'``, ``'imix'``).
        locations: modules imported on the first lookup that misses.
    """

    def __init__(self, name: str, parent: Optional["Registry"] = None, scope: Optional[str] = None,
                 locations: Iterable[str] = ()):
        self.name = name
        self.parent = parent
        self.scope = scope
        self._locations: List[str] = list(locations)
        self._modules: Dict[str, Any] = {}
        self.children: Dict[str, Registry] = {}
        if parent is not None:
            if not scope:
                raise ValueError("a child registry needs a scope")
            parent.children[scope] = self

    def __repr__(self) -> str:
        where = f" scope={self.scope!r}" if self.scope else ""
        return f"<Registry {self.name}{where}: {len(self._modules)} entries>"

    # -- registration -------------------------------------------------
    def register_module(self, name: Optional[str] = None, force: bool = False, module: Any = None):
        """Register ``module`` (or, used as a decorator, the decorated class).

        Args:
            name: the key; defaults to ``module.__name__``. A list registers several aliases.
            force: replace an existing entry instead of raising.
        """
        def _register(obj):
            names = [obj.__name__] if name is None else ([name] if isinstance(name, str) else list(name))
            for key in names:
                existing = self._modules.get(key)
                if existing is not None and existing is not obj and not force:
                    raise RegistryError(f"{key!r} is already registered in the {self._path()} registry "
                                        f"(by {_qualname(existing)}); pass force=True to replace it")
                self._modules[key] = obj
            return obj

        if module is not None:
            return _register(module)
        return _register

    def add_location(self, module_name: str) -> None:
        """Add a module to import on the first lookup that misses."""
        if module_name not in self._locations:
            self._locations.append(module_name)

    # -- lookup -------------------------------------------------------
    def _path(self) -> str:
        return self.name if self.parent is None else f"{self.parent._path()}.{self.scope}"

    def _import_locations(self) -> bool:
        """Import pending built-in modules; return whether any was imported."""
        if not self._locations:
            return False
        pending, self._locations = self._locations, []
        for module_name in pending:
            importlib.import_module(module_name)
        return True

    def _local(self, key: str):
        obj = self._modules.get(key)
        if obj is None and self._import_locations():
            obj = self._modules.get(key)
        return obj

    def _find(self, key: str):
        reg: Optional[Registry] = self
        while reg is not None:
            obj = reg._local(key)
            if obj is not None:
                return obj
            reg = reg.parent
        found = {id(o): o for o in self._descendant_hits(key)}
        if len(found) == 1:
            return next(iter(found.values()))
        if len(found) > 1:
            raise RegistryError(f"{key!r} is ambiguous in the {self._path()} registry: it is registered in "
                                f"several scopes; write 'scope.{key}' (scopes: {', '.join(sorted(self.children))})")
        return None

    def _descendant_hits(self, key: str):
        for child in self.children.values():
            obj = child._local(key)
            if obj is not None:
                yield obj
            yield from child._descendant_hits(key)

    def root(self) -> "Registry":
        """The top of this registry's tree."""
        reg = self
        while reg.parent is not None:
            reg = reg.parent
        return reg

    def names(self) -> List[str]:
        """All names reachable from this registry (own, parents', children's), sorted."""
        seen = set()
        reg: Optional[Registry] = self
        while reg is not None:
            reg._import_locations()
            seen.update(reg._modules)
            reg = reg.parent
        stack = list(self.children.values())
        while stack:
            child = stack.pop()
            child._import_locations()
            seen.update(child._modules)
            stack.extend(child.children.values())
        return sorted(seen)

    def get(self, key: Any) -> Any:
        """Return the class for ``key``: a registered name, ``scope.Name``, a dotted path or a class."""
        if not isinstance(key, str):
            if callable(key):
                return key
            raise RegistryError(f"type must be a string or a class, got {key!r} ({type(key).__name__})")
        obj = self._find(key)
        if obj is not None:
            return obj
        if "." in key:
            scope, _, rest = key.partition(".")
            child = self.root()._child_by_scope(scope)
            if child is not None and "." not in rest:
                obj = child._find(rest)
                if obj is not None:
                    return obj
            obj = _import_dotted(key)
            if obj is not None:
                return obj
            if child is None:  # a user's own module path: its names, not the registry's, are the close matches
                raise RegistryError(f"unknown {self.name} type {key!r}: {_dotted_path_problem(key)}")
        raise RegistryError(self._unknown_message(key))

    def _child_by_scope(self, scope: str) -> Optional["Registry"]:
        if self.scope == scope:
            return self
        for child in self.children.values():
            hit = child._child_by_scope(scope)
            if hit is not None:
                return hit
        return None

    def __contains__(self, key: str) -> bool:
        try:
            self.get(key)
        except RegistryError:
            return False
        return True

    def _unknown_message(self, key: str) -> str:
        close = difflib.get_close_matches(key, self.names(), n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown {self.name} type {key!r}{hint}"

    # -- building -----------------------------------------------------
    def build(self, cfg: Any, default_args: Optional[dict] = None) -> Any:
        """Build an object from ``dict(type=..., **kwargs)``; ``default_args`` fill missing keys.

        A config that is already an object (not a dict) is returned unchanged.
        """
        if not isinstance(cfg, dict):
            return cfg
        args = dict(cfg)
        if default_args:
            for key, value in default_args.items():
                args.setdefault(key, value)
        if "type" not in args:
            raise RegistryError(f"a {self.name} config needs a 'type' key, got keys {sorted(args)}")
        obj_cls = self.get(args.pop("type"))
        try:
            return obj_cls(**args)
        except TypeError as err:
            raise RegistryError(f"cannot build {self.name} {_qualname(obj_cls)}: {err}") from err


def _qualname(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _dotted_path_problem(path: str) -> str:
    """Why a dotted type path did not resolve: its module is missing, or lacks the name (with close names)."""
    module_name, _, attr = path.rpartition(".")
    module = sys.modules.get(module_name)  # _import_dotted imported it if it exists
    if module is None:
        return f"no module {module_name!r} can be imported (put its folder on PYTHONPATH)"
    close = difflib.get_close_matches(attr, [n for n in dir(module) if not n.startswith("_")], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(f'{module_name}.{c}') for c in close)}?" if close else ""
    return f"module {module_name!r} has no attribute {attr!r}{hint}"


def _import_dotted(path: str) -> Any:
    """Import ``pkg.mod.Attr``; None when the module part cannot be found."""
    module_name, _, attr = path.rpartition(".")
    if not module_name:
        return None
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        # Only a missing *target* module means "not a path"; a missing dependency inside it is a real error.
        if err.name and (module_name == err.name or module_name.startswith(err.name + ".")):
            return None
        raise _import_failure(path, err) from err
    except Exception as err:  # the user's module itself is broken: say where, as for custom_imports
        raise _import_failure(path, err) from err
    return getattr(module, attr, None)


def _import_failure(path: str, err: Exception) -> RegistryError:
    """``type 'pkg.mod.X': cannot import pkg.mod: Error: detail`` at the failing line of the module."""
    if isinstance(err, SyntaxError):
        detail, file, line = f"SyntaxError: {err.msg}", err.filename, err.lineno
    else:
        frame = traceback.extract_tb(err.__traceback__)[-1]
        text = str(err).splitlines()[0] if str(err) else ""
        detail = f"{type(err).__name__}: {text}" if text else type(err).__name__
        file, line = frame.filename, frame.lineno
    return RegistryError(f"type {path!r}: cannot import {path.rpartition('.')[0]!r}: {detail}", file, line)


def import_modules_from_strings(imports: Any, allow_failed_imports: bool = False) -> List[Any]:
    """Import the modules named by ``custom_imports`` (a str or a list of str).

    Failed imports raise unless ``allow_failed_imports`` is true, in which case they are skipped
    with a warning (MMCV/MMEngine semantics).
    """
    import warnings

    if not imports:
        return []
    if isinstance(imports, str):
        imports = [imports]
    if not isinstance(imports, (list, tuple)) or not all(isinstance(i, str) for i in imports):
        raise RegistryError(f"custom_imports.imports must be a str or a list of str, got {imports!r}")
    modules = []
    for name in imports:
        try:
            modules.append(importlib.import_module(name))
        except ImportError as err:
            if not allow_failed_imports:
                raise RegistryError(f"custom_imports: cannot import {name!r}: {err}") from err
            warnings.warn(f"custom_imports: {name} failed to import and is skipped ({err})", UserWarning)
    return modules


def apply_custom_imports(cfg: dict) -> List[Any]:
    """Honour a config's ``custom_imports=dict(imports=[...], allow_failed_imports=False)``."""
    spec = cfg.get("custom_imports") if isinstance(cfg, dict) else None
    if not spec:
        return []
    if not isinstance(spec, dict):
        raise RegistryError(f"custom_imports must be a dict(imports=[...]), got {spec!r}")
    return import_modules_from_strings(spec.get("imports", []), spec.get("allow_failed_imports", False))


def build_from_cfg(cfg: Any, registry: Registry, default_args: Optional[dict] = None) -> Any:
    """Function form of :meth:`Registry.build` (MMCV/MMEngine spelling)."""
    return registry.build(cfg, default_args)


# The root registries. Built-ins register into them on first lookup (see ``locations``).
HOOKS = Registry("hook", locations=["hookport.hooks.builtin"])
MODELS = Registry("model", locations=["hookport.toy", "hookport.model.averaged"])
DATASETS = Registry("dataset", locations=["hookport.toy"])
DATA_SAMPLERS = Registry("data sampler", locations=["hookport.runner.samplers"])
COLLATE_FUNCTIONS = Registry("collate function", locations=["hookport.runner.samplers"])
METRICS = Registry("metric", locations=["hookport.evaluation"])
EVALUATORS = Registry("evaluator", locations=["hookport.evaluation"])
OPTIMIZERS = Registry("optimizer", locations=["hookport.optim.optimizers"])
OPTIM_WRAPPERS = Registry("optimizer wrapper", locations=["hookport.optim.wrapper", "hookport.optim.wrapper_dict"])
OPTIM_WRAPPER_CONSTRUCTORS = Registry("optimizer wrapper constructor", locations=["hookport.optim.constructor"])
PARAM_SCHEDULERS = Registry("parameter scheduler", locations=["hookport.optim.scheduler"])
LOOPS = Registry("loop", locations=["hookport.runner.loops"])
LOG_PROCESSORS = Registry("log processor", locations=["hookport.runner.log_processor"])
VISBACKENDS = Registry("visualization backend", locations=["hookport.runner.vis_backends",
                                                           "hookport.runner.vis_client_backends"])
RUNNERS = Registry("runner")

# Dialect scopes: legacy hooks whose names collide with MMEngine's (OptimizerHook, EMAHook, ...).
MMCV_HOOKS = Registry("hook", parent=HOOKS, scope="mmcv", locations=["hookport.compat.mmcv.hooks"])
IMIX_HOOKS = Registry("hook", parent=HOOKS, scope="imix", locations=["hookport.compat.imix.hooks"])

__all__ = [
    "Registry", "build_from_cfg", "import_modules_from_strings", "apply_custom_imports",
    "HOOKS", "MODELS", "DATASETS", "DATA_SAMPLERS", "COLLATE_FUNCTIONS", "METRICS", "EVALUATORS",
    "OPTIMIZERS", "OPTIM_WRAPPERS", "OPTIM_WRAPPER_CONSTRUCTORS", "PARAM_SCHEDULERS", "LOOPS",
    "LOG_PROCESSORS", "VISBACKENDS", "RUNNERS", "MMCV_HOOKS", "IMIX_HOOKS",
]
