"""MMEngine 0.10.7 training with two optimizers (an OptimWrapperDict), as a GAN-style model does it.

Run: $REFENV/bin/python tools/refdata/mmengine_optim_wrapper_dict.py
Writes tests/data/reference/mmengine/optim_wrapper_dict.json: a model with two linear heads, each
stepped by its own optimizer inside ``train_step`` (SGD with momentum / Adam), per-optimizer
param_schedulers (one epoch-based, one iteration-based), 2 epochs of 4 iterations. Recorded: the
message hub's per-iteration ``train/<name>.lr`` and losses, the final weights, the checkpoint's
``optimizer`` / ``param_schedulers`` layout, ``get_lr`` / ``get_momentum`` at the end, and the errors
the dict raises when used as a single optimizer.
"""
from __future__ import annotations

import json
import os
import tempfile
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from mmengine.model import BaseModel  # noqa: E402
from mmengine.optim import OptimWrapper, OptimWrapperDict  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference", "mmengine",
                   "optim_wrapper_dict.json")
PARAM_SCHEDULER = dict(gen=[dict(type="MultiStepLR", milestones=[1], by_epoch=True)],
                       disc=dict(type="LinearLR", start_factor=0.5, by_epoch=False, end=4))


class Points(torch.utils.data.Dataset):
    """``n`` fixed points of y = x . (1, -2, 0.5)."""

    def __init__(self, n=8):
        self.x = torch.linspace(-1, 1, n * 3).reshape(n, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]])

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


class TwoHeads(BaseModel):
    """``gen`` fits y, ``disc`` fits -y; each head has its own optimizer."""

    def __init__(self):
        super().__init__()
        self.gen = nn.Linear(3, 1)
        self.disc = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode="tensor"):
        return self.gen(inputs)

    def train_step(self, data, optim_wrapper):
        x, y = data["inputs"], data["targets"]
        with optim_wrapper["gen"].optim_context(self):
            loss_gen = ((self.gen(x) - y) ** 2).mean()
        optim_wrapper["gen"].update_params(loss_gen)
        with optim_wrapper["disc"].optim_context(self):
            loss_disc = ((self.disc(x) + y) ** 2).mean()
        optim_wrapper["disc"].update_params(loss_disc)
        return dict(loss_gen=loss_gen.detach(), loss_disc=loss_disc.detach())


def _error(call):
    try:
        call()
    except Exception as err:  # noqa: BLE001 - the reference records whatever MMEngine raises
        return [type(err).__name__, str(err)]
    return None


def main():
    torch.manual_seed(0)
    model = TwoHeads()
    wrappers = dict(gen=OptimWrapper(torch.optim.SGD(model.gen.parameters(), lr=0.1, momentum=0.9)),
                    disc=OptimWrapper(torch.optim.Adam(model.disc.parameters(), lr=0.01)))
    work_dir = tempfile.mkdtemp()
    runner = Runner(model=model, work_dir=work_dir,
                    train_dataloader=dict(dataset=Points(), sampler=dict(type="DefaultSampler", shuffle=False),
                                          batch_size=2, collate_fn=dict(type="default_collate")),
                    train_cfg=dict(by_epoch=True, max_epochs=2), optim_wrapper=wrappers,
                    param_scheduler=PARAM_SCHEDULER, default_hooks=dict(checkpoint=dict(type="CheckpointHook")),
                    log_level="WARNING")
    runner.train()
    hub = runner.message_hub
    checkpoint = torch.load(os.path.join(work_dir, "epoch_2.pth"), weights_only=False)
    owd = runner.optim_wrapper
    result = dict(
        wrapper_type=type(owd).__name__,
        scalars={key: list(hub.get_scalar(key).data[0]) for key in sorted(hub.log_scalars)
                 if key.endswith((".lr", "loss_gen", "loss_disc"))},
        final_weights={k: v.flatten().tolist() for k, v in model.state_dict().items()},
        checkpoint_optimizer={k: sorted(v) for k, v in checkpoint["optimizer"].items()},
        checkpoint_param_schedulers={k: len(v) for k, v in checkpoint["param_schedulers"].items()},
        get_lr=owd.get_lr(), get_momentum=owd.get_momentum(), keys=list(owd.keys()),
        errors=dict(update_params=_error(lambda: owd.update_params(torch.tensor(1.0))),
                    backward=_error(lambda: owd.backward(torch.tensor(1.0))),
                    step=_error(owd.step), optim_context=_error(lambda: owd.optim_context(model)),
                    not_a_wrapper=_error(lambda: OptimWrapperDict(a=1)),
                    wrong_state_dict=_error(lambda: owd.load_state_dict(dict(other={}))),
                    config_items=_error(lambda: runner.build_optim_wrapper(
                        dict(a=dict(optimizer=dict(type="SGD", lr=0.1)))))))
    with open(OUT, "w") as f:
        json.dump(dict(mmengine_version="0.10.7", param_scheduler=PARAM_SCHEDULER, result=result), f, indent=1,
                  sort_keys=True)
        f.write("\n")
    print(os.path.abspath(OUT))


if __name__ == "__main__":
    main()
