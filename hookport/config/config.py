"""``Config``: a loaded config (a ``ConfigDict`` plus where it came from), MMCV/MMEngine style."""
from __future__ import annotations

import copy
import json
import os
import tempfile
import traceback
from typing import Any, Dict, Iterable, Iterator, Optional, Union

from hookport.config.config_dict import ConfigDict, to_plain
from hookport.config.loader import JSON_SUFFIXES, PY_SUFFIXES, YAML_SUFFIXES, load_file
from hookport.config.locate import key_location
from hookport.config.merge import merge, options_to_tree
from hookport.config.options import parse_cfg_options
from hookport.config.pretty import dotted_path, format_config
from hookport.errors import ConfigError, HookportError

PathLike = Union[str, "os.PathLike[str]"]


class Config:
    """A config: attribute and item access to a :class:`ConfigDict`, plus its file and text.

    Args:
        cfg_dict: the settings (a dict; nested dicts become ``ConfigDict``).
        filename: the file it was loaded from, as given, or None.
        text: the text of every file read to build it (``.text``), or None.
    """

    def __init__(self, cfg_dict: Optional[dict] = None, filename: Optional[PathLike] = None,
                 text: Optional[str] = None):
        if cfg_dict is not None and not isinstance(cfg_dict, dict):
            raise ConfigError(f"a config must be a dict, got {type(cfg_dict).__name__}")
        object.__setattr__(self, "_cfg_dict", ConfigDict(cfg_dict or {}))
        object.__setattr__(self, "_filename", None if filename is None else str(filename))
        object.__setattr__(self, "_text", text if text is not None else "")
        object.__setattr__(self, "_sources", ())

    # -- construction ----------------------------------------------------------
    @classmethod
    def fromfile(cls, filename: PathLike, *, base_rule: str = "mmcv",
                 import_custom_modules: bool = True) -> "Config":
        """Load a ``.py`` / ``.yaml`` / ``.json`` config with its ``_base_`` files.

        Args:
            filename: the config file.
            base_rule: ``'mmcv'`` (MMCV/MMEngine: duplicate keys among sibling bases are an error) or
                ``'imix'`` (the first base that defines a key wins).
            import_custom_modules: import the modules named by ``custom_imports``.
        """
        result = load_file(str(filename), base_rule=base_rule)
        cfg = cls(result.cfg, filename=filename, text=_joined_text(result.texts))
        # (path, text) of every file read, bases first: hookport.config.locate points later errors there.
        # Not a property: a config may well have a key called 'sources'.
        object.__setattr__(cfg, "_sources", tuple(result.texts))
        if import_custom_modules:
            cfg._import_custom_modules(os.path.normpath(str(filename)))
        return cfg

    @classmethod
    def fromstring(cls, text: str, suffix: str, *, base_rule: str = "mmcv",
                   import_custom_modules: bool = True) -> "Config":
        """Load a config from ``text`` in the format named by ``suffix`` (``'.py'``, ``'.yaml'``, ``'.json'``).

        ``_base_`` paths are relative to the current directory; messages name the file ``<string>.py``
        (or ``.yaml``/``.json``).
        """
        suffix = suffix if suffix.startswith(".") else "." + suffix
        path = f"<string>{suffix}"
        result = load_file(path, base_rule=base_rule, text=text)
        cfg = cls(result.cfg, filename=None, text=_joined_text(result.texts))
        object.__setattr__(cfg, "_sources", tuple(result.texts))
        if import_custom_modules:
            cfg._import_custom_modules(path)
        return cfg

    def _import_custom_modules(self, path: str) -> None:
        from hookport.registry import apply_custom_imports

        try:
            apply_custom_imports(self._cfg_dict)
        except HookportError as err:
            # at the custom_imports assignment, in the _base_ file that holds it if the config does not
            raise err.located(*(key_location("custom_imports", self._sources) or (path, None)))
        except SyntaxError as err:  # in the imported module: point there
            raise ConfigError(f"custom_imports: {err.msg}", err.filename, err.lineno) from err
        except Exception as err:  # raised while importing a custom module: its innermost line
            frame = traceback.extract_tb(err.__traceback__)[-1]
            detail = str(err).splitlines()[0] if str(err) else ""
            message = f"custom_imports: {type(err).__name__}" + (f": {detail}" if detail else "")
            raise ConfigError(message, frame.filename, frame.lineno) from err

    # -- access ----------------------------------------------------------------
    @property
    def filename(self) -> Optional[str]:
        """The file this config was loaded from, as given (None when built in memory)."""
        return self._filename

    @property
    def text(self) -> str:
        """The text of every file read, bases first, each after a line with its path (as MMCV)."""
        return self._text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_cfg_dict", "_filename", "_text", "_sources"):
            # not set up yet (copy/pickle probe a bare instance): never recurse into _cfg_dict
            raise AttributeError(name)
        return getattr(self._cfg_dict, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._cfg_dict[name] = value

    def __delattr__(self, name: str) -> None:
        delattr(self._cfg_dict, name)

    def __getitem__(self, key: Any) -> Any:
        return self._cfg_dict[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._cfg_dict[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._cfg_dict[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._cfg_dict

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cfg_dict)

    def __len__(self) -> int:
        return len(self._cfg_dict)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Config):
            return self._cfg_dict == other._cfg_dict
        return isinstance(other, dict) and self._cfg_dict == other

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"Config (path: {self._filename}): {self._cfg_dict!r}"

    def __getstate__(self) -> Dict[str, Any]:
        return {"cfg_dict": self._cfg_dict.to_dict(), "filename": self._filename, "text": self._text}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        Config.__init__(self, state["cfg_dict"], state["filename"], state["text"])

    def __copy__(self) -> "Config":
        return Config(self._cfg_dict.copy(), self._filename, self._text)

    def __deepcopy__(self, memo: dict) -> "Config":
        return Config(copy.deepcopy(self._cfg_dict, memo), self._filename, self._text)

    def copy(self) -> "Config":
        """A deep copy (changing it never changes this config)."""
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        """The settings as plain nested ``dict``/``list``/``tuple`` (a deep copy)."""
        return to_plain(self._cfg_dict)

    # -- changing ----------------------------------------------------------------
    def merge_from_dict(self, options: Dict[str, Any], allow_list_keys: bool = True) -> None:
        """Merge ``{'a.b.c': v, 'a.0.b': w}`` overrides into this config (MMCV/MMEngine semantics).

        A dotted key walks into dicts; with ``allow_list_keys`` a number walks into a list
        (``custom_hooks.0.priority=10``). A dict value merges into an existing dict (``_delete_=True``
        replaces); anything else replaces. Raises ConfigError naming the key when a list index is out
        of range or a dict cannot merge into the existing value.
        """
        tree = options_to_tree(options)
        merged = merge(self.to_dict(), tree, allow_list_keys=allow_list_keys)
        object.__setattr__(self, "_cfg_dict", ConfigDict(merged))

    def merge_from_options(self, items: Iterable[str]) -> None:
        """Apply ``--cfg-options`` items (``["a.b=1", ...]``, see :func:`parse_cfg_options`)."""
        self.merge_from_dict(parse_cfg_options(items))

    # -- writing -----------------------------------------------------------------
    @property
    def pretty_text(self) -> str:
        """The config as readable Python source that loads back to an equal dict."""
        return format_config(self.to_dict())

    def dump(self, file: Optional[PathLike] = None) -> Optional[str]:
        """Write the config to ``file`` (``.py``, ``.json``, ``.yaml``/``.yml`` by suffix), atomically.

        Without ``file`` return the ``.py`` text instead. JSON and YAML have no tuples; tuples are
        written as lists there.
        """
        if file is None:
            return self.pretty_text
        path = str(file)
        suffix = os.path.splitext(path)[1].lower()
        if suffix in PY_SUFFIXES:
            text = self.pretty_text
        elif suffix in JSON_SUFFIXES:
            text = json.dumps(_data_form(self.to_dict()), indent=4) + "\n"
        elif suffix in YAML_SUFFIXES:
            import yaml  # lazy: only YAML needs it

            text = yaml.safe_dump(_data_form(self.to_dict()), sort_keys=False, default_flow_style=False)
        else:
            raise ConfigError(f"cannot dump a config to {suffix or '(no suffix)'!r}; use .py, .json or .yaml",
                              path)
        write_atomic(path, text)
        return None


def load_config(path: PathLike, *, base_rule: str = "mmcv", cfg_options: Any = None,
                import_custom_modules: bool = True) -> Config:
    """Load ``path`` as :meth:`Config.fromfile` does, then apply ``cfg_options``.

    Args:
        cfg_options: ``--cfg-options`` items (``["a.b=1"]``) or an already parsed ``{'a.b': 1}``.
    """
    cfg = Config.fromfile(path, base_rule=base_rule, import_custom_modules=import_custom_modules)
    if cfg_options:
        options = cfg_options if isinstance(cfg_options, dict) else parse_cfg_options(cfg_options)
        try:
            cfg.merge_from_dict(options)
        except ConfigError as err:  # the problem is in the command line, not in any file
            raise ConfigError(f"--cfg-options {err.message}") from None
    return cfg


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temp file in the same folder and ``os.replace``."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".hookport-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _joined_text(texts) -> str:
    return "".join(f"{path}\n{text}\n" for path, text in texts)


def _data_form(value: Any) -> Any:
    """JSON/YAML-safe form: tuples as lists, classes/functions as dotted paths."""
    if isinstance(value, dict):
        return {k: _data_form(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_data_form(v) for v in value]
    dotted = dotted_path(value) if callable(value) else None
    if dotted is not None:
        return dotted
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f"cannot write {value!r} ({type(value).__name__}) to JSON/YAML")
