"""iMIX's base rule on a golden tree (fixtures/config/imix/): the first base defining a key wins.

There is no runnable iMIX to generate reference data from; ``expected.json`` is written by hand from
iMIX's ``Config._file2dict`` as described in ../shared/reference/imix.md section 5.1.
"""
import json
import os

import pytest

from hookport.config import Config, ConfigError

from tests.config.reference_data import decode

TREE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "config", "imix", "vqa")


def test_first_base_wins_and_child_merges_over_it(monkeypatch):
    monkeypatch.chdir(TREE)
    with open("expected.json") as handle:
        expected = decode(json.load(handle))
    cfg = Config.fromfile("mcan/main.py", base_rule="imix")
    assert cfg.to_dict() == expected
    assert list(cfg) == list(expected)


def test_the_same_tree_is_an_error_under_the_mmcv_rule(monkeypatch):
    monkeypatch.chdir(TREE)
    with pytest.raises(ConfigError) as err:
        Config.fromfile("mcan/main.py")
    assert str(err.value) == ("mcan/main.py:5: Duplicate key 'total_epochs' among bases: defined in both "
                              "_base_/schedules/schedule_vqa.py and _base_/default_runtime.py")


def test_imix_rule_applies_at_every_level(tree):
    tree({"a.py": "k = 'a'\n", "b.py": "k = 'b'\nonly_b = 1\n",
          "mid.py": "_base_ = ['a.py', 'b.py']\n", "other.py": "k = 'other'\n",
          "top.py": "_base_ = ['other.py', 'mid.py']\n"})
    assert Config.fromfile("top.py", base_rule="imix").to_dict() == {"k": "other", "only_b": 1}
