"""Stand-in for ``mmcv.parallel``: wrapper detection, the MMCV data-parallel wrappers, DataContainer and collate."""

_WRAPPERS = ("DataParallel", "DistributedDataParallel", "MMDataParallel", "MMDistributedDataParallel",
             "DistributedModel")


def is_module_wrapper(module) -> bool:
    """Whether ``module`` is a (Distributed)DataParallel-style wrapper (has ``.module``)."""
    return any(cls.__name__ in _WRAPPERS for cls in type(module).__mro__) and hasattr(module, "module")


def __getattr__(name):
    if name in ("MMDataParallel", "MMDistributedDataParallel"):
        from hookport.compat.shims.mmcv.parallel import wrappers

        return getattr(wrappers, name)
    if name in ("DataContainer", "collate", "scatter"):
        from hookport.compat.mmcv import data_container

        return getattr(data_container, name)
    raise AttributeError(f"module 'mmcv.parallel' (hookport stand-in) has no attribute {name!r}")


__all__ = ["is_module_wrapper", "MMDataParallel", "MMDistributedDataParallel", "DataContainer", "collate",
           "scatter"]
