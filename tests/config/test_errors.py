"""Every config error is a ConfigError whose text starts with the exact ``file:line:``."""
import pytest

from hookport.config import Config, ConfigError


def _error(path, **kwargs):
    with pytest.raises(ConfigError) as err:
        Config.fromfile(path, **kwargs)
    return str(err.value)


def test_syntax_error_line(tree):
    tree({"cfg.py": "a = 1\nb = dict(\n    x=1\n    y=2)\n"})
    assert _error("cfg.py").startswith("cfg.py:3: invalid syntax")


def test_syntax_error_in_a_base_names_the_base(tree):
    tree({"sub/base.py": "a = = 1\n", "cfg.py": "_base_ = ['sub/base.py']\n"})
    assert _error("cfg.py").startswith("sub/base.py:1: invalid syntax")


def test_runtime_error_line_and_type(tree):
    tree({"cfg.py": "a = 1\nb = 2\nc = {}['missing']\n"})
    assert _error("cfg.py") == "cfg.py:3: KeyError: 'missing'"


def test_runtime_error_inside_a_function_reports_the_config_line(tree):
    tree({"cfg.py": "def f():\n    return 1 / 0\n\nx = 1\ny = f()\n"})
    assert _error("cfg.py") == "cfg.py:2: ZeroDivisionError: division by zero"


def test_missing_base_points_at_its_entry(tree):
    tree({"a.py": "x = 1\n", "cfg.py": "_base_ = [\n    'a.py',\n    'nope.py',\n]\n"})
    assert _error("cfg.py") == "cfg.py:3: _base_ file 'nope.py' not found (looked for nope.py)"


def test_cyclic_bases(tree):
    tree({"a.py": "_base_ = 'b.py'\n", "b.py": "x = 1\n_base_ = 'a.py'\n"})
    assert _error("a.py") == "b.py:2: cyclic _base_: a.py -> b.py -> a.py"


def test_self_base(tree):
    tree({"a.py": "_base_ = './a.py'\n"})
    assert _error("a.py") == "a.py:1: cyclic _base_: a.py -> a.py"


@pytest.mark.parametrize("value", ["1", "['a.py', 2]", "'a' + '.py'"])
def test_bad_base_value(tree, value):
    tree({"a.py": "x = 1\n", "cfg.py": f"y = 0\n_base_ = {value}\n"})
    assert _error("cfg.py").startswith("cfg.py:2: _base_ must be a")


def test_unknown_reference(tree):
    tree({"base.py": "a = dict(b=1)\n", "cfg.py": "_base_ = 'base.py'\n\nx = '{{_base_.a.c}}'\n"})
    assert _error("cfg.py") == "cfg.py:3: {{_base_.a.c}}: _base_.a has no 'c'"


def test_reference_without_bases(tree):
    tree({"cfg.py": "x = 1\ny = {{_base_.x}}\n"})
    assert _error("cfg.py") == "cfg.py:2: {{_base_.x}} is used but the config has no _base_"


def test_dict_over_non_dict_base_value(tree):
    tree({"base.py": "a = 1\n", "cfg.py": "_base_ = 'base.py'\nb = 2\na = dict(x=1)\n"})
    message = _error("cfg.py")
    assert message.startswith("cfg.py:3: a={'x': 1} is a dict but the base value is a int")
    assert "_delete_=True" in message


def test_missing_file_and_bad_suffix(tree):
    tree({"cfg.txt": "a=1\n"})
    assert _error("nope.py") == "nope.py: no such config file"
    assert _error("cfg.txt").startswith("cfg.txt: unsupported config type '.txt'")


def test_yaml_and_json_syntax_errors(tree):
    tree({"a.yaml": "a: 1\nb: [1, 2\nc: 3\n", "a.json": '{\n  "a": 1,\n  "b": \n}\n',
          "list.yaml": "- 1\n- 2\n"})
    assert _error("a.yaml").startswith("a.yaml:")
    assert _error("a.json").startswith("a.json:4: invalid JSON: ")
    assert _error("list.yaml") == "list.yaml:1: a config must be a mapping at the top level, got list"


def test_bad_base_in_yaml(tree):
    tree({"a.yaml": "x: 1\n_base_: missing.yaml\n"})
    assert _error("a.yaml") == "a.yaml:2: _base_ file 'missing.yaml' not found (looked for missing.yaml)"


def test_exit_and_hookport_errors_in_a_config_are_located(tree):
    tree({"exit.py": "import sys\na = 1\nsys.exit(3)\n",
          "raises.py": "from hookport.errors import ConfigError\nx = 1\nraise ConfigError('custom problem')\n",
          "multi.py": "raise ValueError('first line\\nsecond line')\n"})
    assert _error("exit.py") == "exit.py:3: SystemExit: 3"
    assert _error("raises.py") == "raises.py:3: custom problem"
    assert _error("multi.py") == "multi.py:1: ValueError: first line"


def test_merge_conflict_in_yaml_points_at_the_key(tree):
    tree({"base.yaml": "a: 1\n", "child.yaml": "_base_: base.yaml\nb: 2\na:\n  x: 1\n"})
    assert _error("child.yaml").startswith("child.yaml:3: a={'x': 1} is a dict but the base value is a int")


def test_reserved_key(tree):
    tree({"cfg.py": "a = 1\n\nfilename = 'x'\n"})
    assert _error("cfg.py") == "cfg.py:3: 'filename' is a reserved name (a Config attribute) and cannot be a config key"


def test_not_utf8(tree, tmp_path):
    tree({})
    (tmp_path / "bin.py").write_bytes(b"a = '\xff\xfe'\n")
    assert _error("bin.py").startswith("bin.py: cannot read config: ")


def test_conflicting_options():
    from hookport.config import Config

    with pytest.raises(ConfigError, match="option 'a.b' reaches into 'a', which an earlier option set to 1"):
        Config({}).merge_from_dict({"a": 1, "a.b": 2})
    cfg = Config({})
    cfg.merge_from_dict({"a.b": 2, "a": 1})
    assert cfg.to_dict() == {"a": 1}


def test_merge_conflict_in_json_points_at_the_top_level_key(tree):
    tree({"base.json": '{"a": 1}',
          "child.json": '{\n  "_base_": "base.json",\n  "n": {\n      "a": 5\n  },\n  "a": {"x": 1}\n}\n'})
    assert _error("child.json").startswith("child.json:6: a={'x': 1} is a dict")
