"""A tiny classifier and a deterministic synthetic dataset for demos and tests.

Both are default-constructible with torch alone and are registered as
``ToyClassifier`` (MODELS) and ``ToyDataset`` (DATASETS). The dataset is a
mixture of well separated Gaussian blobs, so a few epochs of SGD visibly
improve accuracy.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import Dataset

from hookport.registry import DATASETS, MODELS
from hookport.runner.model import BaseModel


def _stack(inputs: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
    """Stack a pseudo-collated list of samples (the data preprocessor's job in MMEngine)."""
    return inputs if isinstance(inputs, torch.Tensor) else torch.stack(list(inputs))


@MODELS.register_module()
class ToyClassifier(BaseModel):
    """A two-layer MLP classifier with MMEngine's ``forward(inputs, labels, mode)`` protocol.

    Args:
        in_features: input size.
        num_classes: number of classes.
        hidden: hidden width (0: a single linear layer).
        dropout: dropout probability after the hidden layer (makes training random).
    """

    def __init__(self, in_features: int = 8, num_classes: int = 3, hidden: int = 16, dropout: float = 0.0):
        super().__init__()
        if hidden:
            layers = [nn.Linear(in_features, hidden), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            self.backbone = nn.Sequential(*layers)
            self.head = nn.Linear(hidden, num_classes)
        else:
            self.backbone = nn.Identity()
            self.head = nn.Linear(in_features, num_classes)

    def forward(self, inputs: Any, labels: Any = None, mode: str = "tensor") -> Any:
        """``'loss'`` -> ``dict(loss=...)``; ``'predict'`` -> one dict per sample; ``'tensor'`` -> logits."""
        device = self.head.weight.device
        logits = self.head(self.backbone(_stack(inputs).to(device)))
        if mode == "tensor":
            return logits
        targets = None if labels is None else _stack(labels).to(device).long()
        if mode == "loss":
            if targets is None:
                raise ValueError("ToyClassifier needs labels in 'loss' mode")
            return {"loss": F.cross_entropy(logits, targets)}
        if mode == "predict":
            scores = logits.softmax(dim=1)
            out: List[Dict[str, torch.Tensor]] = []
            for i in range(scores.shape[0]):
                sample = {"pred_score": scores[i], "pred_label": scores[i].argmax()}
                if targets is not None:
                    sample["gt_label"] = targets[i]
                out.append(sample)
            return out
        raise ValueError(f"invalid mode {mode!r}; expected 'loss', 'predict' or 'tensor'")


@DATASETS.register_module()
class ToyDataset(Dataset):
    """Deterministic Gaussian blobs: ``dict(inputs=FloatTensor[in_features], labels=LongTensor[])``.

    Args:
        size: number of samples.
        in_features: feature size.
        num_classes: number of blobs.
        seed: seed of the samples around the centres; the same arguments always give the same
            data, and datasets with different seeds share the centres (train/val splits).
        noise: standard deviation around each blob centre.
    """

    def __init__(self, size: int = 32, in_features: int = 8, num_classes: int = 3, seed: int = 0,
                 noise: float = 1.0):
        centres = torch.randn(num_classes, in_features, generator=torch.Generator().manual_seed(1234))
        gen = torch.Generator().manual_seed(seed)
        self.labels = torch.arange(size) % num_classes
        self.inputs = centres[self.labels] + noise * torch.randn(size, in_features, generator=gen)
        self.metainfo = {"classes": tuple(f"class_{i}" for i in range(num_classes))}

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> Dict[str, torch.Tensor]:
        return {"inputs": self.inputs[index], "labels": self.labels[index]}
