"""`hookport run CONFIG`: train a config of any dialect on the canonical runner."""
from __future__ import annotations

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
        runner = dialect.build_runner(cfg)
        try:
            runner.train()
        finally:
            runner.close()
    return 0
