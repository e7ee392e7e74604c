"""Model protocols: MMEngine-style step models and plain nn.Modules; parse_losses semantics."""
import pytest
import torch
from torch import nn

from hookport.errors import HookportError
from hookport.runner.model import BaseModel, model_steps, parse_losses, run_forward
from hookport.toy import ToyClassifier
from tests.runner.base import RunnerTestCase


def test_parse_losses_sums_only_loss_keys_and_averages():
    losses = {"loss_cls": torch.tensor([1.0, 3.0]), "loss_box": [torch.tensor([2.0]), torch.tensor([4.0, 6.0])],
              "acc": torch.tensor(0.5)}
    loss, log_vars = parse_losses(losses)
    assert loss.item() == pytest.approx(2.0 + 2.0 + 5.0)
    assert list(log_vars) == ["loss", "loss_cls", "loss_box", "acc"]
    assert log_vars["acc"].item() == 0.5 and not log_vars["loss"].requires_grad


def test_parse_losses_tensor_and_errors():
    loss, log_vars = parse_losses(torch.tensor([2.0, 4.0]))
    assert loss.item() == 3.0 and list(log_vars) == ["loss"]
    with pytest.raises(HookportError, match="'loss_x' is not a tensor"):
        parse_losses({"loss_x": 1.0})
    with pytest.raises(HookportError, match="no loss to optimise"):
        parse_losses({"acc": torch.tensor(1.0)})
    with pytest.raises(HookportError, match="tensor or a dict"):
        parse_losses([torch.tensor(1.0)])


def test_run_forward_dispatches_dicts_and_sequences():
    seen = []

    class Echo(nn.Module):
        def forward(self, *args, **kwargs):
            seen.append((len(args), sorted(kwargs)))

    run_forward(Echo(), {"a": 1, "b": 2}, mode="loss")
    run_forward(Echo(), (1, 2))
    run_forward(Echo(), torch.zeros(1))
    assert seen == [(0, ["a", "b", "mode"]), (2, []), (1, [])]


def test_toy_classifier_modes():
    model = ToyClassifier()
    batch = {"inputs": [torch.zeros(8), torch.ones(8)], "labels": [torch.tensor(0), torch.tensor(2)]}
    assert set(run_forward(model, batch, mode="loss")) == {"loss"}
    preds = run_forward(model, batch, mode="predict")
    assert len(preds) == 2 and int(preds[1]["gt_label"]) == 2
    assert run_forward(model, batch, mode="tensor").shape == (2, 3)
    with pytest.raises(ValueError, match="invalid mode"):
        run_forward(model, batch, mode="nope")
    assert isinstance(model, BaseModel) and model_steps(model).train == model.train_step


class PlainLossNet(nn.Module):
    """A plain module: forward(inputs, labels) returns the loss tensor (or a dict of losses)."""

    def __init__(self, as_dict=False):
        super().__init__()
        self.linear = nn.Linear(8, 3)
        self.as_dict = as_dict

    def forward(self, inputs, labels):
        logits = self.linear(inputs)
        loss = nn.functional.cross_entropy(logits, labels)
        return {"loss_ce": loss, "aux": logits.mean()} if self.as_dict else loss


class TestPlainModule(RunnerTestCase):
    def _cfg(self, model):
        cfg = self.epoch_based_cfg(model=model, val_dataloader=None, val_cfg=None, val_evaluator=None,
                                   test_dataloader=None, test_cfg=None, test_evaluator=None)
        cfg["train_dataloader"]["collate_fn"] = dict(type="default_collate")
        return cfg

    def test_plain_module_returning_a_tensor_trains(self):
        model = PlainLossNet()
        before = model.linear.weight.detach().clone()
        runner = self.build_runner(self._cfg(model))
        runner.train()
        self.assertIs(runner.model, model)
        self.assertFalse(torch.equal(before, model.linear.weight))
        self.assertIn("train/loss", runner.message_hub.log_scalars)

    def test_plain_module_returning_a_dict_logs_every_entry(self):
        runner = self.build_runner(self._cfg(PlainLossNet(as_dict=True)))
        runner.train()
        for key in ("train/loss", "train/loss_ce", "train/aux"):
            self.assertIn(key, runner.message_hub.log_scalars)

    def test_callable_collate_fn_and_dataset_instance(self):
        from hookport.toy import ToyDataset

        cfg = self._cfg(PlainLossNet())
        cfg["train_dataloader"]["dataset"] = ToyDataset(size=16)
        cfg["train_dataloader"]["collate_fn"] = torch.utils.data.default_collate
        runner = self.build_runner(cfg)
        runner.train()
        self.assertEqual(runner.iter, 4)


def test_cast_data_moves_nested_tensors_and_is_free_on_cpu():
    from hookport.runner.model import cast_data, model_device

    batch = {"x": [torch.zeros(1)], "y": (torch.ones(1), "meta")}
    assert cast_data(batch, torch.device("cpu")) is batch
    assert model_device(nn.Linear(1, 1)).type == "cpu" and model_device(nn.ReLU()).type == "cpu"
    meta = torch.device("meta")
    moved = cast_data(batch, meta)
    assert moved["x"][0].device == meta and moved["y"][0].device == meta and moved["y"][1] == "meta"


@pytest.mark.gpu
def test_plain_module_and_base_model_steps_on_cuda():
    from hookport.optim.wrapper import OptimWrapper

    for model in (PlainLossNet().cuda(), ToyClassifier().cuda()):
        wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
        batch = {"inputs": torch.zeros(2, 8), "labels": torch.tensor([0, 1])}
        log_vars = model_steps(model).train(batch, optim_wrapper=wrapper)
        assert log_vars["loss"].device.type == "cuda"
