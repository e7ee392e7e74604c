"""--cfg-options parsing and merging (value rules in hookport/config/options.py)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.config import Config, ConfigError, parse_cfg_options


@pytest.mark.parametrize("text, value", [
    ("train_cfg.max_epochs=4", 4),
    ("x=0.1", 0.1),
    ("x='a b'", "a b"),
    ("x=a b", "a b"),               # whitespace kept (mmengine would give 'ab')
    ("x=0x10", 16),                 # a Python literal (mmengine: '0x10')
    ("x={'k': [1, 2]}", {"k": [1, 2]}),
    ('x="[1,2]"', "[1,2]"),          # quoting forces a string
    ("x=(1,)", (1,)),
    ("x=[1, 'two', three]", [1, "two", "three"]),
    ("x=[dict, (a, 1)]", ["dict", ("a", 1)]),
    ("x=1,2", [1, 2]),               # comma list: a list, as in mmcv/mmengine
    ("x= 3 ", 3),
    ("x=a=b", "a=b"),                # split on the first '='
    ("x=[1,2,]", [1, 2]),
])
def test_values(text, value):
    key = text.partition("=")[0]
    assert parse_cfg_options([text]) == {key: value}


def test_later_items_win_and_keys_are_kept_dotted():
    assert parse_cfg_options(["a.b=1", "c=[1,2]", "d=x", "a.b=2"]) == {"a.b": 2, "c": [1, 2], "d": "x"}


@pytest.mark.parametrize("item, message", [
    ("novalue", "--cfg-options item 'novalue': expected KEY=VALUE"),
    ("=3", "--cfg-options item '=3': expected KEY=VALUE"),
    ("a..b=3", "--cfg-options item 'a..b=3': key 'a..b' has an empty part"),
    ("a=[1,2", "--cfg-options item 'a=[1,2': unclosed '['"),
    ("a=[1,2)]", "--cfg-options item 'a=[1,2)]': unbalanced ')'"),
])
def test_bad_items_name_the_item(item, message):
    with pytest.raises(ConfigError) as err:
        parse_cfg_options([item])
    assert str(err.value).startswith(message)


# Values with a Python literal form: repr() must parse back to the same value.
literal_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                   | st.text(max_size=10))
literals = st.recursive(literal_scalars,
                        lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
                        | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                        max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(literals)
def test_python_literals_round_trip(value):
    assert parse_cfg_options([f"k={value!r}"]) == {"k": value}


# The DictAction way: bare words, no quotes, no spaces, brackets nest.
words = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: s not in {"true", "false", "inf", "nan", "infinity"})
bare_scalars = st.integers() | words | st.booleans() | st.none()
bare_values = st.recursive(bare_scalars,
                           lambda inner: st.lists(inner, max_size=4) | st.lists(inner, min_size=2, max_size=4).map(tuple),
                           max_leaves=12)


def bare(value):
    """Write ``value`` the way a shell user types it for MMCV's DictAction."""
    if isinstance(value, list):
        return "[" + ",".join(bare(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ",".join(bare(v) for v in value) + ")"
    return str(value)


@settings(max_examples=200, deadline=None)
@given(bare_values)
def test_bare_words_like_dict_action(value):
    assert parse_cfg_options([f"k={bare(value)}"]) == {"k": value}


def test_merge_options_into_config():
    cfg = Config({"model": {"type": "A", "depth": 18}, "custom_hooks": [{"type": "H", "priority": 50}]})
    cfg.merge_from_options(["model.depth=50", "custom_hooks.0.priority=LOW", "work_dir=out"])
    assert cfg.to_dict() == {"model": {"type": "A", "depth": 50},
                             "custom_hooks": [{"type": "H", "priority": "LOW"}], "work_dir": "out"}


@pytest.mark.parametrize("options, message", [
    ({"custom_hooks.3.priority": 1}, "custom_hooks.3: list index 3 out of range (custom_hooks has 1 items)"),
    ({"custom_hooks.x": 1}, "custom_hooks.x: custom_hooks is a list, so the key must be an index, got 'x'"),
    ({"model.depth.x": 1}, "model.depth={'x': 1} is a dict but the base value is a int (18)"),
])
def test_merge_errors_name_the_key(options, message):
    cfg = Config({"model": {"depth": 18}, "custom_hooks": [{"type": "H"}]})
    with pytest.raises(ConfigError) as err:
        cfg.merge_from_dict(options)
    assert str(err.value).startswith(message)
    assert cfg.to_dict() == {"model": {"depth": 18}, "custom_hooks": [{"type": "H"}]}  # unchanged


def test_list_keys_need_allow_list_keys():
    cfg = Config({"a": [{"p": 1}]})
    with pytest.raises(ConfigError, match="set _delete_=True"):
        cfg.merge_from_dict({"a.0.p": 2}, allow_list_keys=False)
