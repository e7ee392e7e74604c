"""LogProcessor against MMEngine 0.10.7 (tests/data/reference/mmengine_hooks/log_processor.json).

The reference fed scripted scalars into MMEngine's MessageHub and recorded the text line
and tag dict; the same scalars go through hookport's hub and processor here.
"""
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from hookport.errors import ConfigError
from hookport.registry import LOG_PROCESSORS
from hookport.runner.log_processor import LogProcessor
from hookport.runner.message_hub import MessageHub

from .fakes import Loop

REFERENCE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "mmengine_hooks"
                        / "log_processor.json").read_text())


def build_runner(case, hub):
    n_train, n_val, n_test = case["n"]
    runner = SimpleNamespace(message_hub=hub, epoch=case["epoch"], iter=case["iter"],
                             max_epochs=case["max_epochs"], max_iters=case["max_iters"], train_loop=Loop(n_train),
                             val_loop=Loop(n_val), test_loop=Loop(n_test), model=None)
    runner._train_loop = runner.train_loop if case["training"] else None
    return runner


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda c: c["name"])
def test_line_and_tags_match_mmengine(case):
    hub = MessageHub(f"lp-{case['name']}")
    for row in case["scalars"]:
        for key, value in row.items():
            hub.update_scalar(key, value)
    for key, value in (case.get("metrics") or {}).items():
        hub.update_scalar(f"{case['mode']}/{key}", value)
    if case["eta"] is not None:
        hub.update_info("eta", case["eta"])
    processor = LogProcessor(**case["processor"])
    runner = build_runner(case, hub)
    if case["after"] == "iter":
        tag, line = processor.get_log_after_iter(runner, case["batch_idx"], case["mode"])
    else:
        tag, line = processor.get_log_after_epoch(runner, case["batch_idx"], case["mode"])
    assert line == case["line"]
    assert list(tag) == case["tag_keys"]
    assert tag == pytest.approx(case["tag"], rel=1e-12)


def test_lazy_tensor_scalars_format_like_numbers():
    torch = pytest.importorskip("torch")
    hub = MessageHub("lp-tensor")
    for i in range(3):
        hub.update_scalar("train/lr", 0.1)
        hub.update_scalar("train/loss", torch.tensor(float(i), requires_grad=True) * 1.0)
    runner = SimpleNamespace(message_hub=hub, epoch=0, iter=2, max_epochs=1, max_iters=3, train_loop=Loop(3),
                             _train_loop=True, model=None)
    tag, line = LogProcessor().get_log_after_iter(runner, 2, "train")
    assert line.endswith("lr: 1.0000e-01  loss: 1.0000")
    assert tag["loss"] == 1.0 and isinstance(tag["loss"], float)


def test_registered_for_config_building():
    assert isinstance(LOG_PROCESSORS.build(dict(type="LogProcessor", window_size=50)), LogProcessor)


@pytest.mark.parametrize("kwargs,message", [
    (dict(custom_cfg=[dict(method_name="mean")]), "needs a 'data_src'"),
    (dict(custom_cfg=[dict(data_src="loss", method_name="mean"), dict(data_src="loss", method_name="max")]),
     "defined twice"),
    (dict(by_epoch=False, custom_cfg=[dict(data_src="loss", method_name="mean", window_size="epoch")]),
     "needs by_epoch=True"),
    (dict(custom_cfg=[dict(data_src="loss", method_name="mean", window_size="forever")]), "window_size must be"),
])
def test_bad_custom_cfg_is_a_config_error(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LogProcessor(**kwargs)


def test_epoch_summary_prints_arrays_on_their_own_lines():
    torch = pytest.importorskip("torch")
    hub = MessageHub("lp-arrays")
    hub.update_scalar("test/acc", 0.5)
    hub.update_info("test/confusion", torch.tensor([[1, 0], [0, 1]]))
    hub.update_info("test/count", 7)
    runner = SimpleNamespace(message_hub=hub, epoch=0, iter=0, max_epochs=1, max_iters=1, train_loop=Loop(1),
                             val_loop=Loop(2), test_loop=Loop(2), _train_loop=None, model=None)
    tag, line = LogProcessor().get_log_after_epoch(runner, 2, "test", with_non_scalar=True)
    assert line == ("Epoch(test) [2/2]    acc: 0.5000  confusion: \ntensor([[1, 0],\n        [0, 1]])\n"
                    "  count: 7")
    assert list(tag) == ["acc", "confusion", "count"]
