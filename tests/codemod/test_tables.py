"""The rule tables are data with a contract: codes, provenance fields, patterns that parse."""
import re

import pytest

from hookport.converters.codemod import Options, tables

FAMILY = {"1": "imports", "2": "signatures", "3": "runner API", "9": "manual"}


def test_codes_follow_the_family_policy():
    codes = tables.load().codes
    assert codes
    for code in codes:
        assert re.fullmatch(r"HP[1239]\d\d", code), code


def test_import_rules_have_source_target_and_note():
    loaded = tables.load()
    for source, rule in loaded.imports.items():
        assert rule.note, source
        assert "." in source
        if rule.target is None:
            assert rule.code.startswith("HP9"), f"{source}: manual rules are HP9xx"
        else:
            assert rule.target.startswith("mmengine."), rule.target
            assert rule.code.startswith("HP1"), source


def test_chain_rules_have_a_note_and_manual_ones_are_hp9():
    for rule in tables.load().chains.values():
        assert rule.note, rule.source
        if rule.manual:
            assert rule.code.startswith("HP9"), rule.source
        else:
            assert rule.code.startswith("HP3"), rule.source


def test_scoped_registry_rule_follows_scope():
    rule = tables.load().imports["mmcv.runner.HOOKS"]
    assert rule.target_for(None) == ("mmengine.registry", "HOOKS")
    assert rule.target_for("mmdet") == ("mmdet.registry", "HOOKS")


@pytest.mark.parametrize("select,ignore,code,expected", [
    ((), (), "HP301", True),
    (("HP3",), (), "HP301", True),
    (("HP1",), (), "HP301", False),
    (("HP30",), ("HP301",), "HP301", False),
    ((), ("HP9",), "HP904", False),
])
def test_select_and_ignore_by_prefix(select, ignore, code, expected):
    assert Options(select=select, ignore=ignore).enabled(code) is expected


def test_flatten_understands_chains():
    import libcst as cst

    flat = tables.flatten(cst.parse_expression("runner.outputs['log_vars'].get()"))
    assert flat == ("runner", (("attr", "outputs"), ("item", "log_vars"), ("attr", "get"), ("call",)))
    assert tables.flatten(cst.parse_expression("runner.outputs[key]")) is None
