"""One toy training problem in both step protocols, for the codemod's behavioural tests.

``EngineToy`` is an MMEngine-style model (``forward(..., mode)``; the optimizer wrapper
steps inside ``train_step``); ``LegacyToy`` is the same network with MMCV's
``train_step(data_batch, optimizer)`` protocol. Both start from the same weights and
see the same batches, and both carry the extra methods the mmdet 2.x / iMIX style hooks
call (``set_epoch``, ``bbox_head``, the iMIX EMA protocol), which append to ``EVENTS``.
"""
import torch
from torch import nn

from hookport.runner.model import BaseModel

#: (what, value) pairs the model and dataset saw, in order
EVENTS = []


def _stack(value):
    return torch.stack(list(value)) if isinstance(value, (list, tuple)) else value


class Head(nn.Module):
    """The attributes mmdet-style hooks read and set."""

    def __init__(self):
        super().__init__()
        self.num_classes = 2
        self.use_l1 = False


class EngineToy(BaseModel):
    """A 4 -> 2 classifier; its extra methods record what hooks asked of the model."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.linear = nn.Linear(4, 2)
        with torch.no_grad():
            self.linear.weight.copy_(torch.randn(2, 4, generator=generator))
            self.linear.bias.zero_()
        self.bbox_head = Head()

    def logits(self, inputs):
        return self.linear(_stack(inputs))

    def forward(self, inputs, labels, mode="tensor"):
        logits = self.logits(inputs)
        if mode == "loss":
            return dict(loss=nn.functional.cross_entropy(logits, _stack(labels)))
        return [dict(pred_score=score.softmax(0), gt_label=label) for score, label in zip(logits, _stack(labels))]

    def set_epoch(self, epoch):
        EVENTS.append(("set_epoch", epoch))

    def init_ema(self):
        EVENTS.append(("init_ema", None))

    def update_ema(self):
        EVENTS.append(("update_ema", None))

    def load_bkp_state_dict(self):
        EVENTS.append(("load_bkp_state_dict", None))

    def save_checkpoint_ema(self, path, epoch):
        EVENTS.append(("save_checkpoint_ema", epoch))


class LegacyToy(EngineToy):
    """The same network with MMCV 1.x's step protocol (the OptimizerHook does backward)."""

    def train_step(self, data_batch, optimizer=None, **kwargs):
        loss = self(**data_batch, mode="loss")["loss"]
        return dict(loss=loss, log_vars=dict(loss=loss.item()), num_samples=len(_stack(data_batch["labels"])))

    def val_step(self, data_batch, optimizer=None, **kwargs):
        return self.train_step(data_batch)


class Pairs(torch.utils.data.Dataset):
    """``n`` fixed labelled samples; records pipeline switches (YOLOX-style hooks)."""

    CLASSES = ("a", "b")

    def __init__(self, n=8, seed=0):
        generator = torch.Generator().manual_seed(seed)
        self.inputs = torch.randn(n, 4, generator=generator)
        self.labels = (self.inputs.sum(1) > 0).long()

    def __len__(self):
        return len(self.inputs)

    def __getitem__(self, index):
        return dict(inputs=self.inputs[index], labels=self.labels[index])

    def update_skip_type_keys(self, keys):
        EVENTS.append(("skip_type_keys", tuple(keys)))
