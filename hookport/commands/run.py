"""`hookport run CONFIG`: train a config of any dialect on the canonical runner."""
from __future__ import annotations

from typing import Optional, Set

from hookport.commands.options import add_config_overrides

HELP = "train a config (MMEngine, MMCV 1.x or iMIX) on the canonical runner"


def add_arguments(parser) -> None:
    """``CONFIG [--work-dir DIR] [--launcher none|pytorch] [--resume [CKPT]] [--cfg-options k=v ...]``."""
    parser.add_argument("config", help="config file (.py, .yaml, .json)")
    parser.add_argument("--work-dir", help="where logs and checkpoints go (overrides the config's work_dir)")
    parser.add_argument("--launcher", choices=("none", "pytorch"), default="none",
                        help="'pytorch' under torchrun (gloo on CPU, nccl on CUDA)")
    parser.add_argument("--resume", nargs="?", const="auto", default=None, metavar="CKPT",
                        help="resume from CKPT, or from the newest checkpoint in the work dir without a value")
    add_config_overrides(parser)


def main(args) -> int:
    """Load, apply overrides, build the dialect's runner and train."""
    import os.path as osp

    from hookport.config.locate import located, option_keys
    from hookport.errors import ConfigError
    from hookport.runner.dialect import load_dialect_config

    cfg, dialect = load_dialect_config(args.config, args.cfg_options, args.dialect)
    if args.work_dir is not None:
        cfg["work_dir"] = args.work_dir
    elif "work_dir" not in cfg or cfg["work_dir"] is None:
        cfg["work_dir"] = osp.join("work_dirs", osp.splitext(osp.basename(args.config))[0])
    cfg["launcher"] = args.launcher
    if args.resume == "auto":
        # As MMEngine's tools/train.py: the newest checkpoint of the work dir, not the config's load_from.
        cfg["resume"] = True
        cfg["load_from"] = None
    elif args.resume is not None:
        cfg["resume"] = True
        cfg["load_from"] = args.resume
    with located(cfg, option_keys(args.cfg_options)):
        if not isinstance(cfg["work_dir"], str):
            raise ConfigError(f"work_dir must be a path, got {cfg['work_dir']!r}")
        existing = _entries(cfg["work_dir"])
        try:
            runner = dialect.build_runner(cfg)
        except BaseException:
            # Nothing has run: leave no empty log folder or config copy behind (DESIGN: never half-written).
            _discard_new_entries(cfg["work_dir"], existing)
            raise
        try:
            runner.train()
        finally:
            runner.close()
        del runner
    if args.launcher != "none":
        _leave_process_group()
    return 0


def _leave_process_group() -> None:
    """Leave the process group while the interpreter is fully alive, once the runner is unreachable.

    The DDP-wrapped model holds the gloo/nccl group, and the runner sits in reference cycles
    (hooks point back at it), so without an explicit collection the group outlives
    ``destroy_process_group`` and is torn down during interpreter finalisation, where gloo's
    worker threads abort the process ("terminate called without an active exception").
    """
    import gc

    from hookport.runner.dist import destroy_dist

    gc.collect()
    destroy_dist()


def _entries(work_dir: str) -> Optional[Set[str]]:
    """The names in ``work_dir`` now (None when it does not exist)."""
    import os

    return set(os.listdir(work_dir)) if os.path.isdir(work_dir) else None


def _discard_new_entries(work_dir: str, existing: Optional[Set[str]]) -> None:
    """Remove what appeared in ``work_dir`` since ``existing`` was taken (the folder too if it is new).

    A logger writing into what is removed belonged to the runner that failed half-way and never closed
    it: all its handlers are closed first.
    """
    import logging
    import os
    import shutil

    if not os.path.isdir(work_dir):
        return
    new = [os.path.join(work_dir, name) for name in set(os.listdir(work_dir)) - (existing or set())]
    prefixes = tuple(os.path.abspath(path) for path in new)
    for logger in [logging.getLogger()] + [obj for obj in logging.Logger.manager.loggerDict.values()
                                            if isinstance(obj, logging.Logger)]:
        if any(isinstance(handler, logging.FileHandler) and handler.baseFilename.startswith(prefixes)
               for handler in logger.handlers):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
                handler.close()
    for path in new:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
    if existing is None and not os.listdir(work_dir):
        os.rmdir(work_dir)
