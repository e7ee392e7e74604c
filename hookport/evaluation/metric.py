"""``BaseMetric``: accumulate per-batch results, gather them across ranks, compute once.

Subclasses implement ``process(data_batch, data_samples)`` (append to
``self.results``) and ``compute_metrics(results) -> dict`` (MMEngine's names).
``evaluate(size)`` gathers every rank's results in sampler order (the samplers
deal indices round-robin, so results are interleaved rank by rank and the
padding added by ``round_up`` is cut off at ``size``), computes the metrics on
rank 0, prefixes the keys and broadcasts them to every rank.
"""
from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Optional, Sequence

from hookport.runner.dist import all_gather_object, broadcast_object, is_main_process

logger = logging.getLogger("hookport")


def collect_results(results: List[Any], size: int) -> List[Any]:
    """Merge every rank's ``results`` in sampler order, truncated to ``size``."""
    parts = all_gather_object(results)
    if len(parts) == 1:
        return list(parts[0])[:size]
    ordered: List[Any] = []
    for group in zip(*parts):
        ordered.extend(group)
    # Ranks may hold one sample fewer without round_up: append the tails.
    longest = max(len(p) for p in parts)
    shortest = min(len(p) for p in parts)
    for i in range(shortest, longest):
        ordered.extend(p[i] for p in parts if len(p) > i)
    return ordered[:size]


class BaseMetric(metaclass=ABCMeta):
    """Base class of evaluation metrics.

    Args:
        collect_device: kept for MMEngine compatibility; results are gathered as objects.
        prefix: key prefix (``'<prefix>/<key>'``); defaults to ``default_prefix``.
    """

    default_prefix: Optional[str] = None

    def __init__(self, collect_device: str = "cpu", prefix: Optional[str] = None):
        self.collect_device = collect_device
        self.prefix = prefix or self.default_prefix
        self.results: List[Any] = []
        self._dataset_meta: Optional[dict] = None

    @property
    def dataset_meta(self) -> Optional[dict]:
        """The dataset's ``metainfo`` (classes...), set by the evaluator."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: Optional[dict]) -> None:
        self._dataset_meta = meta

    @abstractmethod
    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Append the results of one batch to ``self.results``."""

    @abstractmethod
    def compute_metrics(self, results: List[Any]) -> Dict[str, float]:
        """Compute the metrics from all gathered results."""

    def evaluate(self, size: int) -> Dict[str, float]:
        """Gather, compute on rank 0, prefix, broadcast; clears ``self.results``."""
        if not self.results:
            logger.warning("%s got empty results: were process() calls made? Check the val dataloader",
                           type(self).__name__)
        results = collect_results(self.results, size)
        metrics = None
        if is_main_process():
            computed = self.compute_metrics(results)
            metrics = {(f"{self.prefix}/{k}" if self.prefix else k): v for k, v in computed.items()}
        metrics = broadcast_object(metrics)
        self.results.clear()
        return metrics
