"""ConfigDict and Config objects: access, conversion, copying, pickling, import cost."""
import copy
import pickle
import subprocess
import sys

import pytest

from hookport.config import Config, ConfigDict


def test_nested_conversion_on_construction_and_assignment():
    cfg = ConfigDict(a={"b": [{"c": 1}, ({"d": 2},)]})
    assert isinstance(cfg.a, ConfigDict) and cfg.a.b[0].c == 1 and cfg.a.b[1][0].d == 2
    cfg.x = {"y": {"z": 3}}
    cfg["w"] = [{"v": 4}]
    cfg.update(u={"t": 5})
    cfg.setdefault("s", {"r": 6})
    assert cfg.x.y.z == 3 and cfg.w[0].v == 4 and cfg.u.t == 5 and cfg.s.r == 6
    assert type(cfg.to_dict()["x"]["y"]) is dict and type(cfg.to_dict()["a"]["b"][1]) is tuple


def test_missing_attribute_names_the_key():
    cfg = ConfigDict(a=1)
    with pytest.raises(AttributeError, match="config has no key 'model'"):
        cfg.model
    assert not hasattr(cfg, "model") and getattr(cfg, "model", None) is None
    with pytest.raises(AttributeError, match="'b'"):
        del cfg.b
    with pytest.raises(KeyError):
        cfg["b"]
    del cfg.a
    assert cfg == {}


def test_copies_and_pickle_are_independent():
    cfg = ConfigDict(a={"b": [1]})
    deep = copy.deepcopy(cfg)
    deep.a.b.append(2)
    assert cfg.a.b == [1] and isinstance(deep, ConfigDict) and isinstance(deep.a, ConfigDict)
    assert isinstance(copy.copy(cfg), ConfigDict) and copy.copy(cfg).a is cfg.a
    again = pickle.loads(pickle.dumps(cfg))
    assert again == cfg and isinstance(again.a, ConfigDict)


def test_config_wraps_a_config_dict():
    cfg = Config({"model": {"type": "A"}}, filename="x.py")
    assert cfg.model.type == "A" and cfg["model"]["type"] == "A" and "model" in cfg and len(cfg) == 1
    assert list(cfg) == ["model"] and cfg.get("nope", 3) == 3 and list(cfg.keys()) == ["model"]
    cfg.work_dir = "w"
    cfg["seed"] = 1
    assert cfg.to_dict() == {"model": {"type": "A"}, "work_dir": "w", "seed": 1}
    del cfg.seed
    del cfg["work_dir"]
    assert cfg == {"model": {"type": "A"}} and cfg == Config({"model": {"type": "A"}})
    assert cfg.filename == "x.py" and repr(cfg).startswith("Config (path: x.py): ")
    with pytest.raises(AttributeError, match="no key 'nope'"):
        cfg.nope


def test_config_copy_and_pickle():
    cfg = Config({"a": {"b": [1]}}, filename="f.py", text="f.py\na = 1\n")
    clone = cfg.copy()
    clone.a.b.append(2)
    assert cfg.a.b == [1]
    again = pickle.loads(pickle.dumps(cfg))
    assert again == cfg and again.filename == "f.py" and again.text == cfg.text
    assert copy.copy(cfg).a is cfg.a


def test_loading_a_config_imports_neither_torch_nor_yaml(tmp_path):
    (tmp_path / "base.json").write_text('{"a": 1}')
    (tmp_path / "cfg.py").write_text("_base_ = 'base.json'\nb = {{_base_.a}}\n")
    code = "\n".join([
        "import sys",
        "from hookport.config import load_config",
        f"cfg = load_config({str(tmp_path / 'cfg.py')!r}, cfg_options=['c=1'])",
        "assert cfg.to_dict() == {'a': 1, 'b': 1, 'c': 1}, cfg",
        "cfg.pretty_text",
        "assert 'torch' not in sys.modules, 'torch imported'",
        "assert 'yaml' not in sys.modules, 'yaml imported'",
    ])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
