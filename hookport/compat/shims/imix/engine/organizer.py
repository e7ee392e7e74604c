"""Stand-in for ``imix.engine.organizer``: the global mode helpers hooks and models call."""
from hookport.compat.imix.loop import current_trainer

__all__ = ["is_by_iter", "is_mixed_precision"]


def is_by_iter() -> bool:
    """Whether the running iMIX training goes by iteration (the config has ``by_iter``)."""
    trainer = current_trainer()
    return trainer is not None and not trainer.by_epoch


def is_mixed_precision() -> bool:
    """Whether the running iMIX training uses ``fp16`` (autocast + GradScaler)."""
    trainer = current_trainer()
    return trainer is not None and trainer.cfg is not None and "fp16" in trainer.cfg
