"""Running MMCV 1.x configs and hooks unchanged, with MMCV 1.7.2's semantics.

Modules: ``hook`` (the ``(self, runner)`` hook base), ``formulas`` (the schedule math),
``lr_updater`` / ``momentum_updater`` (the updater hooks), ``policy`` (``lr_config`` ->
hook), ``simulate`` (pure-Python schedule trajectories), ``dialect`` (the ``mmcv`` dialect).
Nothing here imports torch at module level.
"""
