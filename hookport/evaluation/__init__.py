"""Evaluation: metrics (``BaseMetric``, ``Accuracy``) and the ``Evaluator`` that runs them."""
from hookport.evaluation.accuracy import Accuracy
from hookport.evaluation.evaluator import Evaluator, build_evaluator
from hookport.evaluation.metric import BaseMetric, collect_results

__all__ = ["Accuracy", "BaseMetric", "Evaluator", "build_evaluator", "collect_results"]
