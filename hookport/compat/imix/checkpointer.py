"""iMIX's checkpointer and ``PeriodicCheckpointer`` (``imix/utils/checkpoint.py``): when and under which name.

File names are iMIX's (0-based counters):

* by epoch, after epoch ``e``: ``{prefix}_epoch{e}_model.pth`` every ``epoch_period``
  epochs (iMIX HEAD; 0.1.0 wrote ``{prefix}_epoch{e}({iter}iters)_model.pth``), and
  ``{prefix}_model_final.pth`` in the last epoch;
* by epoch, mid-epoch with ``iter_period``: ``{prefix}_epoch{e}_iter{iter+1}_model.pth``
  (``iter`` is the global 0-based index; not on an epoch boundary, not at the last iteration);
* by iteration: ``{prefix}_iter{iter:07d}_model.pth`` when ``(iter+1) % iter_period == 0``
  (``..._iter0000499_model.pth`` for period 500), and ``{prefix}_model_final.pth`` at the end.

iMIX raises ``TypeError`` (``None + '.pth'``) on every by-iteration step that saves no
periodic file, with ``iter_period`` unset (``% None``), and at the end of (or mid-way
through) an epoch that ``epoch_period`` skips; here those calls simply save nothing.
A checkpoint holds ``model``, ``optimizer`` and ``scheduler`` state dicts and the
counters (``iteration``; or ``epoch``, ``epoch_inner_iter``, ``epoch_iter``, ``by_epoch``).
"""
from __future__ import annotations

import os
from typing import Any, Dict, List, Optional


class ImixCheckpointer:
    """Saves and loads ``{model, optimizer, scheduler, **extra}`` under ``save_dir``.

    Args:
        model: the model (a DDP wrapper's ``.module`` is saved).
        save_dir: the directory checkpoints go to.
        optimizer, scheduler: saved when given.
    """

    def __init__(self, model: Any, save_dir: str, optimizer: Any = None, scheduler: Any = None):
        self.model = model
        self.save_dir = save_dir
        self.optimizer = optimizer
        self.scheduler = scheduler

    def save(self, name: str, **extra: Any) -> str:
        """Write ``save_dir/name.pth`` atomically, record it in ``last_checkpoint`` and return its path."""
        from hookport.runner import checkpoint as ckpt

        model = getattr(self.model, "module", self.model)
        data: Dict[str, Any] = {"model": model.state_dict()}
        if self.optimizer is not None:
            data["optimizer"] = self.optimizer.state_dict()
        if self.scheduler is not None and hasattr(self.scheduler, "state_dict"):
            data["scheduler"] = self.scheduler.state_dict()
        data.update(extra)
        path = os.path.join(self.save_dir, f"{name}.pth")
        ckpt.atomic_torch_save(data, path)
        # The pointer `hookport run --resume` (no path) resumes from; written atomically too.
        pointer = os.path.join(self.save_dir, ckpt.LAST_CHECKPOINT)
        with open(pointer + ".tmp", "w", encoding="utf-8") as f:
            f.write(path)
        os.replace(pointer + ".tmp", pointer)
        return path

    def load(self, path: str) -> Dict[str, Any]:
        """Load ``path`` (weights-only) into the model/optimizer/scheduler; return the remaining entries."""
        from hookport.runner import checkpoint as ckpt

        data = dict(ckpt.load_checkpoint_file(path))
        getattr(self.model, "module", self.model).load_state_dict(data.pop("model"))
        if self.optimizer is not None and "optimizer" in data:
            self.optimizer.load_state_dict(data.pop("optimizer"))
        if self.scheduler is not None and "scheduler" in data:
            self.scheduler.load_state_dict(data.pop("scheduler"))
        return data


class PeriodicCheckpointer:
    """Decides when to save and names the files (see the module docstring).

    Args:
        checkpointer: an :class:`ImixCheckpointer` (anything with ``save(name, **extra)``).
        iter_period: save every N iterations (None: never by iteration).
        epoch_period: save every N epochs (mid-epoch saves too happen only in those epochs).
        max_iter, max_epoch: the totals (copied from the trainer before training).
        max_num_checkpoints: keep at most this many periodic files (None: all).
    """

    def __init__(self, checkpointer: Any, iter_period: Optional[int] = None, epoch_period: int = 1,
                 max_iter: Optional[int] = None, max_epoch: Optional[int] = None,
                 max_num_checkpoints: Optional[int] = None):
        self.checkpointer = checkpointer
        self.iter_period = iter_period
        self.epoch_period = epoch_period
        self.max_iter = max_iter
        self.max_epoch = max_epoch
        self.max_num_checkpoints = max_num_checkpoints
        self.recent_checkpoints: List[str] = []
        self.curr_checkpoint_name: Optional[str] = None

    def _save(self, name: str, periodic: bool, extra: Dict[str, Any]) -> str:
        path = self.checkpointer.save(name, **extra)
        if periodic and self.max_num_checkpoints is not None:
            self.recent_checkpoints.append(path)
            while len(self.recent_checkpoints) > self.max_num_checkpoints:
                old = self.recent_checkpoints.pop(0)
                if os.path.exists(old):
                    os.remove(old)
        return f"{name}.pth"

    def _record(self, periodic: Optional[str], final: Optional[str], extra: Dict[str, Any]) -> Optional[str]:
        # iMIX names the periodic file the current checkpoint; when only the final one is written (iMIX
        # crashes there) it is the final one; when nothing is written the previous name stays.
        saved = [self._save(name, name is periodic, extra) for name in (periodic, final) if name is not None]
        if saved:
            self.curr_checkpoint_name = saved[0]
        return saved[0] if saved else None

    def record_iter_checkpoint(self, iteration: int, prefix: str, **extra: Any) -> Optional[str]:
        """By-iteration training, after iteration ``iteration`` (0-based); returns the current file name."""
        extra["iteration"] = iteration
        periodic = (f"{prefix}_iter{iteration:07d}_model"
                    if self.iter_period and (iteration + 1) % self.iter_period == 0 else None)
        final = f"{prefix}_model_final" if self.max_iter is not None and iteration + 1 >= self.max_iter else None
        return self._record(periodic, final, extra)

    def record_epoch_checkpoint(self, epoch: int, prefix: str, is_epoch: bool = True, **extra: Any) -> Optional[str]:
        """By-epoch training: at the end of epoch ``epoch`` (``is_epoch``) or mid-epoch (``iter_period``).

        As in iMIX, both only save in epochs where ``(epoch + 1) % epoch_period == 0``, and both also
        write ``..._model_final`` during the last epoch (the epoch-end save overwrites it).
        """
        extra["epoch"] = epoch
        periodic = None
        if (epoch + 1) % self.epoch_period == 0:
            periodic = (f"{prefix}_epoch{epoch}_model" if is_epoch
                        else f"{prefix}_epoch{epoch}_iter{extra['epoch_iter'] + 1}_model")
        final = f"{prefix}_model_final" if self.max_epoch is not None and epoch + 1 >= self.max_epoch else None
        return self._record(periodic, final, extra)
