"""The safe evaluator, the formatter and the writer: literal subset, source kept, nothing executed."""
from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.converters.config.formatter import Formatter
from hookport.converters.config.reader import parse_source
from hookport.converters.config.values import Opaque, plain
from hookport.errors import ConfigError


def _values(text, base=None):
    return {a.name: a.value for a in parse_source(text, "cfg.py", base).assignments}


def test_literal_subset():
    values = _values(
        "root = 'data/'\n"
        "a = dict(x=1, y=[1, 2.5, -3], z=(True, None), **dict(w='k'))\n"
        "b = {'k': root + 'ann.json', 1: 2 ** 3}\n"
        "c = 5e-4 * 1024 / 512\n"
        "d = '{}_{}'.format('a', 3)\n"
        "e = 'epoch_%d' % 12\n"
        "f = a['y'][1]\n"
        "g = f'{root}x'\n"
        "h = '{{ _base_.lr }}'\n", base={"lr": 0.02})
    assert plain(values["a"]) == {"x": 1, "y": [1, 2.5, -3], "z": (True, None), "w": "k"}
    assert plain(values["b"]) == {"k": "data/ann.json", 1: 8}
    assert values["c"] == pytest.approx(0.001)
    assert (values["d"], values["e"], values["f"], values["g"], values["h"]) == ("a_3", "epoch_12", 2.5, "data/x", 0.02)


def test_anything_else_stays_source_text_and_is_never_run():
    values = _values("import os\nx = os.system('echo hacked')\ny = [i for i in range(3)]\nz = dict(k=undefined)\n")
    assert values["x"] == Opaque("os.system('echo hacked')")
    assert values["y"] == Opaque("[i for i in range(3)]")
    assert values["z"]["k"] == Opaque("undefined")


def test_mutations_are_noticed_and_lines_are_exact():
    cfg = parse_source("# c\n\nlr_config = dict(step=[1])\nlr_config['step'] = [2]\n", "cfg.py")
    assert cfg.line_of("lr_config") == 3 and cfg.mutated == {"lr_config": 4}


def test_syntax_error_is_located():
    with pytest.raises(ConfigError) as err:
        parse_source("x = 1\ny = dict(a=\n", "bad.py")
    assert str(err.value).startswith("bad.py:") and "syntax error" in str(err.value)


def test_bad_base_value():
    with pytest.raises(ConfigError, match="_base_ must be a string or a list of strings"):
        parse_source("_base_ = 3\n", "cfg.py")


def test_source_text_is_kept_for_untouched_elements():
    value = _values("p = [1]\nroot = 'r/'\nd = dict(pipeline=p, ann=root + 'a.json', n=1)\n")["d"]
    fmt = Formatter("cfg.py")
    assert fmt.assignment("d", value) == "d = dict(pipeline=p, ann=root + 'a.json', n=1)"
    assert Formatter("other.py").assignment("d", value) == "d = dict(pipeline=[1], ann='r/a.json', n=1)"


identifiers = st.text(string.ascii_lowercase, min_size=1, max_size=6).filter(lambda s: s not in ("if", "in", "is",
                                                                                                  "or", "as", "def"))
scalars = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=8), st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(identifiers, inner, max_size=4), st.dictionaries(st.integers(0, 9), inner, max_size=3)),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(values)
def test_formatted_values_read_back_equal(value):
    text = Formatter("cfg.py").assignment("x", value) + "\n"
    read = _values(text)["x"]
    assert plain(read) == value
    assert all(len(line) <= 79 or "'" in line or '"' in line for line in text.splitlines())
