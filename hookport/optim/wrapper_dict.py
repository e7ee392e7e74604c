"""OptimWrapperDict: several optimizer wrappers under names, for models with several optimizers (GANs).

The model's ``train_step`` gets the dict and steps each wrapper itself
(``optim_wrapper['generator'].update_params(loss)``); the runner, the hooks and the checkpoints
treat the dict as one wrapper: learning rates are logged as ``train/<name>.lr``, the
checkpoint's ``optimizer`` holds one state per name, and ``param_scheduler`` may give a list per
name. As in MMEngine 0.10.7, calling a single-optimizer method (``update_params``, ``backward``,
``step``, ``optim_context``) on the dict is an error: it cannot know which optimizer is meant.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

from hookport.errors import ConfigError
from hookport.optim.wrapper import OptimWrapper
from hookport.registry import OPTIM_WRAPPERS


def _per_optimizer(name: str, quote: str = "`"):
    def refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"`{name}` should be called by each optimizer separately{quote}")
    refuse.__name__ = name
    refuse.__doc__ = f"Not on the dict: call ``{name}`` on ``optim_wrapper[name]``."
    return refuse


@OPTIM_WRAPPERS.register_module()
class OptimWrapperDict(OptimWrapper):
    """Named :class:`~hookport.optim.wrapper.OptimWrapper` objects that act as one for the runner."""

    def __init__(self, **optim_wrappers: OptimWrapper):
        for name, wrapper in optim_wrappers.items():
            if not isinstance(wrapper, OptimWrapper):
                raise ConfigError(f"OptimWrapperDict only accepts OptimWrapper instances, but got {name}: "
                                  f"{type(wrapper)}")
        self.optim_wrappers: Dict[str, OptimWrapper] = dict(optim_wrappers)

    update_params = _per_optimizer("update_params")
    backward = _per_optimizer("backward")
    step = _per_optimizer("step")
    optim_context = _per_optimizer("optim_context", quote="")

    def zero_grad(self, **kwargs: Any) -> None:
        """Zero every optimizer's gradients."""
        for wrapper in self.optim_wrappers.values():
            wrapper.zero_grad(**kwargs)

    def initialize_count_status(self, model: Any, init_counts: int, max_counts: int) -> None:
        """Set up every wrapper's accumulation counters."""
        for wrapper in self.optim_wrappers.values():
            wrapper.initialize_count_status(model, init_counts, max_counts)

    @property
    def param_groups(self) -> Dict[str, List[dict]]:  # type: ignore[override]
        """``{name: that optimizer's param_groups}``."""
        return {name: wrapper.param_groups for name, wrapper in self.optim_wrappers.items()}

    def get_lr(self) -> Dict[str, List[float]]:
        """``{'<name>.lr': [lr of each group]}`` for every optimizer."""
        return {f"{name}.lr": wrapper.get_lr()["lr"] for name, wrapper in self.optim_wrappers.items()}

    def get_momentum(self) -> Dict[str, List[float]]:
        """``{'<name>.momentum': [...]}`` for every optimizer (``betas[0]`` for Adam-like ones)."""
        return {f"{name}.momentum": wrapper.get_momentum()["momentum"]
                for name, wrapper in self.optim_wrappers.items()}

    def state_dict(self) -> Dict[str, dict]:
        """``{name: that wrapper's state}`` (the checkpoint's ``optimizer``)."""
        return {name: wrapper.state_dict() for name, wrapper in self.optim_wrappers.items()}

    def load_state_dict(self, state_dict: Dict[str, dict]) -> None:
        """Load each named state into the wrapper of that name."""
        for name, state in state_dict.items():
            if name not in self.optim_wrappers:
                raise ConfigError(f"mismatched state_dict: the OptimWrapperDict has no optimizer {name!r} "
                                  f"(it has {sorted(self.optim_wrappers)})")
            self.optim_wrappers[name].load_state_dict(state)

    @property
    def message_hub(self) -> Any:
        """The hub the wrappers report to (set on each of them)."""
        return next((getattr(w, "message_hub", None) for w in self.optim_wrappers.values()), None)

    @message_hub.setter
    def message_hub(self, hub: Any) -> None:
        for wrapper in self.optim_wrappers.values():
            wrapper.message_hub = hub

    def items(self) -> Iterator[Tuple[str, OptimWrapper]]:
        """``(name, wrapper)`` pairs."""
        return iter(self.optim_wrappers.items())

    def values(self) -> Iterator[OptimWrapper]:
        """The wrappers."""
        return iter(self.optim_wrappers.values())

    def keys(self) -> Iterator[str]:
        """The names."""
        return iter(self.optim_wrappers.keys())

    def __getitem__(self, name: str) -> OptimWrapper:
        if name not in self.optim_wrappers:
            raise KeyError(f"no optimizer wrapper named {name!r}; there are {sorted(self.optim_wrappers)}")
        return self.optim_wrappers[name]

    def __contains__(self, name: Any) -> bool:
        return name in self.optim_wrappers

    def __len__(self) -> int:
        return len(self.optim_wrappers)

    def __repr__(self) -> str:
        return "\n".join(f"name: {name}\n{wrapper!r}" for name, wrapper in self.optim_wrappers.items())
