"""A legacy config under ``torchrun --nproc_per_node=2 hookport run --launcher pytorch`` (gloo on CPU)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]



@pytest.mark.slow
def test_two_process_legacy_run(tmp_path):
    pytest.importorskip("torch")
    env = dict(os.environ, OMP_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([str(ROOT / "fixtures/mmcv"), os.environ.get("PYTHONPATH", "")]))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           "-m", "hookport", "run", str(ROOT / "fixtures/mmcv/legacy_toy_cfg.py"), "--work-dir", str(tmp_path),
           "--launcher", "pytorch"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"epoch_2.pth", "epoch_3.pth", "latest.pth", "legacy_toy_cfg.py"} <= set(names)
    logs = [n for n in names if n.endswith(".log.json")]
    assert len(logs) == 1, "only rank 0 writes the JSON log"
    records = [json.loads(line) for line in (tmp_path / logs[0]).read_text().splitlines()]
    # DistEvalHook evaluated on rank 0 after gathering both shards, every epoch.
    assert [r["epoch"] for r in records if r.get("mode") == "val"] == [1, 2, 3]
    # Each rank trains on half of the 20 samples: 5 iterations per epoch.
    assert [r["iter"] for r in records if r.get("mode") == "train"] == [5, 5, 5]
