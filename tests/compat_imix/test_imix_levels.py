"""iMIX levels: accepted values, clear errors, and iMIX's custom-hook insertion rule."""
import pytest
from hypothesis import given, strategies as st

from hookport.compat.imix.hook import HookBase
from hookport.compat.imix.levels import PriorityStatus, insertion_index, resolve_level
from hookport.errors import PriorityError

LEVELS = list(PriorityStatus)


class Plain(HookBase):
    pass


@given(st.sampled_from(LEVELS), st.sampled_from(["member", "int", "name", "lower"]))
def test_every_form_of_a_level_resolves_to_its_member(member, form):
    value = {"member": member, "int": member.value, "name": member.name, "lower": member.name.lower()}[form]
    hook = Plain()
    hook.level = value
    assert hook.level is member
    assert hook.priority == member.value


@given(st.integers().filter(lambda i: i not in {m.value for m in LEVELS}))
def test_ints_that_are_not_levels_are_rejected(value):
    # iMIX silently falls back to NORMAL with a warning; hookport names the hook and the accepted values.
    hook = Plain()
    with pytest.raises(PriorityError, match=r"Plain\.level: .*HIGHEST \(0\).*LOWEST \(60\)"):
        hook.level = value


@given(st.one_of(st.floats(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2),
                 st.text().filter(lambda s: s.strip().upper() not in PriorityStatus.__members__)))
def test_other_values_are_rejected(value):
    with pytest.raises(PriorityError):
        resolve_level(value, owner="X")


def test_mmengine_priority_names_are_not_imix_levels():
    with pytest.raises(PriorityError, match="ABOVE_NORMAL"):
        resolve_level("ABOVE_NORMAL")


def test_default_level_is_normal_even_without_hookbase_init():
    class NoInit(HookBase):
        def __init__(self):  # iMIX raises AttributeError when such a hook's level is read
            pass

    assert Plain().level is PriorityStatus.NORMAL
    assert NoInit().level is PriorityStatus.NORMAL


def _insert_all(defaults, customs):
    levels = sorted(defaults)
    order = [("d", i, lv) for i, lv in enumerate(levels)]
    for j, lv in enumerate(customs):
        order.insert(insertion_index([o[2] for o in order], lv), ("c", j, lv))
    return order


level_values = st.sampled_from([m.value for m in LEVELS])


@given(st.lists(level_values, max_size=8), st.lists(level_values, max_size=8))
def test_insertion_rule_equals_a_stable_sort_of_defaults_then_customs(defaults, customs):
    order = _insert_all(defaults, customs)
    expected = sorted([("d", i, lv) for i, lv in enumerate(sorted(defaults))]
                      + [("c", j, lv) for j, lv in enumerate(customs)], key=lambda o: o[2])
    assert order == expected


def test_insertion_examples_from_imix():
    defaults = [20, 20, 30, 30, 30, 30]
    assert insertion_index(defaults, 20) == 2  # between LRSchedulerHook and IterationTimerHook
    assert insertion_index(defaults, 30) == 6  # after every NORMAL hook
    assert insertion_index(defaults, 0) == 0  # iMIX crashes (TypeError); hookport puts it first
    after_x = defaults + [50]
    assert insertion_index(after_x, 40) == 6  # levels 50 then 40 end up ..., Y:40, X:50


def test_a_real_imix_priority_status_member_is_accepted():
    import enum

    class PriorityStatus(enum.Enum):  # iMIX's own enum (a plain Enum) when iMIX is installed
        HIGH = 20
        LOW = 40

    assert resolve_level(PriorityStatus.LOW).name == "LOW"

    class Priority(enum.IntEnum):  # another scheme's enum stays an error
        HIGH = 30

    with pytest.raises(PriorityError):
        resolve_level(Priority.HIGH)
