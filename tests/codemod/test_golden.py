"""Golden ``*.in.py`` -> ``*.out.py`` pairs (collected by glob), idempotence and parse checks."""
import ast
import difflib
import re

import pytest

from hookport.converters.codemod import Status, transform_source

from .conftest import FIXTURES, golden_pairs, options_for

PAIRS = golden_pairs()


def _expected(path):
    return path.with_name(path.name.replace(".in.py", ".out.py")).read_text()


@pytest.mark.parametrize("path", PAIRS, ids=[str(p.relative_to(FIXTURES))[:-6] for p in PAIRS])
def test_golden(path):
    source = path.read_text()
    outcome = transform_source(source, str(path), options_for(path))
    assert outcome.status is not Status.FAILED, outcome.reason
    output = outcome.output if outcome.status is Status.CHANGED else source
    # To regenerate after a reviewed change:
    # path.with_name(path.name.replace(".in.py", ".out.py")).write_text(output)
    assert output == _expected(path)
    ast.parse(output)


@pytest.mark.parametrize("path", PAIRS, ids=[str(p.relative_to(FIXTURES))[:-6] for p in PAIRS])
def test_second_run_changes_nothing(path):
    expected = _expected(path)
    outcome = transform_source(expected, str(path), options_for(path))
    assert outcome.status in (Status.SKIPPED, Status.UNCHANGED), (outcome.status, outcome.reason)


def test_noop_fixtures_are_byte_identical():
    noops = sorted(FIXTURES.glob("**/*_noop.in.py"))
    assert noops
    for path in noops:
        assert _expected(path) == path.read_text()
        assert transform_source(path.read_text(), str(path)).status is Status.SKIPPED


def test_every_rule_code_is_exercised_by_a_fixture():
    from hookport.converters.codemod import tables

    seen = set()
    for path in PAIRS:
        outcome = transform_source(path.read_text(), str(path), options_for(path))
        seen.update(outcome.fixes)
        seen.update(t.code for t in outcome.todos)
    missing = sorted(set(tables.load().codes) - seen)
    assert not missing, f"rule codes without a golden fixture: {missing}"


def test_todo_comments_sit_directly_above_the_construct():
    path = FIXTURES / "rules" / "hp302_data_loader.in.py"
    lines = transform_source(path.read_text(), str(path)).output.splitlines()
    i = next(n for n, line in enumerate(lines) if "TODO(hookport HP903)" in line)
    assert "runner.data_loader" in lines[i + 1]
    assert lines[i].index("#") == lines[i + 1].index("runner")  # same indentation


def test_line_endings_and_tab_indentation_are_kept():
    source = (FIXTURES / "hooks" / "memory_profiler.in.py").read_text()
    expected = _expected(FIXTURES / "hooks" / "memory_profiler.in.py")
    crlf = transform_source(source.replace("\n", "\r\n"), "crlf.py").output
    assert crlf == expected.replace("\n", "\r\n")
    tabs = transform_source(source.replace("    ", "\t"), "tabs.py").output
    ast.parse(tabs)
    assert "\tdef after_val_iter(self," in tabs and "    def" not in tabs
    assert transform_source(tabs, "tabs.py").status is Status.SKIPPED


def _lead(line):
    """The statement's first token (`def`, `if`, `runner`, `@HOOKS`...): kept by every rewrite."""
    return re.match(r"\s*(@?\w+)", line).group(1)


@pytest.mark.parametrize("path", PAIRS, ids=[str(p.relative_to(FIXTURES))[:-6] for p in PAIRS])
def test_todos_report_the_input_line_of_their_construct(path):
    source = path.read_text()
    outcome = transform_source(source, str(path), options_for(path))
    if outcome.status is not Status.CHANGED:
        return
    src, out = source.splitlines(), outcome.output.splitlines()
    for todo in outcome.todos:
        assert f"TODO(hookport {todo.code})" in out[todo.output_line - 1]
        construct = next(line for line in out[todo.output_line - 1:] if not line.lstrip().startswith("#"))
        original = src[todo.line - 1]
        similar = difflib.SequenceMatcher(None, original.strip(), construct.strip()).ratio() > 0.6
        assert similar or _lead(original) == _lead(construct), (todo, original, construct)
