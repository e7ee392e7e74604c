"""Key translators, one module per concern, run in this order over one :class:`Context`.

Order matters only where a translator reads what an earlier one wrote
(evaluation adds ``val_interval`` to the ``train_cfg`` that runtime wrote; eval_loops, last,
looks at the loops, dataloaders and evaluators all the others wrote).
"""
from __future__ import annotations

from typing import List

from hookport.converters.config.context import Translator
from hookport.converters.config.translators import (
    backport,
    checkpoint,
    data,
    env,
    eval_loops,
    evaluation,
    hooks,
    imix,
    logging,
    optim_wrapper,
    runtime,
    schedules,
)

MMCV_TRANSLATORS: List[Translator] = [
    runtime.translate,
    checkpoint.translate,
    evaluation.translate,
    logging.translate,
    optim_wrapper.translate,
    schedules.translate,
    hooks.translate,
    env.translate,
    data.translate,
    eval_loops.translate,
]

IMIX_TRANSLATORS: List[Translator] = [imix.translate]

BACKPORT_TRANSLATORS: List[Translator] = [backport.translate]
