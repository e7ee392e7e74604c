"""Running iMIX configs and ``HookBase`` hooks unchanged (the ``imix`` dialect).

Modules, one job each:

* ``levels``: reading ``level=`` values, iMIX's custom-hook insertion rule;
* ``hook``: :class:`HookBase` (argument-less events, ``self.trainer``);
* ``trainer``: the trainer view hooks read (iMIX attribute names and meanings);
* ``log_buffer``: ``LogBufferStorage`` / ``get_log_buffer``;
* ``writers``: the Common-metric / JSON / TensorBoard log writers;
* ``hooks``: iMIX's built-in hooks (registered in ``IMIX_HOOKS``);
* ``lr_policies``: iMIX's LR schedulers, torch-free;
* ``checkpointer``: checkpoint timing and file names;
* ``build``: the default and custom hooks of a config, in iMIX's order;
* ``placement``: where an iMIX hook goes in an MMEngine or MMCV runner;
* ``loop`` / ``dialect``: training and the ``imix`` dialect.

Where iMIX's released code is broken, hookport does what iMIX clearly meant;
each module's docstring and ``docs/imix.md`` list the differences.
"""
