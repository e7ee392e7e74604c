"""SyncBuffersHook: buffers are averaged across two real gloo processes; no-op when not distributed."""
import os

import pytest

torch = pytest.importorskip("torch")
import torch.distributed as dist  # noqa: E402
import torch.multiprocessing as mp  # noqa: E402
from torch import nn  # noqa: E402

from hookport.hooks.sync_buffers_hook import SyncBuffersHook  # noqa: E402

from .fakes import FakeRunner  # noqa: E402


def worker(rank, out_dir):
    # a rendezvous file instead of a TCP port: no port to race other tests for
    dist.init_process_group("gloo", init_method=f"file://{os.path.join(out_dir, 'rendezvous')}", rank=rank,
                            world_size=2)
    try:
        model = nn.BatchNorm1d(2)
        with torch.no_grad():
            model.running_mean.fill_(float(rank * 2))  # 0 and 2 -> mean 1
            model.running_var.fill_(1.0 + rank)
            model.num_batches_tracked.fill_(3 + rank)  # 3 and 4 -> floor of the mean: 3
        runner = FakeRunner()
        runner.model, runner.distributed = model, True
        hook = SyncBuffersHook()
        hook.after_train_epoch(runner)
        with torch.no_grad():
            model.running_mean.fill_(float(rank * 10))  # changed after the epoch sync
        hook.before_val_epoch(runner)  # skipped: the train epoch already synced
        first = [b.tolist() for b in model.buffers()]
        hook.before_val_epoch(runner)  # a second validation without training syncs again
        second = [b.tolist() for b in model.buffers()]
        torch.save(dict(first=first, second=second), os.path.join(out_dir, f"{rank}.pt"))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_buffers_are_averaged_across_ranks(tmp_path):
    mp.spawn(worker, args=(str(tmp_path),), nprocs=2, join=True)
    results = [torch.load(tmp_path / f"{rank}.pt") for rank in (0, 1)]
    assert results[0]["first"] == [[0.0, 0.0], [1.5, 1.5], 3]
    assert results[1]["first"] == [[10.0, 10.0], [1.5, 1.5], 3]
    for result in results:
        assert result["second"] == [[5.0, 5.0], [1.5, 1.5], 3]


def test_not_distributed_is_a_no_op():
    model = nn.BatchNorm1d(2)
    runner = FakeRunner()
    runner.model = model
    hook = SyncBuffersHook()
    hook.after_train_epoch(runner)
    hook.before_val_epoch(runner)
    assert model.running_mean.tolist() == [0.0, 0.0]
