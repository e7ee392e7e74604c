"""hookport.priority: resolving, naming and translating the three schemes."""
import enum

import pytest
from hypothesis import given, strategies as st

from hookport import priority as prio
from hookport.errors import PriorityError
from hookport.priority import Priority, PriorityStatus


@pytest.mark.parametrize("scheme", ["mmcv", "mmengine"])
@pytest.mark.parametrize("value, expected", [
    ("HIGHEST", 0), ("VERY_HIGH", 10), ("HIGH", 30), ("ABOVE_NORMAL", 40), ("NORMAL", 50),
    ("BELOW_NORMAL", 60), ("LOW", 70), ("VERY_LOW", 90), ("LOWEST", 100),
    ("normal", 50), (Priority.LOW, 70), (0, 0), (45, 45), (100, 100),
])
def test_mmcv_and_mmengine_resolve(scheme, value, expected):
    assert prio.resolve(value, scheme) == expected


@pytest.mark.parametrize("value, expected", [
    ("HIGHEST", 0), ("HIGHER", 10), ("HIGH", 20), ("NORMAL", 30), ("LOW", 40), ("LOWER", 50),
    ("LOWEST", 60), (PriorityStatus.HIGH, 20), (20, 20), (60, 60),
])
def test_imix_resolve(value, expected):
    assert prio.resolve(value, "imix") == expected


def test_same_name_means_different_values():
    assert prio.resolve("HIGH", "imix") == 20
    assert prio.resolve("HIGH", "mmcv") == 30


@pytest.mark.parametrize("scheme, value, fragment", [
    ("mmcv", "HIGHER", "unknown priority name 'HIGHER'"),
    ("imix", "VERY_HIGH", "unknown priority name 'VERY_HIGH'"),
    ("mmcv", 101, "invalid priority 101"),
    ("mmcv", -1, "invalid priority -1"),
    ("imix", 25, "invalid priority 25"),
    ("mmengine", 50.0, "invalid priority 50.0 (float)"),
    ("mmengine", True, "invalid priority True (bool)"),
    ("imix", False, "invalid priority False (bool)"),
    ("mmcv", None, "invalid priority None"),
    ("mmcv", PriorityStatus.HIGH, "belongs to another scheme"),
    ("imix", Priority.HIGH, "belongs to another scheme"),
])
def test_invalid_values_name_value_and_accepted(scheme, value, fragment):
    with pytest.raises(PriorityError) as info:
        prio.resolve(value, scheme)
    message = str(info.value)
    assert fragment in message
    assert "accepts" in message


def test_unknown_scheme():
    with pytest.raises(PriorityError, match="unknown priority scheme 'detectron2'"):
        prio.resolve(0, "detectron2")


@pytest.mark.parametrize("value, scheme, expected", [
    (50, "mmengine", "NORMAL"), (45, "mmcv", "45"), (30, "imix", "NORMAL"), (30, "mmcv", "HIGH"),
    (10, "imix", "HIGHER"), (10, "mmcv", "VERY_HIGH"),
])
def test_name(value, scheme, expected):
    assert prio.name(value, scheme) == expected


def test_translate_imix_levels_to_same_rank_names():
    pairs = {lvl.name: prio.name(prio.translate(lvl.value, "imix", "mmengine"), "mmengine") for lvl in PriorityStatus}
    assert pairs == {"HIGHEST": "HIGHEST", "HIGHER": "VERY_HIGH", "HIGH": "HIGH", "NORMAL": "NORMAL",
                     "LOW": "LOW", "LOWER": "VERY_LOW", "LOWEST": "LOWEST"}


def test_translate_round_trips_imix_levels():
    for lvl in PriorityStatus:
        there = prio.translate(lvl.value, "imix", "mmcv")
        assert prio.translate(there, "mmcv", "imix") == lvl.value


@given(st.integers(0, 100), st.integers(0, 100))
def test_translate_to_imix_is_monotone_and_valid(a, b):
    ta, tb = prio.translate(a, "mmengine", "imix"), prio.translate(b, "mmengine", "imix")
    assert ta in PriorityStatus._value2member_map_
    if a <= b:
        assert ta <= tb


@given(st.sampled_from(list(PriorityStatus)), st.sampled_from(list(PriorityStatus)))
def test_translate_from_imix_is_strictly_monotone(a, b):
    ta, tb = prio.translate(a.value, "imix", "mmengine"), prio.translate(b.value, "imix", "mmengine")
    assert (a < b) == (ta < tb)


@given(st.integers(0, 100))
def test_mmcv_mmengine_translation_is_identity(value):
    assert prio.translate(value, "mmcv", "mmengine") == value


def test_enum_of_unrelated_type_rejected():
    class Other(enum.Enum):
        HIGH = 30

    with pytest.raises(PriorityError):
        prio.resolve(Other.HIGH, "mmcv")
