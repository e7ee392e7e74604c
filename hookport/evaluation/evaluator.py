"""``Evaluator``: a list of metrics fed together and evaluated together."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Union

from hookport.errors import ConfigError
from hookport.evaluation.metric import BaseMetric
from hookport.registry import EVALUATORS, METRICS


@EVALUATORS.register_module()
class Evaluator:
    """Run several metrics over the same predictions.

    Args:
        metrics: a metric, a metric config, or a list of either.
    """

    def __init__(self, metrics: Union[dict, BaseMetric, Sequence[Union[dict, BaseMetric]]]):
        if isinstance(metrics, (dict, BaseMetric)):
            metrics = [metrics]
        self.metrics: List[BaseMetric] = [METRICS.build(m) for m in metrics]
        self._dataset_meta: Optional[dict] = None

    @property
    def dataset_meta(self) -> Optional[dict]:
        """The dataset's metainfo, shared with every metric."""
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: Optional[dict]) -> None:
        self._dataset_meta = meta
        for metric in self.metrics:
            metric.dataset_meta = meta

    def process(self, data_samples: Sequence[Any], data_batch: Any = None) -> None:
        """Feed one batch's predictions to every metric."""
        for metric in self.metrics:
            metric.process(data_batch, data_samples)

    def evaluate(self, size: int) -> Dict[str, Any]:
        """Evaluate every metric; duplicate keys across metrics are an error."""
        out: Dict[str, Any] = {}
        for metric in self.metrics:
            for key, value in metric.evaluate(size).items():
                if key in out:
                    raise ConfigError(f"two metrics both report {key!r}; give one of them a prefix")
                out[key] = value
        return out


def build_evaluator(cfg: Any) -> Evaluator:
    """An :class:`Evaluator` from an evaluator instance, a metric config, a list, or ``dict(type=..)``."""
    if isinstance(cfg, Evaluator):
        return cfg
    if isinstance(cfg, dict) and "metrics" in cfg:
        cfg = dict(cfg)
        cfg.setdefault("type", "Evaluator")
        return EVALUATORS.build(cfg)
    return Evaluator(cfg)
