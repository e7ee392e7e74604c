"""BaseMetric / Evaluator / Accuracy, and result gathering order across ranks."""
from unittest import mock

import pytest
import torch

from hookport.errors import ConfigError
from hookport.evaluation import Accuracy, BaseMetric, Evaluator, build_evaluator, collect_results
from hookport.registry import EVALUATORS, METRICS


class Count(BaseMetric):
    """Counts samples."""

    def process(self, data_batch, data_samples):
        self.results.extend(data_samples)

    def compute_metrics(self, results):
        return {"n": len(results)}


def test_accuracy_topk_with_prefix_and_labels_from_the_batch():
    metric = METRICS.build(dict(type="Accuracy", topk=(1, 2)))
    scores = torch.tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    metric.process({"labels": torch.tensor([1, 1, 0])}, [{"pred_score": s} for s in scores])
    result = metric.evaluate(3)
    assert result == pytest.approx({"accuracy/top1": 100 / 3, "accuracy/top2": 200 / 3})
    assert metric.results == []


def test_evaluator_runs_every_metric_and_rejects_duplicate_keys():
    evaluator = build_evaluator([dict(type="Accuracy"), Count(prefix="count")])
    evaluator.dataset_meta = {"classes": ("a", "b")}
    assert all(m.dataset_meta == {"classes": ("a", "b")} for m in evaluator.metrics)
    evaluator.process([{"pred_score": torch.tensor([0.9, 0.1]), "gt_label": torch.tensor(0)}])
    assert evaluator.evaluate(1) == {"accuracy/top1": 100.0, "count/n": 1}
    twice = Evaluator([Count(), Count()])
    twice.process([1])
    with pytest.raises(ConfigError, match="'n'"):
        twice.evaluate(1)
    assert isinstance(EVALUATORS.build(dict(type="Evaluator", metrics=[dict(type="Accuracy")])), Evaluator)
    assert isinstance(build_evaluator(dict(metrics=dict(type="Accuracy"))).metrics[0], Accuracy)


def test_collect_results_interleaves_ranks_and_drops_padding():
    # DefaultSampler deals indices round-robin: rank 0 got 0, 2, 4; rank 1 got 1, 3, 0 (padding).
    with mock.patch("hookport.evaluation.metric.all_gather_object", return_value=[[0, 2, 4], [1, 3, 0]]):
        assert collect_results([], 5) == [0, 1, 2, 3, 4]
    with mock.patch("hookport.evaluation.metric.all_gather_object", return_value=[[0, 2, 4], [1, 3]]):
        assert collect_results([], 5) == [0, 1, 2, 3, 4]
