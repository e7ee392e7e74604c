"""Two processes with gloo on CPU, end to end through torchrun and ``hookport run --launcher pytorch``."""
import gc
import glob
import os
import shutil
import subprocess
import sys

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "fixtures", "mmengine", "toy_classifier.py")



@pytest.mark.slow
def test_two_gloo_ranks_train_to_identical_weights(tmp_path):
    """The config asks for nccl (as MMEngine configs do); without CUDA the runner falls back to gloo."""
    torchrun = shutil.which("torchrun") or os.path.join(os.path.dirname(sys.executable), "torchrun")
    # CPU only (gloo), also on a machine with GPUs: the test is about the CPU path.
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1",
               CUDA_VISIBLE_DEVICES="")
    hooks = ("custom_hooks=[{'type': 'EMAHook', 'momentum': 0.2, 'priority': 'ABOVE_NORMAL'}, "
             "{'type': 'tests.runner.helpers.DumpStateHook'}]")
    cmd = [torchrun, "--standalone", "--nproc_per_node", "2",  # standalone: torchrun picks a free port itself
           "-m", "hookport", "run", FIXTURE, "--launcher", "pytorch", "--work-dir", str(tmp_path),
           "--cfg-options", hooks, "env_cfg={'dist_cfg': {'backend': 'nccl'}}"]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]
    assert all(r["distributed"] and r["world_size"] == 2 for r in ranks)
    for name, value in ranks[0]["state_dict"].items():
        assert torch.equal(value, ranks[1]["state_dict"][name]), name
    # Metrics are gathered across ranks: both ranks see the same numbers.
    assert ranks[0]["metrics"] == ranks[1]["metrics"] and "accuracy/top1" in ranks[0]["metrics"]
    # Rank 0 alone writes checkpoints and the log file.
    assert sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "epoch_*.pth"))) == \
        ["epoch_2.pth", "epoch_3.pth"]
    assert len(glob.glob(str(tmp_path / "*" / "*.log"))) == 1
    # 48 samples over 2 ranks with batch 8: 3 iterations per epoch on each rank.
    assert "Epoch(train) [3][2/3]" in done.stdout


@pytest.mark.parametrize("fixture", [FIXTURE, os.path.join(ROOT, "fixtures", "mmcv", "legacy_toy_cfg.py")],
                         ids=["mmengine", "mmcv"])
def test_process_group_is_left_with_no_model_holding_it(fixture, tmp_path, monkeypatch):
    """The DDP model (which holds the gloo group) is gone before the group is destroyed.

    A DDP module still alive at that point keeps the group until interpreter
    finalisation, where gloo's threads abort the process at exit (SIGABRT).
    """
    import socket

    import torch.distributed as torch_dist

    import hookport.runner.dist as dist
    from hookport.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", str(port))
    monkeypatch.syspath_prepend(os.path.join(ROOT, "fixtures", "mmcv"))
    live_at_destroy = []
    leave = dist.destroy_dist

    def counting_destroy():
        live_at_destroy.append(sum(isinstance(o, torch.nn.parallel.DistributedDataParallel) for o in gc.get_objects()))
        leave()

    monkeypatch.setattr(dist, "destroy_dist", counting_destroy)
    assert main(["run", fixture, "--launcher", "pytorch", "--work-dir", str(tmp_path)]) == 0
    assert live_at_destroy == [0]
    assert not torch_dist.is_initialized()
