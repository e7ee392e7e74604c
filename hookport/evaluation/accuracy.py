"""Top-k classification accuracy (percent), as MMPretrain reports it (``accuracy/top1``)."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple, Union


from hookport.evaluation.metric import BaseMetric
from hookport.registry import METRICS


@METRICS.register_module()
class Accuracy(BaseMetric):
    """Top-k accuracy over samples carrying ``pred_score`` and ``gt_label``.

    A sample without ``gt_label`` takes it from ``data_batch['labels']`` (same position).

    Args:
        topk: the k values; each reports ``top{k}``.
    """

    default_prefix = "accuracy"

    def __init__(self, topk: Union[int, Sequence[int]] = (1,), **kwargs: Any):
        super().__init__(**kwargs)
        self.topk: Tuple[int, ...] = (topk,) if isinstance(topk, int) else tuple(topk)

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Record, per sample, whether the label is within the top-k scores."""
        labels = data_batch.get("labels") if isinstance(data_batch, dict) else None
        for i, sample in enumerate(data_samples):
            gt = sample.get("gt_label")
            if gt is None:
                gt = labels[i]
            score = sample["pred_score"].detach().float().cpu()
            order = score.argsort(descending=True)
            self.results.append({f"top{k}": bool((order[:k] == int(gt)).any()) for k in self.topk})

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Percentage of hits for each k."""
        total = max(len(results), 1)
        return {f"top{k}": 100.0 * sum(r[f"top{k}"] for r in results) / total for k in self.topk}
