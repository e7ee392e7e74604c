"""The canonical :class:`~hookport.runner.runner.Runner` configured for iMIX.

The runner contributes what all dialects share: the model (built and, under
``torchrun``, wrapped in DDP), ``work_dir``, logging, seeding, the rank and the
dispatch table (iMIX scheme). :func:`attach_engine`, called by the dialect while
the runner registers hooks, assembles an :class:`ImixEngine` around that model and
puts iMIX's hooks into the runner's table in iMIX's order; ``train()`` then runs
iMIX's loop. The trainer view is ``runner.imix_trainer``, so ``runner.call_hook``
and the loop give hooks the same ``self.trainer``.

Resume: ``--resume CKPT`` / ``resume_from=CKPT`` resumes from that file; ``--resume``
alone from the newest checkpoint this work dir recorded (``last_checkpoint``);
``load_from`` without ``resume`` loads weights only.
"""
from __future__ import annotations

import copy
from typing import Any

from hookport.compat.imix.engine import ImixEngine
from hookport.registry import apply_custom_imports
from hookport.runner import checkpoint as ckpt
from hookport.runner.runner import Runner


def attach_engine(runner: Any) -> ImixEngine:
    """Build the iMIX engine for ``runner`` and register its hooks in the runner's table."""
    engine = ImixEngine(runner.cfg, work_dir=runner.work_dir, model=runner.model,
                        main_process=runner.rank == 0, table=runner.hook_table)
    engine.trainer.logger = runner.logger
    runner.imix_engine = engine
    runner.imix_trainer = engine.trainer
    return engine


class ImixRunner(Runner):
    """A Runner whose training is iMIX's (``train_by_epoch`` / ``train_by_iter``)."""

    @classmethod
    def from_cfg(cls, cfg: Any, dialect: Any = None) -> "ImixRunner":
        """Build from an iMIX config (``model``, ``work_dir``, ``seed``, ``resume_from``/``load_from``...)."""
        apply_custom_imports(cfg)
        cfg = copy.deepcopy(cfg)
        seed = cfg.get("seed")
        resume = cfg.get("resume_from") or cfg.get("resume") or False
        return cls(model=cfg["model"], work_dir=cfg.get("work_dir") or "./work_dirs", cfg=cfg, dialect=dialect,
                   launcher=cfg.get("launcher", "none"), randomness={"seed": seed}, resume=resume,
                   load_from=cfg.get("load_from"), log_level=cfg.get("log_level", "INFO"))

    def call_hook(self, stage: str, *args: Any, **kwargs: Any) -> None:
        """Call the iMIX hooks acting at ``stage``; iMIX has no hooks at the other mount points
        (``after_load_checkpoint``, validation...), which the shared runner code may still fire."""
        if stage in self.hook_table.stages:
            super().call_hook(stage, *args, **kwargs)

    def train(self):
        """Resume or load as configured, then run iMIX's training loop."""
        engine = self.imix_engine
        path = self._resume_path()
        if path:
            engine.resume(path)
        elif self._load_from:
            self.load_checkpoint(self._load_from)
        engine.train()
        return self.model

    def _resume_path(self):
        if not self._resume:
            return None
        if isinstance(self._resume, str):
            return self._resume
        return self._load_from or ckpt.find_latest_checkpoint(self.work_dir)
