"""`--cfg-options` as users type it: Python literals, and one clear line for each kind of mistake."""
import json

import pytest

from tests.cli.conftest import MMENGINE_TOY


def test_values_are_python_literals(cli):
    assert cli("hooks", MMENGINE_TOY, "--json", "--cfg-options", "custom_hooks.0.priority=45",
               "default_hooks.checkpoint.interval=2") == 0
    ema = [h for h in json.loads(cli.out)["hooks"] if h["hook"] == "EMAHook"]
    assert ema == [{"hook": "EMAHook", "priority": 45, "priority_name": "45"}]


@pytest.mark.parametrize("option, message", [
    ("a.b=[1,2", "--cfg-options item 'a.b=[1,2': unclosed '[' in '[1,2'"),
    ("max_epochs", "--cfg-options item 'max_epochs': expected KEY=VALUE (e.g. train_cfg.max_epochs=4)"),
    ("custom_hooks.5.priority=10",
     "--cfg-options custom_hooks.5: list index 5 out of range (custom_hooks has 1 items)"),
    ("custom_hooks.x=1", "--cfg-options custom_hooks.x: custom_hooks is a list, so the key must be an index, got 'x'"),
    ("model.type.x=1", "--cfg-options model.type={'x': 1} is a dict but the base value is a str ('ToyClassifier')"),
])
@pytest.mark.parametrize("command", ["run", "hooks", "schedule"])
def test_bad_options_are_one_line_naming_the_option(cli, tmp_path, command, option, message):
    work = ("--work-dir", tmp_path / "w") if command == "run" else ()
    assert cli(command, MMENGINE_TOY, *work, "--cfg-options", option) == 2
    assert cli.error_line().startswith(message)
    assert not (tmp_path / "w").exists()


def test_a_string_priority_from_the_command_line_is_checked_like_one_in_a_file(cli):
    assert cli("hooks", MMENGINE_TOY, "--cfg-options", "custom_hooks.0.priority='45'") == 2
    assert "hook EMAHook: unknown priority name '45'" in cli.error_line()
