"""The per-iteration fast paths keep behaviour (a logger that drops INFO gets the same scalar records;
the message hub appends plain numbers and CPU tensors as HistoryBuffer.update does).

LoggerHook skips formatting the text line when ``runner.logger`` would drop it and asks the
processor for the tag dict only (``LogProcessor.get_tag_after_iter``). These tests pin that the
tag is the one ``get_log_after_iter`` returns (MMEngine 0.10.7 reference cases), that a real run
writes byte-identical ``scalars.json`` and message-hub history at WARNING and INFO, and that a
custom processor overriding ``get_log_after_iter`` is still the one called. The hand-written
JSON line and the window mean's fast path are checked against ``json.dumps`` and the plain formula.
"""
import copy
import itertools
import json
import logging
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from hookport.hooks.iter_timer_hook import IterTimerHook
from hookport.hooks.logger_hook import LoggerHook
from hookport.runner.log_processor import LogProcessor
from hookport.runner.message_hub import HistoryBuffer, MessageHub
from hookport.runner.vis_backends import _json_line

from .test_log_processor import REFERENCE, build_runner

ITER_CASES = [case for case in REFERENCE["cases"] if case["after"] == "iter"]


def _hub(case):
    hub = MessageHub(f"quiet-{case['name']}")
    for row in case["scalars"]:
        for key, value in row.items():
            hub.update_scalar(key, value)
    if case["eta"] is not None:
        hub.update_info("eta", case["eta"])
    return hub


@pytest.mark.parametrize("case", ITER_CASES, ids=lambda c: c["name"])
def test_tag_without_line_is_the_logged_tag(case):
    processor = LogProcessor(**case["processor"])
    tag_only = processor.get_tag_after_iter(build_runner(case, _hub(case)), case["batch_idx"], case["mode"])
    tag, _ = processor.get_log_after_iter(build_runner(case, _hub(case)), case["batch_idx"], case["mode"])
    assert list(tag_only) == list(tag) == case["tag_keys"]
    assert tag_only == tag
    assert tag_only == pytest.approx(case["tag"], rel=1e-12)


class _Recorder:
    """A visualizer that keeps the records LoggerHook hands it."""

    def __init__(self):
        self.records = []

    def add_scalars(self, tag, step=0, file_path=None):
        self.records.append((dict(tag), step, file_path))


class _LineProcessor(LogProcessor):
    """A user processor with its own line: it must be called even when the line is dropped."""

    calls = 0

    def get_log_after_iter(self, runner, batch_idx, mode):
        type(self).calls += 1
        tag, line = super().get_log_after_iter(runner, batch_idx, mode)
        return dict(tag, custom=1), line


@pytest.mark.parametrize("level", [logging.INFO, logging.WARNING])
@pytest.mark.parametrize("processor_cls", [LogProcessor, _LineProcessor])
def test_logger_hook_records_do_not_depend_on_the_log_level(level, processor_cls):
    case = next(c for c in ITER_CASES if c["mode"] == "train")
    logger = logging.getLogger(f"hookport.test.quiet.{level}.{processor_cls.__name__}")
    logger.setLevel(level)
    logger.propagate = False
    runner = build_runner(case, _hub(case))
    runner.log_processor, runner.logger, runner.visualizer = processor_cls(), logger, _Recorder()
    runner.train_dataloader, runner.experiment_name = runner.train_loop.dataloader, "exp"
    hook = LoggerHook(interval=1)
    _LineProcessor.calls = 0
    hook.after_train_iter(runner, case["batch_idx"])
    (tag, step, _), = runner.visualizer.records
    expected, _ = processor_cls().get_log_after_iter(runner, case["batch_idx"], "train")
    assert tag == expected and list(tag) == list(expected)
    assert step == case["iter"] + 1
    if processor_cls is _LineProcessor:
        assert _LineProcessor.calls == 2  # the hook's call and ours


def _run(tmp_path, cfg_overrides):
    """Train the toy config with a fake clock; return scalars.json lines and the hub history."""
    from hookport.runner.runner import Runner
    from tests.runner.base import _EPOCH_CFG

    cfg = copy.deepcopy(_EPOCH_CFG)
    cfg.update(cfg_overrides, work_dir=str(tmp_path))
    ticks = itertools.count()
    old_clock = IterTimerHook.clock
    IterTimerHook.clock = staticmethod(lambda: next(ticks) * 0.5)
    try:
        runner = Runner.from_cfg(cfg)
        runner.train()
        hub = runner.message_hub
        history = {key: buffer.data for key, buffer in hub.log_scalars.items()}
        info = {k: v for k, v in hub.runtime_info.items() if k not in ("cfg", "experiment_name", "last_ckpt")}
        runner.close()
    finally:
        IterTimerHook.clock = old_clock
        logging.getLogger("hookport").handlers.clear()
    scalars, = Path(tmp_path).glob("*/vis_data/scalars.json")
    return [json.loads(line) for line in scalars.read_text().splitlines()], history, info


def test_a_quiet_run_writes_the_same_scalars_and_history(tmp_path):
    overrides = dict(default_hooks=dict(logger=dict(type="LoggerHook", interval=3, ignore_last=False)),
                     log_processor=dict(window_size=2, custom_cfg=[
                         dict(data_src="loss", method_name="max", window_size="global", log_name="loss_max")]))
    loud = _run(tmp_path / "info", dict(overrides, log_level="INFO"))
    quiet = _run(tmp_path / "warning", dict(overrides, log_level="WARNING"))
    assert quiet == loud
    assert [record["step"] for record in loud[0] if "loss" in record] == [3, 4, 7, 8]


_json_values = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=5))


@given(st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), _json_values, max_size=8))
def test_scalar_lines_are_json_dumps_character_for_character(record):
    assert _json_line(record) == json.dumps(record)


def test_history_mean_fast_path_matches_the_window():
    buffer = HistoryBuffer(max_length=6)
    for i in range(9):
        buffer.update(float(i), count=2 if i % 3 else 1)
        for window in (0, 1, 3, 6, 10):
            values, counts = buffer.data
            assert buffer.mean(window) == sum(values[-window:]) / sum(counts[-window:])


_logged = st.one_of(st.floats(allow_nan=False), st.integers(-10, 10), st.booleans(),
                    st.floats(-5, 5).map(lambda v: ("tensor", v)))


@given(st.lists(st.tuples(_logged, st.integers(1, 3)), min_size=1, max_size=30), st.integers(1, 8))
def test_hub_scalar_fast_path_keeps_update_semantics(entries, max_length):
    torch = pytest.importorskip("torch")

    def value(v):
        return torch.tensor(v[1], requires_grad=True) * 1.0 if isinstance(v, tuple) else v

    hub = MessageHub("fast-path")
    hub.update_scalar("k", 0.5)
    hub.log_scalars["k"] = HistoryBuffer([0.5], [1], max_length=max_length)
    updated = HistoryBuffer([0.5], [1], max_length=max_length)
    for v, count in entries:
        hub.update_scalar("k", value(v), count)
        updated.update(value(v), count)
    # The constructor converts every value through the general path (_scalar).
    reference = HistoryBuffer([0.5] + [value(v) for v, _ in entries], [1] + [c for _, c in entries], max_length)
    assert hub.get_scalar("k").data == updated.data == reference.data
    assert [type(x) for x in hub.get_scalar("k").data[0]] == [type(x) for x in reference.data[0]]
    assert hub.state_dict()["resumed_keys"] == {"k": True}
