"""`hookport demo`: the main job on the shipped fixtures: train the MMEngine toy config, codemod a shipped hook."""
from __future__ import annotations

import os

HELP = "train the shipped toy config in a temporary work dir and print a summary"

FIXTURE = os.path.join("fixtures", "mmengine", "toy_classifier.py")
HOOK_FIXTURE = os.path.join("fixtures", "codemod", "hooks", "check_invalid_loss.in.py")


def add_arguments(parser) -> None:
    """``[--work-dir DIR]`` (default: a temporary directory, removed afterwards)."""
    parser.add_argument("--work-dir", help="keep the run's outputs here instead of a temporary directory")


def find_fixture(name: str) -> str:
    """A shipped fixture, looked up from the current directory and from the source checkout."""
    from hookport.errors import HookportError

    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for root in (os.getcwd(), here):
        path = os.path.join(root, name)
        if os.path.exists(path):
            return path
    raise HookportError(f"fixture {name} not found (run from the hookport checkout)")


def run_toy(work_dir: str) -> dict:
    """Train the toy fixture into ``work_dir`` and return ``dict(epochs, iters, metrics, checkpoints)``."""
    from hookport.runner.dialect import load_dialect_config

    cfg, dialect = load_dialect_config(find_fixture(FIXTURE))
    cfg["work_dir"] = work_dir
    cfg["log_level"] = "WARNING"
    runner = dialect.build_runner(cfg)
    try:
        runner.train()
        metrics = {key: runner.message_hub.get_scalar(key).current()
                   for key in runner.message_hub.log_scalars
                   if key.startswith("val/") and not key.endswith("time")}
    finally:
        runner.close()
    checkpoints = sorted(f for f in os.listdir(work_dir) if f.endswith(".pth"))
    return dict(epochs=runner.epoch, iters=runner.iter, metrics=metrics, checkpoints=checkpoints)


def main(args) -> int:
    """Run the demo and print what it did."""
    import tempfile

    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        summary = run_toy(os.path.abspath(args.work_dir))
    else:
        with tempfile.TemporaryDirectory(prefix="hookport-demo-") as tmp:
            summary = run_toy(tmp)
    metrics = ", ".join(f"{k[len('val/'):]}={v:.2f}" for k, v in summary["metrics"].items())
    print(f"mmengine toy_classifier: trained {summary['epochs']} epochs / {summary['iters']} iterations; "
          f"validation {metrics or 'n/a'}; checkpoints: {', '.join(summary['checkpoints'])}")
    _codemod_demo()
    return 0


def _codemod_demo() -> None:
    """Codemod a shipped MMCV hook (mmdet 2.x CheckInvalidLossHook style) and print the diff."""
    from hookport.commands.codemod import unified_diff
    from hookport.converters.codemod import transform_file

    outcome = transform_file(find_fixture(HOOK_FIXTURE))
    print(f"hookport codemod {HOOK_FIXTURE}: {outcome.status.value}, {sum(outcome.fixes.values())} rewrites, "
          f"{len(outcome.todos)} TODOs")
    print(unified_diff(outcome), end="")
