"""Property tests: loading a generated config tree agrees with a small model of the merge rules.

The model (``expected_merge`` below) is written from MMCV's documented inheritance rules, independently
of hookport.config.merge: dicts merge key by key, ``_delete_=True`` replaces, anything else replaces,
a dict over a non-dict base value is an error.
"""
import os
import tempfile

from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.config import Config, ConfigError

names = st.sampled_from(["a", "b", "c", "d", "lr", "model", "type"])
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["x", "y", "SGD"]) | st.floats(0, 1)


def dicts(depth):
    leaf = scalars | st.lists(scalars, max_size=3)
    if depth == 0:
        return st.dictionaries(names, leaf, max_size=4)
    return st.dictionaries(names, leaf | dicts(depth - 1), max_size=4)


child_dicts = dicts(2).flatmap(lambda d: st.sampled_from([d, _with_delete(d)]))


def _with_delete(d):
    """Mark the first nested dict (if any) with _delete_=True."""
    out = dict(d)
    for key, value in out.items():
        if isinstance(value, dict):
            out[key] = {"_delete_": True, **value}
            break
    return out


class MergeError(Exception):
    pass


def expected_merge(base, child):
    result = dict(base)
    for key, value in child.items():
        if key == "_delete_":
            continue
        if isinstance(value, dict) and key in base and not value.get("_delete_", False):
            if not isinstance(base[key], dict):
                raise MergeError(key)
            result[key] = expected_merge(base[key], value)
        else:
            result[key] = _clean(value)
    return result


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != "_delete_"}
    return value


def _write(folder, name, text):
    with open(os.path.join(folder, name), "w") as handle:
        handle.write(text)


@settings(max_examples=120, deadline=None)
@given(dicts(2), child_dicts)
def test_child_over_base_matches_the_model(base, child):
    with tempfile.TemporaryDirectory() as folder:
        _write(folder, "base.py", Config(base).pretty_text if base else "")
        _write(folder, "child.py", "_base_ = 'base.py'\n" + (Config(child).pretty_text if child else ""))
        try:
            want = expected_merge(base, child)
        except MergeError:
            try:
                Config.fromfile(os.path.join(folder, "child.py"))
            except ConfigError as err:
                assert str(err).startswith(os.path.join(folder, "child.py") + ":")
                return
            raise AssertionError("expected a merge error")
        assert Config.fromfile(os.path.join(folder, "child.py")).to_dict() == want


@settings(max_examples=80, deadline=None)
@given(st.lists(dicts(1), min_size=1, max_size=4))
def test_sibling_bases_under_both_rules(bases):
    with tempfile.TemporaryDirectory() as folder:
        for index, base in enumerate(bases):
            _write(folder, f"b{index}.py", Config(base).pretty_text if base else "")
        listed = ", ".join(repr(f"b{i}.py") for i in range(len(bases)))
        _write(folder, "child.py", f"_base_ = [{listed}]\n")
        path = os.path.join(folder, "child.py")
        first_wins = {}
        for base in bases:
            for key, value in base.items():
                first_wins.setdefault(key, value)
        assert Config.fromfile(path, base_rule="imix").to_dict() == first_wins
        duplicated = sum(len(b) for b in bases) != len(first_wins)
        try:
            got = Config.fromfile(path).to_dict()
        except ConfigError as err:
            assert duplicated and "Duplicate key" in str(err)
        else:
            assert not duplicated and got == first_wins
