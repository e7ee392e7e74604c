"""hookport.runner.dispatch: ordering, precomputed call lists, info and JSON."""
import pytest
from hypothesis import given, strategies as st

from hookport.errors import HookValidationError
from hookport.hooks import Hook
from hookport.runner.dispatch import HookTable


class Recorder(Hook):
    def __init__(self, name, log):
        self.name, self.log = name, log

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.log.append((self.name, "before_train_iter", batch_idx))


class EpochOnly(Hook):
    def _after_epoch(self, runner, mode="train"):
        pass


class Silent(Hook):
    pass


def test_non_overriding_hook_is_absent_from_every_call_list():
    table = HookTable("mmengine")
    table.register(Silent())
    assert all(table.calls(stage) == () for stage in table.stages)


def test_generic_helper_override_triggers_all_modes():
    table = HookTable("mmengine")
    hook = EpochOnly()
    table.register(hook)
    stages = [s for s in table.stages if table.members(s)]
    assert stages == ["after_train_epoch", "after_val_epoch", "after_test_epoch"]


def test_ties_keep_registration_order_and_call_args():
    log = []
    table = HookTable("mmengine")
    table.register(Recorder("a", log), "NORMAL")
    table.register(Recorder("b", log), "HIGH")
    table.register(Recorder("c", log), 50)
    table.call("before_train_iter", None, 7, None)
    assert log == [("b", "before_train_iter", 7), ("a", "before_train_iter", 7), ("c", "before_train_iter", 7)]


@given(st.lists(st.sampled_from([0, 10, 30, 40, 50, 60, 70, 90, 100, 45]), min_size=1, max_size=12))
def test_order_is_stable_sort_by_priority(priorities):
    table = HookTable("mmcv")
    hooks = []
    for i, p in enumerate(priorities):
        hook = Recorder(str(i), [])
        hooks.append(hook)
        table.register(hook, p)
    expected = [h for _, _, h in sorted((p, i, h) for i, (p, h) in enumerate(zip(priorities, hooks)))]
    assert table.hooks == expected


def test_bad_signature_named_at_registration():
    class Legacy(Hook):
        def after_train_iter(self, runner, extra):  # MMEngine passes 3 args after runner
            pass

    with pytest.raises(HookValidationError, match=r"Legacy\.after_train_iter.*cannot be called"):
        HookTable("mmengine").register(Legacy())


def test_bad_priority_named_at_registration():
    with pytest.raises(HookValidationError, match="hook Silent: unknown priority name 'SOON'"):
        HookTable("mmengine").register(Silent(), "SOON")


def test_info_layout_and_json():
    table = HookTable("mmengine")
    table.register(Recorder("a", []), "VERY_HIGH")
    table.register(Recorder("b", []), 45)
    assert table.info() == (
        "before_train_iter:\n"
        f"({'VERY_HIGH':<12}) {'Recorder':<35}\n"
        f"({'45':<12}) {'Recorder':<35}\n"
        " -------------------- "
    )
    doc = table.as_json("mmengine")
    assert doc["hooks"] == [
        {"hook": "Recorder", "priority": 10, "priority_name": "VERY_HIGH"},
        {"hook": "Recorder", "priority": 45, "priority_name": "45"},
    ]
    assert list(k for k, v in doc["mount_points"].items() if v) == ["before_train_iter"]


def test_imix_scheme_names_levels():
    table = HookTable("imix")
    table.register(Recorder("a", []), 30)
    assert table.as_json("imix")["hooks"][0]["priority_name"] == "NORMAL"
    assert table.hooks[0].priority == 30
