"""`hookport hooks CONFIG`: the resolved hook order per mount point, without training."""
from __future__ import annotations

from hookport.commands.options import add_config_overrides

HELP = "print the hooks a config registers, per mount point, in the order they run"


def add_arguments(parser) -> None:
    """``CONFIG [--json] [--cfg-options ...] [--dialect ...]``."""
    parser.add_argument("config", help="config file (.py, .yaml, .json)")
    parser.add_argument("--json", action="store_true", help="print the JSON document (see DESIGN.md)")
    add_config_overrides(parser)
    parser.add_argument("--launcher", choices=("none", "pytorch"), default="none",
                        help="show the hooks of a distributed run")


def main(args) -> int:
    """Build the dialect's hook table from the config and print it."""
    import json

    from hookport.config.locate import located, option_keys
    from hookport.runner.dialect import load_dialect_config

    cfg, dialect = load_dialect_config(args.config, args.cfg_options, args.dialect)
    with located(cfg, option_keys(args.cfg_options)):
        table = dialect.hook_table(cfg, distributed=args.launcher != "none")
    if args.json:
        print(json.dumps(table.as_json(dialect.name, dialect.stages), indent=2))
    else:
        # Exactly what the dialect's own runner prints (MMCV get_hook_info / MMEngine get_hooks_info).
        print(table.info(dialect.stages))
    return 0
