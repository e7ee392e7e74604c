"""`hookport hooks` catches the same bad input as `run` and `schedule`, in every dialect."""
import json

import pytest

from tests.cli.conftest import IMIX_BY_ITER, MMCV_TOY


@pytest.mark.parametrize("base, assignment, message", [
    (IMIX_BY_ITER, "lr_config = dict(policy='WarmupMultiStepLRR', milestones=[4])",
     "unknown iMIX lr_config.policy 'WarmupMultiStepLRR'; did you mean 'WarmupMultiStepLR'"),
    (MMCV_TOY, "lr_config = dict(policy='cosineannealing', min_lr=0)",
     "lr_config: policy 'cosineannealing' resolves to CosineannealingLrUpdaterHook, which MMCV does not have"),
])
@pytest.mark.parametrize("command", ["hooks", "schedule"])
def test_unknown_lr_policy_is_reported_by_hooks_and_schedule(cli, write, mmcv_hooks_path, imix_hooks_path,
                                                             command, base, assignment, message):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\n{assignment}\n")
    extra = ("--iters-per-epoch", "3") if command == "schedule" else ()
    assert cli(command, cfg, *extra) == 2
    assert cli.error_line().startswith(f"{cfg}:2: {message}")


def test_imix_hooks_json_uses_imix_level_names(cli, imix_hooks_path):
    assert cli("hooks", IMIX_BY_ITER, "--json") == 0
    doc = json.loads(cli.out)
    assert doc["dialect"] == "imix"
    names = {h["priority"]: h["priority_name"] for h in doc["hooks"]}
    assert names[20] == "HIGH" and names[30] == "NORMAL" and names[50] == "LOWER"  # iMIX's, not MMCV's
    for stage, hooks in doc["mount_points"].items():
        assert all(h in doc["hooks"] for h in hooks), stage


@pytest.mark.parametrize("entry, message", [
    ("dict(priority=10)", "custom_hooks[0]: a hook config needs a 'type' key, got keys []"),
    ("dict(type='EMAHok')", "custom_hooks[0]: unknown hook type 'EMAHok'; did you mean 'EMAHook'?"),
])
def test_mmcv_custom_hook_entries_are_named(cli, write, mmcv_hooks_path, entry, message):
    cfg = write("cfg.py", f"_base_ = [{MMCV_TOY!r}]\ncustom_hooks = [{entry}]\n")
    assert cli("hooks", cfg) == 2
    assert cli.error_line() == f"{cfg}:2: {message}"
