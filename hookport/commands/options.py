"""Options shared by the commands that read one config (``run``, ``hooks``, ``schedule``)."""
from __future__ import annotations


def add_config_overrides(parser) -> None:
    """Add ``--cfg-options KEY=VALUE ...`` and ``--dialect``, which mean the same in every such command."""
    parser.add_argument("--cfg-options", nargs="+", default=None, metavar="KEY=VALUE",
                        help="override config keys; values are Python literals (a.b=4, c=[1,2])")
    parser.add_argument("--dialect", choices=("auto", "mmengine", "mmcv", "imix"), default="auto",
                        help="read the config as this dialect (default: detect from its keys)")
