"""Writing configs: readable .py text that loads back equal; .json/.yaml by suffix; atomic writes."""
import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.config import Config, ConfigError

# Keys: identifiers (keyword style), other strings and ints ({...} style).
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "and", "as", "def", "del", "for", "not", "try", "else", "with",
                        "from", "pass", "elif", "none", "true", "false"})
scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
           | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).filter(
               # A scalar is never split, so one whose escaped repr alone nears the width cannot fit.
               lambda s: "{{" not in s and len(repr(s)) <= 40))
keys = identifiers | st.text(max_size=5).filter(lambda s: "{{" not in s) | st.integers(-5, 5)
values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(keys, inner, max_size=4)),
    max_leaves=20)
top_keys = identifiers.filter(lambda s: not s.startswith("__") and s not in {"filename", "text", "pretty_text"})


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(top_keys, values, max_size=6))
def test_py_dump_round_trip(cfg):
    text = Config(cfg).pretty_text
    assert Config.fromstring(text, ".py").to_dict() == cfg
    assert all(len(line) <= 100 for line in text.splitlines()), text


def test_dump_is_readable_and_wraps_long_values(tmp_path):
    cfg = Config({
        "model": {"type": "Net", "depth": 50},
        "pipeline": [{"type": "Resize", "img_scale": (1333, 800), "keep_ratio": True},
                     {"type": "Normalize", "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]}],
        "single": (1,),
        "weird_keys": {"a-b": 1, 2: "x"},
        "inf": float("-inf"),
    })
    assert cfg.pretty_text == (
        "model = dict(type='Net', depth=50)\n"
        "pipeline = [\n"
        "    dict(type='Resize', img_scale=(1333, 800), keep_ratio=True),\n"
        "    dict(type='Normalize', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),\n"
        "]\n"
        "single = (1,)\n"
        "weird_keys = {'a-b': 1, 2: 'x'}\n"
        "inf = -float('inf')\n"
    )
    cfg.dump(tmp_path / "out.py")
    assert Config.fromfile(tmp_path / "out.py").to_dict() == cfg.to_dict()


def test_shadowed_builtins_still_load(tmp_path):
    cfg = {"dict": 1, "float": 2, "nested": {"a": float("inf"), "n": float("nan")}}
    loaded = Config.fromstring(Config(cfg).pretty_text, ".py").to_dict()
    assert loaded["dict"] == 1 and loaded["float"] == 2 and loaded["nested"]["a"] == math.inf
    assert math.isnan(loaded["nested"]["n"])


def test_classes_are_written_as_dotted_paths():
    from hookport.errors import ConfigError as ErrorClass

    text = Config({"hook": {"type": ErrorClass}}).pretty_text
    assert text == "hook = dict(type='hookport.errors.ConfigError')\n"


def test_unwritable_values_and_keys_are_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"cannot write a\.b=<object"):
        Config({"a": {"b": object()}}).pretty_text
    with pytest.raises(ConfigError, match="cannot write top-level key 'a-b'"):
        Config({"a-b": 1}).dump(tmp_path / "x.py")
    assert not (tmp_path / "x.py").exists()
    with pytest.raises(ConfigError, match="cannot dump a config to '.txt'"):
        Config({"a": 1}).dump(tmp_path / "x.txt")


def test_json_and_yaml_dump(tmp_path):
    cfg = Config({"a": {"b": (1, 2)}, "c": [None, True, 1.5, "s"]})
    cfg.dump(tmp_path / "c.json")
    assert json.loads((tmp_path / "c.json").read_text()) == {"a": {"b": [1, 2]}, "c": [None, True, 1.5, "s"]}
    cfg.dump(tmp_path / "c.yaml")
    assert Config.fromfile(tmp_path / "c.yaml").to_dict() == {"a": {"b": [1, 2]}, "c": [None, True, 1.5, "s"]}
    assert cfg.dump() == cfg.pretty_text


def test_dump_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "out.py"
    target.write_text("old = 1\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        Config({"new": 2}).dump(target)
    assert target.read_text() == "old = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.py"]  # no temp file left behind


def test_loaded_tree_dumps_and_reloads_equal(tmp_path):
    root = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "config", "trees", "detection")
    cfg = Config.fromfile(os.path.join(root, "faster_rcnn", "main.py"))
    cfg.dump(tmp_path / "flat.py")
    assert Config.fromfile(tmp_path / "flat.py").to_dict() == cfg.to_dict()


def test_keys_that_python_normalises_stay_quoted():
    cfg = {"a": {"\u00b5": 1, "ﬁ": 2}}  # MICRO SIGN and the 'fi' ligature read back changed as identifiers
    assert Config.fromstring(Config(cfg).pretty_text, ".py").to_dict() == cfg


def test_golden_dump_of_the_detection_tree(monkeypatch):
    """fixtures/config/dump/detection.out.py is the reviewed .py form of the detection tree."""
    fixtures = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "config")
    monkeypatch.chdir(os.path.join(fixtures, "trees", "detection", "faster_rcnn"))
    with open(os.path.join(fixtures, "dump", "detection.out.py")) as handle:
        golden = handle.read()
    assert Config.fromfile("main.py").pretty_text == golden
