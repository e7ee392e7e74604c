"""Loading .py/.yaml/.json configs: _base_, merging, references, what becomes a key."""
import sys

import pytest

from hookport.config import Config, ConfigDict, ConfigError, load_config
from hookport.errors import HookportError


def test_py_config_keys_and_attribute_access(tree):
    tree({"cfg.py": """
        import os
        from os.path import join
        model = dict(type='ToyClassifier', layers=[dict(k=1), dict(k=2)])
        _helper = 3
        __private = 4
        def helper():
            return 1
        class Marker:
            pass
        total = len([1, 2]) + _helper
        work_dir = join('a', 'b')
        """})
    cfg = Config.fromfile("cfg.py")
    assert set(cfg) == {"model", "_helper", "Marker", "total", "work_dir"}
    assert cfg.model.type == "ToyClassifier" and cfg["model"]["layers"][1].k == 2
    assert isinstance(cfg.model, ConfigDict) and isinstance(cfg.model.layers[0], ConfigDict)
    assert cfg.total == 5 and cfg.work_dir == "a/b"
    assert cfg.filename == "cfg.py"
    with pytest.raises(AttributeError, match="no key 'nope'"):
        cfg.nope
    assert getattr(cfg.model, "missing", 7) == 7


def test_base_string_and_list_relative_to_the_config_dir(tree):
    tree({
        "configs/_base_/model.py": "model = dict(type='A', depth=18, head=dict(num=10, loss='ce'))\n",
        "configs/_base_/sched.py": "lr_config = dict(policy='step', step=[8, 11])\ntotal_epochs = 12\n",
        "configs/exp/child.py": """
            _base_ = ['../_base_/model.py', '../_base_/sched.py']
            model = dict(depth=50, head=dict(num=80))
            lr_config = dict(step=[16, 22])
            total_epochs = 24
            """,
        "configs/exp/single.py": "_base_ = '../_base_/model.py'\nextra = 1\n",
    })
    cfg = Config.fromfile("configs/exp/child.py")
    assert cfg.to_dict() == {
        "model": {"type": "A", "depth": 50, "head": {"num": 80, "loss": "ce"}},
        "lr_config": {"policy": "step", "step": [16, 22]},
        "total_epochs": 24,
    }
    assert list(cfg) == ["model", "lr_config", "total_epochs"]  # base order kept
    assert Config.fromfile("configs/exp/single.py").to_dict()["extra"] == 1
    assert "configs/_base_/model.py\n" in cfg.text and cfg.text.index("model.py") < cfg.text.index("child.py")


def test_delete_replaces_the_base_dict(tree):
    tree({
        "base.py": "optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\nhooks = [dict(a=1)]\n",
        "child.py": """
            _base_ = 'base.py'
            optimizer = dict(_delete_=True, type='Adam', lr=1e-3)
            hooks = [dict(b=2)]
            """,
    })
    cfg = Config.fromfile("child.py")
    assert cfg.optimizer.to_dict() == {"type": "Adam", "lr": 1e-3}
    assert cfg.to_dict()["hooks"] == [{"b": 2}]  # lists replace


def test_base_variables_are_not_visible_in_the_child(tree):
    tree({"base.py": "a = 1\n", "child.py": "_base_ = 'base.py'\nb = a + 1\n"})
    with pytest.raises(ConfigError) as err:
        Config.fromfile("child.py")
    assert str(err.value).startswith("child.py:2: NameError: ")


def test_base_references_whole_value_expression_string_and_index(tree):
    tree({
        "base.py": "name = 'exp'\nlayers = [dict(k=1), dict(k=2)]\nmodel = dict(depth=18)\n",
        "child.py": """
            _base_ = ['base.py']
            depth = {{_base_.model.depth}}
            doubled = {{ _base_.model.depth }} * 2
            second = {{_base_.layers.1}}
            work_dir = 'work_dirs/{{_base_.name}}_{{_base_.model.depth}}'
            model = dict(depth={{_base_.model.depth}} + 32)
            """,
    })
    cfg = Config.fromfile("child.py").to_dict()
    assert cfg["depth"] == 18 and cfg["doubled"] == 36
    assert cfg["second"] == {"k": 2}
    assert cfg["work_dir"] == "work_dirs/exp_18"
    assert cfg["model"] == {"depth": 50}


def test_reference_value_is_a_copy(tree):
    tree({"base.py": "a = dict(x=[1])\n", "child.py": "_base_ = 'base.py'\nb = {{_base_.a}}\nb['x'].append(2)\n"})
    cfg = Config.fromfile("child.py").to_dict()
    assert cfg["a"] == {"x": [1]} and cfg["b"] == {"x": [1, 2]}


def test_predefined_variables(tree):
    tree({"sub/cfg.py": "work_dir = './work_dirs/{{ fileBasenameNoExtension }}'\next = '{{ fileExtname }}'\n"})
    cfg = Config.fromfile("sub/cfg.py")
    assert cfg.work_dir == "./work_dirs/cfg" and cfg.ext == ".py"


def test_duplicate_key_among_bases_is_an_error_naming_both_files(tree):
    tree({"a.py": "x = 1\n", "b.py": "y = 2\nx = 3\n",
          "child.py": "# header\n_base_ = [\n    'a.py',\n    'b.py',\n]\n"})
    with pytest.raises(ConfigError) as err:
        Config.fromfile("child.py")
    assert str(err.value) == "child.py:4: Duplicate key 'x' among bases: defined in both a.py and b.py"


def test_imix_rule_first_base_wins(tree):
    tree({"a.py": "x = dict(v=1)\n", "b.py": "y = 2\nx = dict(v=3, w=4)\n",
          "child.py": "_base_ = ['a.py', 'b.py']\n"})
    cfg = Config.fromfile("child.py", base_rule="imix")
    assert cfg.to_dict() == {"x": {"v": 1}, "y": 2}
    with pytest.raises(ConfigError, match="unknown base rule"):
        Config.fromfile("child.py", base_rule="mmengine")


def test_yaml_and_json_with_bases(tree):
    tree({
        "base.py": "model = dict(type='A', depth=18)\nname = 'n'\n",
        "mid.yaml": "_base_: base.py\nmodel:\n  depth: 34\nwork_dir: 'w/{{_base_.name}}'\nd: '{{_base_.model}}'\n",
        "top.json": '{"_base_": ["mid.yaml"], "model": {"type": "B"}, "lst": [1, 2]}\n',
    })
    cfg = Config.fromfile("top.json")
    assert cfg.to_dict() == {"model": {"type": "B", "depth": 34}, "name": "n", "work_dir": "w/n",
                             "d": {"type": "A", "depth": 18}, "lst": [1, 2]}


def test_fromstring_and_load_config_with_options(tree):
    tree({"base.py": "a = dict(b=1)\n", "cfg.py": "_base_ = 'base.py'\nc = [dict(p=1), dict(p=2)]\n"})
    cfg = Config.fromstring("_base_ = 'base.py'\nx = {{_base_.a.b}}\n", ".py")
    assert cfg.to_dict() == {"a": {"b": 1}, "x": 1}
    assert Config.fromstring("a: 1\n", "yaml").a == 1
    cfg = load_config("cfg.py", cfg_options=["a.b=5", "c.1.p=7", "d=x,y"])
    assert cfg.to_dict() == {"a": {"b": 5}, "c": [{"p": 1}, {"p": 7}], "d": ["x", "y"]}


def test_custom_imports_are_imported(tree, monkeypatch):
    root = tree({"my_ext_mod_for_cfg.py": "LOADED = True\n",
                 "cfg.py": "custom_imports = dict(imports=['my_ext_mod_for_cfg'], allow_failed_imports=False)\n",
                 "bad.py": "x = 1\ncustom_imports = dict(imports=['no_such_module_xyz'])\n"})
    monkeypatch.syspath_prepend(str(root))
    Config.fromfile("cfg.py")
    assert sys.modules["my_ext_mod_for_cfg"].LOADED
    cfg = Config.fromfile("bad.py", import_custom_modules=False)
    assert cfg.x == 1
    with pytest.raises(HookportError) as err:
        Config.fromfile("bad.py")
    assert str(err.value).startswith("bad.py:2: custom_imports: cannot import 'no_such_module_xyz'")


def test_references_in_comments_are_ignored(tree):
    tree({"base.py": "a = 1\n", "cfg.py": "_base_ = 'base.py'\n# b = {{_base_.gone}}\nc = {{_base_.a}}  # {{_base_.x}}\n"})
    assert Config.fromfile("cfg.py").to_dict() == {"a": 1, "c": 1}


def test_reference_spliced_into_strings_is_escaped(tree):
    tree({"base.py": r"""q = 'it\'s "x"\\n'""" + "\n",
          "cfg.py": "_base_ = 'base.py'\ns = '<{{_base_.q}}>'\nr = \"\"\"{{_base_.q}}\"\"\"\n"})
    cfg = Config.fromfile("cfg.py").to_dict()
    assert cfg["q"] == 'it\'s "x"\\n'
    assert cfg["s"] == "<" + cfg["q"] + ">" and cfg["r"] == cfg["q"]


def test_mmengine_base_attribute_access_reads_a_copy(tree):
    tree({"base.py": "model = dict(depth=18, layers=[1, 2])\n",
          "cfg.py": """
            _base_ = 'base.py'
            depth = _base_.model.depth * 2
            first = _base_['model']['layers'][0]
            _base_.model.depth = 99
            """})
    assert Config.fromfile("cfg.py").to_dict() == {"model": {"depth": 18, "layers": [1, 2]}, "depth": 36,
                                                    "first": 1}


def test_base_bound_only_when_the_file_has_bases(tree):
    tree({"cfg.py": "a = 1\nb = _base_.a\n", "dyn.py": "if True:\n    _base_ = 'x.py'\n",
          "base.py": "a = 1\n", "miss.py": "_base_ = 'base.py'\nb = _base_.nope\n"})
    assert str(pytest.raises(ConfigError, Config.fromfile, "cfg.py").value) == \
        "cfg.py:2: NameError: name '_base_' is not defined"
    assert str(pytest.raises(ConfigError, Config.fromfile, "dyn.py").value).startswith(
        "dyn.py: _base_ must be assigned at module level")
    assert str(pytest.raises(ConfigError, Config.fromfile, "miss.py").value) == \
        "miss.py:2: AttributeError: config has no key 'nope'"


def test_reference_spliced_into_f_and_raw_strings(tree):
    tree({"base.py": "q = 'a{b}\\\\c'\n",
          "cfg.py": "_base_ = 'base.py'\nn = 2\nf = f'{n}-{{_base_.q}}'\nr = r'{{_base_.q}}'\n"})
    cfg = Config.fromfile("cfg.py").to_dict()
    assert cfg["q"] == "a{b}\\c"
    assert cfg["f"] == "2-a{b}\\c" and cfg["r"] == "a{b}\\c"


def test_custom_import_failures_point_into_the_module(tree, monkeypatch):
    root = tree({"broken_syntax_mod_cfg.py": "x = (\n", "raising_mod_cfg.py": "a = 1\nraise RuntimeError('boom')\n",
                 "s.py": "custom_imports = dict(imports=['broken_syntax_mod_cfg'])\n",
                 "r.py": "custom_imports = dict(imports=['raising_mod_cfg'])\n"})
    monkeypatch.syspath_prepend(str(root))
    with pytest.raises(ConfigError) as err:
        Config.fromfile("s.py")
    assert str(err.value).startswith(f"{root / 'broken_syntax_mod_cfg.py'}:1: custom_imports: ")
    with pytest.raises(ConfigError) as err:
        Config.fromfile("r.py")
    assert str(err.value) == f"{root / 'raising_mod_cfg.py'}:2: custom_imports: RuntimeError: boom"
