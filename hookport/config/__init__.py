"""Reading, merging, overriding and writing configs (MMCV 1.x / MMEngine style; iMIX's base rule).

Public API::

    from hookport.config import Config, ConfigDict, load_config, parse_cfg_options

    cfg = load_config("configs/my_cfg.py", cfg_options=["train_cfg.max_epochs=4"])
    cfg = Config.fromfile("old_imix_cfg.py", base_rule="imix")
    cfg.model.type, cfg["model"]["type"]         # attribute or item access, at any depth
    cfg.merge_from_dict({"custom_hooks.0.priority": 10})
    cfg.dump("out.py")                            # readable .py (or .json / .yaml by suffix), atomic

* :class:`ConfigDict` -- a ``dict`` with attribute access; a missing attribute is an ``AttributeError``
  naming the key.
* :class:`Config` -- ``fromfile(path, *, base_rule='mmcv'|'imix', import_custom_modules=True)``,
  ``fromstring(text, suffix)``, ``.filename``, ``.text``, ``.to_dict()``, ``.merge_from_dict(options,
  allow_list_keys=True)``, ``.pretty_text``, ``.dump(path=None)``.
* :func:`load_config` -- ``Config.fromfile`` plus ``cfg_options``.
* :func:`parse_cfg_options` -- ``["a.b=1", "c=[1,2]", "d=x"]`` -> ``{'a.b': 1, 'c': [1, 2], 'd': 'x'}``;
  value rules in :mod:`hookport.config.options`.

Loading rules (details in :mod:`hookport.config.loader`, :mod:`hookport.config.merge`,
:mod:`hookport.config.references`):

* ``.py`` configs are executed (trusted input; ``convert`` does not use this module to read them).
  Module-level names become keys except names starting with ``__``, modules and functions (mmcv 1.7.2
  keeps ``_single`` underscore names and classes, and so does hookport).
* ``_base_``: a string or list, relative to the file's directory, in any of the three formats.
  Bases merge recursively under the child; ``_delete_=True`` replaces. Two sibling bases defining the
  same key: an error naming both files (``base_rule='mmcv'``), or the first one wins (``'imix'``).
* ``{{_base_.a.b}}`` / ``{{_base_.layers.0}}`` reads a base value, as a whole value, inside expressions,
  or spliced into a string (MMCV). MMEngine's read access ``_base_.a.b`` works too (on a copy of the
  bases). A base's plain variables are not visible in the child (MMCV/MMEngine semantics).
* ``custom_imports=dict(imports=[...], allow_failed_imports=False)`` is imported after loading.
* Every error is a :class:`hookport.errors.ConfigError` printed as ``file:line: message``.

This package never imports torch; PyYAML is imported only for YAML files.
"""
from hookport.config.config import Config, load_config, write_atomic
from hookport.config.config_dict import ConfigDict
from hookport.config.merge import BASE_RULES, DELETE_KEY
from hookport.config.options import parse_cfg_options
from hookport.errors import ConfigError

__all__ = ["Config", "ConfigDict", "ConfigError", "load_config", "parse_cfg_options", "write_atomic",
           "BASE_RULES", "DELETE_KEY"]
