"""The tiny regression problem of the MMEngine reference scripts (tools/refdata/mmengine_training_run.py,
mmengine_vis_clients.py): the same model and data, so hookport's runs can be compared with MMEngine's."""
import torch
from torch import nn

from hookport.runner.model import BaseModel


class Regressor(BaseModel):
    """``forward(inputs, targets, mode)`` over one linear layer; mean squared error."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode="tensor"):
        pred = self.linear(torch.stack(inputs))
        return dict(loss=((pred - torch.stack(targets)) ** 2).mean())


class Points(torch.utils.data.Dataset):
    """``size`` fixed points of y = x . (1, -2, 0.5) + 0.3."""

    def __init__(self, size=10):
        self.x = torch.linspace(-1, 1, size * 3).reshape(size, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])
