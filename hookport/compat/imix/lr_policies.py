"""iMIX's LR schedulers (``lr_config.policy``), torch-free.

iMIX builds ``lr_config`` into a ``torch.optim.lr_scheduler`` subclass from its
``LR_SCHEDULERS`` registry (``imix/solver/lr_scheduler.py``) and steps it after
every (accumulated) iteration. Each policy here is the same closed form
``lr = base_lr * factor(step)`` acting on ``optimizer.param_groups`` (a list
of dicts), so it runs on a torch optimizer and on a simulated one alike. Like
torch schedulers, construction applies step 0 and every :meth:`step` advances
by one.

Where iMIX's released code is broken, the evident intent is implemented:

* ``PythiaScheduler`` reads ``self._global_config``, which nothing sets
  (``AttributeError`` at construction). Here it takes the keys its lambda reads
  from that config (``use_warmup``, ``warmup_iterations``, ``warmup_factor``,
  ``lr_steps``, ``lr_ratio``) as keyword arguments, i.e. from ``lr_config``.
* ``BertWarmupLinearLR`` with ``warmup_method='warmup_cosine'`` calls
  ``torch.cos`` on a float (``TypeError``); ``math.cos`` is used.
* ``ReduceOnPlateauSchedule`` needs a metric each step and is not supported
  (a clear error names it).
"""
from __future__ import annotations

import difflib
import math
from bisect import bisect_right
from typing import Any, Callable, Dict, List, Sequence

from hookport.errors import ConfigError

__all__ = ["ImixLRPolicy", "POLICIES", "build_policy"]

POLICIES: Dict[str, type] = {}


def _policy(cls: type) -> type:
    POLICIES[cls.__name__] = cls
    return cls


class ImixLRPolicy:
    """Base: ``lr = base_lr * factor(last_epoch)`` per param group (``last_epoch`` counts steps)."""

    def __init__(self, optimizer: Any, last_epoch: int = -1):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs: List[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def factor(self, step: int) -> float:
        """The multiplier applied to every base LR at ``step``."""
        raise NotImplementedError

    def get_lr(self) -> List[float]:
        """The LRs for the current step."""
        f = self.factor(self.last_epoch)
        return [base_lr * f for base_lr in self.base_lrs]

    def step(self) -> None:
        """Advance one step and write the new LRs into the param groups."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr

    def get_last_lr(self) -> List[float]:
        """The LRs written by the last step."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> Dict[str, Any]:
        """What a checkpoint keeps: the step count and the base LRs."""
        return {"last_epoch": self.last_epoch, "base_lrs": list(self.base_lrs)}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Restore :meth:`state_dict` and rewrite the current LRs."""
        self.last_epoch = state["last_epoch"]
        self.base_lrs = list(state["base_lrs"])
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr


def _warmup_factor(method: str, step: int, warmup_iters: int, warmup_factor: float) -> float:
    # detectron2's _get_warmup_factor_at_iter.
    if step >= warmup_iters:
        return 1.0
    if method == "constant":
        return warmup_factor
    if method == "linear":
        alpha = step / warmup_iters
        return warmup_factor * (1 - alpha) + alpha
    raise ConfigError(f"lr_config: unknown warmup_method {method!r}; expected 'linear' or 'constant'")


@_policy
class WarmupMultiStepLR(ImixLRPolicy):
    """Warm-up (linear or constant) times ``gamma ** (milestones passed)``."""

    def __init__(self, optimizer, milestones: Sequence[int], gamma: float = 0.1, warmup_factor: float = 0.001,
                 warmup_iters: int = 1000, warmup_method: str = "linear", last_epoch: int = -1):
        if list(milestones) != sorted(milestones):
            raise ConfigError(f"lr_config.milestones must be increasing, got {list(milestones)}")
        self.milestones, self.gamma = list(milestones), gamma
        self.warmup_factor, self.warmup_iters, self.warmup_method = warmup_factor, warmup_iters, warmup_method
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """Warm-up factor times ``gamma`` per milestone passed."""
        warm = _warmup_factor(self.warmup_method, step, self.warmup_iters, self.warmup_factor)
        return warm * self.gamma ** bisect_right(self.milestones, step)


@_policy
class WarmupCosineLR(ImixLRPolicy):
    """Warm-up times a half cosine over ``max_iters`` starting at step 0."""

    def __init__(self, optimizer, max_iters: int, warmup_factor: float = 0.001, warmup_iters: int = 1000,
                 warmup_method: str = "linear", last_epoch: int = -1):
        self.max_iters = max_iters
        self.warmup_factor, self.warmup_iters, self.warmup_method = warmup_factor, warmup_iters, warmup_method
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """Warm-up factor times the half cosine at ``step / max_iters``."""
        warm = _warmup_factor(self.warmup_method, step, self.warmup_iters, self.warmup_factor)
        return warm * 0.5 * (1.0 + math.cos(math.pi * step / self.max_iters))


@_policy
class PythiaScheduler(ImixLRPolicy):
    """MMF/Pythia: linear warm-up up to and including ``warmup_iterations``, then ``lr_ratio`` steps."""

    def __init__(self, optimizer, lr_steps: Sequence[int] = (), lr_ratio: float = 0.1, use_warmup: bool = False,
                 warmup_iterations: int = 0, warmup_factor: float = 1.0, last_epoch: int = -1):
        self.lr_steps, self.lr_ratio = list(lr_steps), lr_ratio
        self.use_warmup, self.warmup_iterations, self.warmup_factor = use_warmup, warmup_iterations, warmup_factor
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """Linear warm-up while ``step <= warmup_iterations``, else ``lr_ratio`` per step passed."""
        if self.use_warmup is True and step <= self.warmup_iterations:
            alpha = float(step) / float(self.warmup_iterations)
            return self.warmup_factor * (1.0 - alpha) + alpha
        return self.lr_ratio ** bisect_right(self.lr_steps, step)


@_policy
class MultiStepScheduler(PythiaScheduler):
    """iMIX's MultiStepScheduler: Pythia's math; ``warmup_iterations`` must precede the first step."""

    def __init__(self, optimizer, lr_steps: Sequence[int], lr_ratio: float, use_warmup: bool,
                 warmup_factor: float, warmup_iterations: int = 0, last_epoch: int = -1):
        warmup_iterations = warmup_iterations if use_warmup else 0
        if lr_steps and warmup_iterations >= lr_steps[0]:
            raise ConfigError(f"lr_config: warmup_iterations ({warmup_iterations}) must be below the first "
                              f"lr_steps entry ({lr_steps[0]})")
        super().__init__(optimizer, lr_steps, lr_ratio, use_warmup, warmup_iterations, warmup_factor, last_epoch)


@_policy
class WarmupLinearScheduleNonZero(ImixLRPolicy):
    """Linear warm-up from 0, linear decay to 0 at ``t_total``, floored at ``min_lr`` (absolute)."""

    def __init__(self, optimizer, t_total: int, warmup_iterations: int = 0, use_warmup: bool = False,
                 min_lr: float = 1e-5, last_epoch: int = -1):
        self.t_total, self.warmup_iters, self.use_warmup, self.min_lr = t_total, warmup_iterations, use_warmup, min_lr
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """Linear warm-up from 0, then linear decay to 0 at ``t_total``."""
        if step < self.warmup_iters:
            return float(step) / float(max(1, self.warmup_iters))
        return max(0.0, float(self.t_total - step) / float(max(1.0, self.t_total - self.warmup_iters)))

    def get_lr(self):
        """The LRs for the current step, none below ``min_lr``."""
        f = self.factor(self.last_epoch)
        return [base_lr * f if base_lr * f > self.min_lr else self.min_lr for base_lr in self.base_lrs]


def _bert_warmup_cosine(x: float, warmup: float) -> float:
    return x / warmup if x < warmup else 0.5 * (1.0 + math.cos(math.pi * x))


def _bert_warmup_constant(x: float, warmup: float) -> float:
    return x / warmup if x < warmup else 1.0


def _bert_warmup_linear(x: float, warmup: float) -> float:
    return x / warmup if x < warmup else max((x - 1.0) / (warmup - 1.0), 0.0)


_BERT_SCHEDULES: Dict[str, Callable[[float, float], float]] = {
    "warmup_cosine": _bert_warmup_cosine,
    "warmup_constant": _bert_warmup_constant,
    "warmup_linear": _bert_warmup_linear,
}


@_policy
class BertWarmupLinearLR(ImixLRPolicy):
    """BERT's schedules over ``progress = step / max_iters`` (``max_iters=-1``: constant)."""

    def __init__(self, optimizer, max_iters: int, warmup: float = -1, warmup_method: str = "warmup_linear",
                 last_epoch: int = -1):
        if warmup_method not in _BERT_SCHEDULES:
            raise ConfigError(f"lr_config: invalid warmup_method {warmup_method!r}; "
                              f"expected one of {sorted(_BERT_SCHEDULES)}")
        if not (0.0 <= warmup < 1.0 or warmup == -1):
            raise ConfigError(f"lr_config: invalid warmup {warmup}; should be in [0.0, 1.0) or -1")
        self.max_iters, self.warmup, self.warmup_method = max_iters, warmup, warmup_method
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """The named BERT schedule at ``step / max_iters`` (1.0 when ``max_iters == -1``)."""
        if self.max_iters == -1:
            return 1.0
        return _BERT_SCHEDULES[self.warmup_method](step / self.max_iters, self.warmup)


# HuggingFace ``transformers`` schedules (iMIX's classes return them from __new__).
def _hf_warmup(step: int, num_warmup_steps: int) -> float:
    return float(step) / float(max(1, num_warmup_steps))


@_policy
class ConstantSchedule(ImixLRPolicy):
    """The base LR, unchanged."""

    def factor(self, step):
        """Always 1.0."""
        return 1.0


@_policy
class WarmupConstantSchedule(ImixLRPolicy):
    """Linear warm-up from 0 over ``num_warmup_steps``, then constant."""

    def __init__(self, optimizer, num_warmup_steps: int, last_epoch: int = -1):
        self.num_warmup_steps = num_warmup_steps
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        """Linear warm-up from 0, then 1.0."""
        return _hf_warmup(step, self.num_warmup_steps) if step < self.num_warmup_steps else 1.0


class _WarmupThenDecay(ImixLRPolicy):
    """Linear warm-up over ``num_warmup_steps``, then ``decay(progress)`` up to ``num_training_steps``."""

    def __init__(self, optimizer, num_warmup_steps: int, num_training_steps: int, last_epoch: int = -1):
        self.num_warmup_steps, self.num_training_steps = num_warmup_steps, num_training_steps
        super().__init__(optimizer, last_epoch)

    def factor(self, step):
        if step < self.num_warmup_steps:
            return _hf_warmup(step, self.num_warmup_steps)
        progress = float(step - self.num_warmup_steps) / float(max(1, self.num_training_steps - self.num_warmup_steps))
        return self.decay(step, progress)

    def decay(self, step: int, progress: float) -> float:
        """The factor after warm-up."""
        raise NotImplementedError


@_policy
class WarmupLinearSchedule(_WarmupThenDecay):
    """Linear warm-up, then linear decay to 0 at ``num_training_steps``."""

    def decay(self, step, progress):
        """Linear from 1.0 down to 0 at ``num_training_steps``."""
        return max(0.0, float(self.num_training_steps - step)
                   / float(max(1, self.num_training_steps - self.num_warmup_steps)))


@_policy
class WarmupCosineSchedule(_WarmupThenDecay):
    """Linear warm-up, then cosine decay with ``num_cycles`` (0.5: one half cosine down to 0)."""

    def __init__(self, optimizer, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5,
                 last_epoch: int = -1):
        self.num_cycles = num_cycles
        super().__init__(optimizer, num_warmup_steps, num_training_steps, last_epoch)

    def decay(self, step, progress):
        """Cosine over ``progress`` with ``num_cycles`` cycles, floored at 0."""
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(self.num_cycles) * 2.0 * progress)))


@_policy
class WarmupCosineWithHardRestartsSchedule(_WarmupThenDecay):
    """Linear warm-up, then ``num_cycles`` cosine decays, each restarting at the base LR."""

    def __init__(self, optimizer, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1,
                 last_epoch: int = -1):
        self.num_cycles = num_cycles
        super().__init__(optimizer, num_warmup_steps, num_training_steps, last_epoch)

    def decay(self, step, progress):
        """Cosine within the current cycle; 0 once ``progress`` reaches 1."""
        if progress >= 1.0:
            return 0.0
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((float(self.num_cycles) * progress) % 1.0))))


@_policy
class WarmupPolynomialSchedule(_WarmupThenDecay):
    """Linear warm-up, then polynomial decay from the optimizer's default LR to ``lr_end``."""

    def __init__(self, optimizer, num_warmup_steps: int, num_training_steps: int, lr_end: float = 1e-7,
                 power: float = 1.0, last_epoch: int = -1):
        defaults = getattr(optimizer, "defaults", None) or {}
        self.lr_init = defaults.get("lr", optimizer.param_groups[0]["lr"])
        if not self.lr_init > lr_end:
            raise ConfigError(f"lr_config: lr_end ({lr_end}) must be smaller than the initial lr ({self.lr_init})")
        self.lr_end, self.power = lr_end, power
        super().__init__(optimizer, num_warmup_steps, num_training_steps, last_epoch)

    def decay(self, step, progress):
        """Polynomial from the initial LR to ``lr_end``, as a factor of the initial LR."""
        if step > self.num_training_steps:
            return self.lr_end / self.lr_init
        decay_steps = self.num_training_steps - self.num_warmup_steps
        pct_remaining = 1 - (step - self.num_warmup_steps) / decay_steps
        return ((self.lr_init - self.lr_end) * pct_remaining ** self.power + self.lr_end) / self.lr_init


_SHARED_KEYS = ("use_warmup", "warmup_iterations")
_UNSUPPORTED = {"ReduceOnPlateauSchedule": "it needs a validation metric at every step"}


def policy_class(lr_config: Dict[str, Any], where: Any = None) -> type:
    """The policy class ``lr_config['policy']`` names (checked without an optimizer: ``hookport hooks``)."""
    policy = lr_config.get("policy")
    if policy is None:
        raise ConfigError("lr_config needs a 'policy' (an iMIX LR scheduler name)", file=where)
    if policy in _UNSUPPORTED:
        raise ConfigError(f"lr_config.policy {policy!r} is not supported: {_UNSUPPORTED[policy]}", file=where)
    cls = POLICIES.get(policy)
    if cls is None:
        close = difflib.get_close_matches(str(policy), list(POLICIES), n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise ConfigError(f"unknown iMIX lr_config.policy {policy!r}; {hint}known: {', '.join(sorted(POLICIES))}",
                          file=where)
    return cls


def build_policy(lr_config: Dict[str, Any], optimizer: Any, where: Any = None) -> ImixLRPolicy:
    """Build ``lr_config`` (``policy`` + kwargs; ``use_warmup``/``warmup_iterations`` kept for policies
    that take them) into a policy acting on ``optimizer.param_groups``."""
    cls = policy_class(lr_config, where)
    cfg = dict(lr_config)
    policy = cfg.pop("policy")
    import inspect

    params = inspect.signature(cls.__init__).parameters
    # use_warmup/warmup_iterations are also read by IterationTimerHook, so configs carry them even for
    # policies that do not take them; any other unknown key is a mistake and TypeError reports it.
    kwargs = {k: v for k, v in cfg.items() if k in params or k not in _SHARED_KEYS}
    try:
        return cls(optimizer, **kwargs)
    except TypeError as err:
        raise ConfigError(f"lr_config for {policy}: {err}", file=where) from None
