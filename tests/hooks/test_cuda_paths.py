"""CUDA-only paths: device scalars converted with one copy, peak memory in the log line, empty_cache."""
from types import SimpleNamespace

import pytest

from hookport.runner.log_processor import LogProcessor
from hookport.runner.message_hub import HistoryBuffer, MessageHub

from .fakes import Loop

pytestmark = pytest.mark.gpu


def test_cuda_scalars_are_read_correctly():
    import torch

    buffer = HistoryBuffer()
    for i in range(10):
        buffer.update(torch.tensor(float(i), device="cuda"))
    buffer.update(torch.tensor(3, device="cuda"))
    assert buffer.data[0] == [float(i) for i in range(10)] + [3]
    assert buffer.mean(2) == pytest.approx(6.0)


def test_log_line_reports_peak_cuda_memory_in_mb():
    import torch

    hub = MessageHub("cuda-log")
    hub.update_scalar("train/loss", torch.tensor(1.0, device="cuda"))
    block = torch.empty(64 * 1024 * 1024, dtype=torch.uint8, device="cuda")  # 64 MB peak
    runner = SimpleNamespace(message_hub=hub, epoch=0, iter=0, max_epochs=1, max_iters=1, train_loop=Loop(1),
                             _train_loop=True, model=SimpleNamespace())
    tag, line = LogProcessor().get_log_after_iter(runner, 0, "train")
    del block
    assert tag["memory"] >= 64
    assert f"memory: {tag['memory']}  " in line
