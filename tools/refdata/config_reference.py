"""Reference data for hookport.config from the real mmcv 1.7.2 and mmengine 0.10.7.

Run with ``$REFENV/bin/python tools/refdata/config_reference.py``; writes
``tests/data/reference/config/{trees,cfg_options,merge_from_dict}.json``:

* trees: every config tree under ``fixtures/config/trees/<case>/`` loaded from its ``main.*`` file by
  ``mmcv.Config.fromfile`` and ``mmengine.config.Config.fromfile`` (the dict, or the error's type);
* cfg_options: ``--cfg-options`` strings parsed by both ``DictAction`` classes;
* merge_from_dict: ``Config.merge_from_dict`` results (or error types) in both.

Tuples are written as ``{"__tuple__": [...]}`` so tests can tell them from lists.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import types
import warnings

warnings.filterwarnings("ignore")
# mmcv imports torchvision at import time; no torchvision wheel matches the CPU torch here.
_tv = types.ModuleType("torchvision")
_tv.models = types.ModuleType("torchvision.models")
sys.modules.setdefault("torchvision", _tv)
sys.modules.setdefault("torchvision.models", _tv.models)

import mmcv  # noqa: E402
import mmengine  # noqa: E402
from mmcv import Config as MmcvConfig  # noqa: E402
from mmcv import DictAction as MmcvDictAction  # noqa: E402
from mmengine.config import Config as EngineConfig  # noqa: E402
from mmengine.config import DictAction as EngineDictAction  # noqa: E402

assert mmcv.__version__ == "1.7.2" and mmengine.__version__ == "0.10.7", (mmcv.__version__, mmengine.__version__)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TREES = os.path.join(REPO, "fixtures", "config", "trees")
OUT = os.path.join(REPO, "tests", "data", "reference", "config")

CFG_OPTIONS = [
    "a=1", "a=-3", "a=1.5", "a=1e-3", "a=True", "a=false", "a=None", "a=x", "a=", "a=1,2", "a=x,y",
    "a=[1,2]", "a=[1, 2]", "a=(1,2)", "a=[(1,2),[3,4]]", "a=[a,b]", "a=[1,[2,3]],4", "a='q'",
    "a.b.c=3", "a=1_000", "a=inf", "a=[]", "a=()", "a=x,", "a=[x]", "a=(a,(b,c))", "a=TRUE",
    "custom_hooks.0.priority=10", "a=[1,x,None,true]",
]



def random_option_values(count=300, seed=20261123):
    """Option strings from a small grammar (numbers, bare words, booleans, None, nested brackets, comma lists).

    The grammar leaves out what hookport documents as a deliberate difference from ``DictAction``:
    whitespace, quotes, braces and hexadecimal numbers.
    """
    import random

    rng = random.Random(seed)
    atoms = ["0", "7", "-3", "1.5", "-0.25", "1e-4", "2E3", "True", "false", "None", "x", "abc", "a_1",
             "inf", "lr", "SGD", "1_000"]

    def value(depth):
        roll = rng.random()
        if depth < 3 and roll < 0.25:
            return "[" + ",".join(value(depth + 1) for _ in range(rng.randint(0, 3))) + "]"
        if depth < 3 and roll < 0.4:
            return "(" + ",".join(value(depth + 1) for _ in range(rng.randint(2, 3))) + ")"
        return rng.choice(atoms)

    values = []
    for _ in range(count):
        parts = [value(0) for _ in range(rng.choice([1, 1, 1, 2, 3]))]
        values.append("k=" + ",".join(parts))
    return values


MERGE_CASES = [
    ({"a": {"b": 1, "c": 2}}, {"a.b": 5}, True),
    ({"a": {"b": 1}}, {"a.x.y": 5}, True),
    ({"a": [{"p": 1}, {"p": 2}]}, {"a.1.p": 7}, True),
    ({"a": [{"p": 1}, {"p": 2}]}, {"a.1.p": 7}, False),
    ({"a": [1, 2]}, {"a.5": 7}, True),
    ({"a": [1, 2]}, {"a": [3]}, True),
    ({"a": 1}, {"a.b": 2}, True),
    ({"a": {"b": {"c": 1, "d": 2}}}, {"a.b": {"_delete_": True, "e": 3}}, True),
    ({"a": {"b": {"c": 1, "d": 2}}}, {"a.b": {"e": 3}}, True),
    ({"hooks": [{"type": "A", "priority": 1}]}, {"hooks.0.priority": "LOW", "hooks.0.extra": [1, 2]}, True),
    ({"a": (1, 2)}, {"a.0": 5}, True),
    ({}, {"x.y.z": 1, "x.y.w": 2}, True),
    ({"a": [{"p": 1, "q": 2}, {"p": 3, "q": 4}]}, {"a.1.p": 7}, True),
    ({"b": [0, 1, 2]}, {"b.1": 9}, True),
    ({"a": [{"p": 1}, 1]}, {"a.1.p": 7}, True),
    ({"a": [[1, 2], [3, 4]]}, {"a.1.0": 9}, True),
]


def encode(value):
    """JSON form that keeps tuples distinct from lists."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"__repr__": repr(value)}


def outcome(fn):
    try:
        return {"value": encode(fn())}
    except Exception as err:  # the reference outcome is the error type
        return {"error": type(err).__name__, "message": str(err).splitlines()[0] if str(err) else ""}


def trees():
    result = {}
    for case in sorted(os.listdir(TREES)):
        (main,) = glob.glob(os.path.join(TREES, case, "**", "main.*"), recursive=True)
        cwd = os.getcwd()
        os.chdir(os.path.dirname(main))  # relative names keep messages free of absolute paths
        try:
            result[case] = {
                "mmcv": outcome(lambda: MmcvConfig.fromfile(os.path.basename(main))._cfg_dict.to_dict()),
                "mmengine": outcome(lambda: EngineConfig.fromfile(os.path.basename(main)).to_dict()),
            }
        finally:
            os.chdir(cwd)
    return result


def cfg_options():
    result = {}
    for text in CFG_OPTIONS + random_option_values():
        result[text] = {}
        for name, action in (("mmcv", MmcvDictAction), ("mmengine", EngineDictAction)):
            parser = argparse.ArgumentParser()
            parser.add_argument("--cfg-options", nargs="+", action=action)
            result[text][name] = outcome(lambda: parser.parse_args(["--cfg-options", text]).cfg_options)
    return result


def merge_from_dict():
    result = []
    for base, options, allow_list_keys in MERGE_CASES:
        entry = {"base": encode(base), "options": encode(options), "allow_list_keys": allow_list_keys}
        for name, cls in (("mmcv", MmcvConfig), ("mmengine", EngineConfig)):
            def run(cls=cls):
                cfg = cls(dict(base))
                cfg.merge_from_dict(dict(options), allow_list_keys=allow_list_keys)
                return cfg._cfg_dict.to_dict()
            entry[name] = outcome(run)
        result.append(entry)
    return result


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("trees", trees()), ("cfg_options", cfg_options()), ("merge_from_dict", merge_from_dict())):
        with open(os.path.join(OUT, f"{name}.json"), "w") as handle:
            json.dump(data, handle, indent=1, sort_keys=False)
            handle.write("\n")
        print(f"wrote {name}.json")


if __name__ == "__main__":
    main()
