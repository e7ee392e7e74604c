"""Stand-in for ``mmcv.utils``: registry helpers and small type checks used by legacy code."""
from hookport.hooks.hook import is_overridden as _is_overridden
from hookport.registry import Registry, build_from_cfg  # noqa: F401


def is_method_overridden(method: str, base_class, derived_class) -> bool:
    """Whether ``derived_class`` (a class or an instance) overrides ``method`` of ``base_class``."""
    cls = derived_class if isinstance(derived_class, type) else type(derived_class)
    return _is_overridden(cls, base_class, method)


def is_seq_of(seq, expected_type, seq_type=None) -> bool:
    """Whether ``seq`` is a sequence (of ``seq_type``) whose items are all ``expected_type``."""
    from collections.abc import Sequence

    if not isinstance(seq, seq_type or Sequence):
        return False
    return all(isinstance(item, expected_type) for item in seq)


def is_list_of(seq, expected_type) -> bool:
    """Whether ``seq`` is a list of ``expected_type``."""
    return is_seq_of(seq, expected_type, list)


def is_tuple_of(seq, expected_type) -> bool:
    """Whether ``seq`` is a tuple of ``expected_type``."""
    return is_seq_of(seq, expected_type, tuple)


__all__ = ["Registry", "build_from_cfg", "is_method_overridden", "is_seq_of", "is_list_of", "is_tuple_of"]
