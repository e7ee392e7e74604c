"""`hookport demo`: the main jobs on the shipped fixtures, end to end.

1. train the MMEngine toy config on the canonical runner;
2. train a legacy MMCV 1.x config (with an unchanged ``mmcv.runner`` custom-hook file) as MMCV would;
3. train an iMIX config with its HookBase hooks at iMIX levels;
4. convert a shipped MMDetection 2.x-style config tree to MMEngine, verified, and print the report summary;
5. codemod a shipped MMCV hook (mmdet 2.x CheckInvalidLossHook style) and print the diff.

Everything is written under one work dir (a temporary one unless ``--work-dir`` is given).
"""
from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator, List

HELP = "run the main jobs (train three dialects, convert a config tree, codemod a hook) on shipped fixtures"

MMENGINE_CONFIG = os.path.join("fixtures", "mmengine", "toy_classifier.py")
MMCV_CONFIG = os.path.join("fixtures", "mmcv", "legacy_toy_cfg.py")
IMIX_CONFIG = os.path.join("fixtures", "imix", "configs", "toy_demo.py")
CONVERT_TREE = os.path.join("fixtures", "convert", "trees", "mmdet", "configs")
HOOK_FIXTURE = os.path.join("fixtures", "codemod", "hooks", "check_invalid_loss.in.py")


def add_arguments(parser) -> None:
    """``[--work-dir DIR]`` (default: a temporary directory, removed afterwards)."""
    parser.add_argument("--work-dir", help="keep the demo's outputs here instead of a temporary directory")


def find_fixture(name: str) -> str:
    """A shipped fixture, looked up from the current directory and from the source checkout."""
    from hookport.errors import HookportError

    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for root in (os.getcwd(), here):
        path = os.path.join(root, name)
        if os.path.exists(path):
            return path
    raise HookportError(f"fixture {name} not found (run from the hookport checkout)")


@contextlib.contextmanager
def _importable(directory: str) -> Iterator[None]:
    """Let a fixture's ``custom_imports`` find the modules next to it (as ``PYTHONPATH=...`` would)."""
    sys.path.insert(0, directory)
    try:
        yield
    finally:
        sys.path.remove(directory)


def train(config: str, work_dir: str) -> List[str]:
    """Train ``config`` (any dialect) into ``work_dir``; return the checkpoint files written."""
    from hookport.runner.dialect import load_dialect_config

    path = find_fixture(config)
    with _importable(os.path.dirname(path)):
        cfg, dialect = load_dialect_config(path)
        cfg["work_dir"] = work_dir
        cfg["log_level"] = "WARNING"
        runner = dialect.build_runner(cfg)
        try:
            runner.train()
        finally:
            runner.close()
    found = []
    for root, _, files in os.walk(work_dir):
        found.extend(os.path.relpath(os.path.join(root, f), work_dir) for f in files if f.endswith(".pth"))
    return sorted(found)


def convert_tree(out_dir: str, report: str) -> int:
    """Convert the shipped MMDetection 2.x-style tree into ``out_dir``, the verified report into ``report``."""
    from hookport.cli import main as cli_main

    code = cli_main(["convert", find_fixture(CONVERT_TREE), "-o", out_dir, "--scope", "mmdet",
                     "--report", report])
    print(f"full report: {report}")
    return code


def codemod_hook() -> None:
    """Codemod a shipped MMCV hook and print the diff."""
    from hookport.commands.codemod import unified_diff
    from hookport.converters.codemod import transform_file

    outcome = transform_file(find_fixture(HOOK_FIXTURE))
    print(f"{HOOK_FIXTURE}: {outcome.status.value}, {sum(outcome.fixes.values())} rewrites, "
          f"{len(outcome.todos)} TODOs")
    print(unified_diff(outcome), end="")


def _run(work_dir: str) -> int:
    for title, config in (("MMEngine", MMENGINE_CONFIG), ("MMCV 1.x", MMCV_CONFIG), ("iMIX", IMIX_CONFIG)):
        print(f"== hookport run {config}  ({title} dialect)")
        name = os.path.splitext(os.path.basename(config))[0]
        checkpoints = train(config, os.path.join(work_dir, "run", name))
        print(f"trained; checkpoints: {', '.join(checkpoints) or 'none'}\n")
    print(f"== hookport convert {CONVERT_TREE} -o ... --scope mmdet --report report.md")
    code = convert_tree(os.path.join(work_dir, "converted"), os.path.join(work_dir, "convert-report.md"))
    print(f"\n== hookport codemod {HOOK_FIXTURE}")
    codemod_hook()
    return code


def main(args) -> int:
    """Run every step of the demo and print what each did."""
    import tempfile

    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        return _run(os.path.abspath(args.work_dir))
    with tempfile.TemporaryDirectory(prefix="hookport-demo-") as tmp:
        return _run(tmp)
