"""OptimWrapperDict (several optimizers) against MMEngine 0.10.7, and a resumed two-optimizer run.

Reference: tests/data/reference/mmengine/optim_wrapper_dict.json (tools/refdata/mmengine_optim_wrapper_dict.py):
the same two-headed model, data, optimizers and per-optimizer schedulers trained by real MMEngine.
MMEngine raises AssertionError / ValueError for bad input where hookport raises a ConfigError that names it.
"""
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from hookport.errors import ConfigError  # noqa: E402
from hookport.optim.wrapper import OptimWrapper  # noqa: E402
from hookport.optim.wrapper_dict import OptimWrapperDict  # noqa: E402
from hookport.runner.model import BaseModel  # noqa: E402
from hookport.runner.runner import Runner  # noqa: E402
from tests.runner.helpers import StopAtEpoch  # noqa: E402

REFERENCE = json.loads((Path(__file__).parents[2] / "tests/data/reference/mmengine/optim_wrapper_dict.json")
                       .read_text())
EXPECTED = REFERENCE["result"]


class Points(torch.utils.data.Dataset):
    def __init__(self, n=8):
        self.x = torch.linspace(-1, 1, n * 3).reshape(n, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]])

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


class TwoHeads(BaseModel):
    """As the reference script's model: each head stepped by its own optimizer in train_step."""

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


def _runner(work_dir, resume=False, custom_hooks=()):
    torch.manual_seed(0)
    model = TwoHeads()
    wrappers = dict(gen=OptimWrapper(torch.optim.SGD(model.gen.parameters(), lr=0.1, momentum=0.9)),
                    disc=OptimWrapper(torch.optim.Adam(model.disc.parameters(), lr=0.01)))
    return Runner(model=model, work_dir=str(work_dir),
                  train_dataloader=dict(dataset=Points(), batch_size=2,
                                        sampler=dict(type="DefaultSampler", shuffle=False),
                                        collate_fn=dict(type="default_collate")),
                  train_cfg=dict(by_epoch=True, max_epochs=2), optim_wrapper=wrappers,
                  param_scheduler=REFERENCE["param_scheduler"], resume=resume, custom_hooks=list(custom_hooks),
                  log_level="WARNING")


def _train(runner):
    try:
        runner.train()
    finally:
        runner.close()
    return runner


def test_two_optimizer_run_equals_mmengine(tmp_path):
    runner = _train(_runner(tmp_path))
    owd = runner.optim_wrapper
    assert type(owd).__name__ == EXPECTED["wrapper_type"] and list(owd.keys()) == EXPECTED["keys"]
    hub = runner.message_hub
    for key, values in EXPECTED["scalars"].items():
        assert hub.get_scalar(key).data[0] == pytest.approx(values, rel=1e-6, abs=1e-9), key
    weights = {k: v.flatten().tolist() for k, v in runner.model.state_dict().items()}
    for name, values in EXPECTED["final_weights"].items():
        assert weights[name] == pytest.approx(values, rel=1e-6, abs=1e-9), name
    assert {k: pytest.approx(v) for k, v in owd.get_lr().items()} == EXPECTED["get_lr"]
    assert owd.get_momentum() == EXPECTED["get_momentum"]
    checkpoint = torch.load(tmp_path / "epoch_2.pth", weights_only=True)
    assert {k: sorted(v) for k, v in checkpoint["optimizer"].items()} == EXPECTED["checkpoint_optimizer"]
    assert {k: len(v) for k, v in checkpoint["param_schedulers"].items()} == EXPECTED["checkpoint_param_schedulers"]


def test_resumed_two_optimizer_run_ends_as_the_uninterrupted_one(tmp_path):
    whole = _train(_runner(tmp_path / "whole"))
    with pytest.raises(KeyboardInterrupt):  # stopped after epoch 1 and its checkpoint
        _train(_runner(tmp_path / "cut", custom_hooks=[StopAtEpoch(1)]))
    resumed = _train(_runner(tmp_path / "cut", resume=True))
    for name, value in whole.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[name]), name
    assert resumed.optim_wrapper.get_lr() == whole.optim_wrapper.get_lr()


@pytest.mark.parametrize("name", ["update_params", "backward", "step", "optim_context"])
def test_single_optimizer_methods_are_refused_as_mmengine_does(name):
    owd = OptimWrapperDict(a=OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)))
    args = (torch.tensor(1.0),) if name in ("update_params", "backward") else (nn.Linear(1, 1),) \
        if name == "optim_context" else ()
    with pytest.raises(NotImplementedError) as caught:
        getattr(owd, name)(*args)
    assert [type(caught.value).__name__, str(caught.value)] == EXPECTED["errors"][name]


def test_bad_input_is_a_config_error_where_mmengine_raises(tmp_path):
    """MMEngine raises AssertionError / ValueError here; hookport a ConfigError naming the culprit."""
    assert EXPECTED["errors"]["not_a_wrapper"][0] == "AssertionError"
    with pytest.raises(ConfigError, match="only accepts OptimWrapper instances, but got a: <class 'int'>"):
        OptimWrapperDict(a=1)
    assert EXPECTED["errors"]["wrong_state_dict"][0] == "AssertionError"
    owd = OptimWrapperDict(gen=OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)))
    with pytest.raises(ConfigError, match="has no optimizer 'other' \\(it has \\['gen'\\]\\)"):
        owd.load_state_dict(dict(other={}))
    assert EXPECTED["errors"]["config_items"][0] == "ValueError"
    runner = _runner(tmp_path)
    with pytest.raises(ConfigError, match="each item must be a built OptimWrapper .* but got a="):
        runner.build_optim_wrapper(dict(a=dict(optimizer=dict(type="SGD", lr=0.1))))
    runner.close()


def test_auto_scale_lr_scales_every_optimizer(tmp_path):
    runner = _runner(tmp_path)
    runner.auto_scale_lr = dict(enable=True, base_batch_size=1)  # batch 2: lr x2
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.scale_lr()
    assert runner.optim_wrapper.get_lr() == {"gen.lr": [0.2], "disc.lr": [0.02]}
    runner.close()
