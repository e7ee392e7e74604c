"""`hookport schedule CONFIG`: the LR/momentum every training iteration uses, without training.

The config is read in its dialect (detected from its keys, or ``--dialect``), which
computes the trajectory (``dialect.schedule(cfg, iters_per_epoch)``). Iterations per
epoch come from ``--iters-per-epoch`` or, failing that, from the training dataset
(its length, the batch size and ``drop_last``), which is built only for this count.
"""
from __future__ import annotations

import math
import os

from hookport.commands.options import add_config_overrides
from hookport.errors import ConfigError, HookportError

HELP = "print the learning rate and momentum of every training iteration, without training"


def add_arguments(parser) -> None:
    """``CONFIG [--iters-per-epoch N] [--json | --plot FILE.png] [--cfg-options ...] [--dialect ...]``."""
    parser.add_argument("config", help="config file (.py, .yaml, .json)")
    parser.add_argument("--iters-per-epoch", type=int, default=None, metavar="N",
                        help="iterations per epoch (default: counted from the training dataset)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help='print {"iters_per_epoch": N, "lr": [[group0, ...] per iter], "momentum": [...]}')
    out.add_argument("--plot", metavar="FILE.png", help="draw lr and momentum into an image (needs matplotlib)")
    add_config_overrides(parser)


def main(args) -> int:
    """Compute the schedule and print it (table or JSON) or plot it."""
    import json

    from hookport.config.locate import located, option_keys
    from hookport.iters_per_epoch import iters_from_dataset
    from hookport.runner.dialect import load_dialect_config

    cfg, dialect = load_dialect_config(args.config, args.cfg_options, args.dialect)
    iters = args.iters_per_epoch
    if iters is not None and iters <= 0:
        raise ConfigError(f"--iters-per-epoch must be a positive integer, got {iters}")
    if args.plot and not os.path.isdir(os.path.dirname(os.path.abspath(args.plot))):
        raise HookportError(f"--plot {args.plot}: the folder {os.path.dirname(os.path.abspath(args.plot))} "
                            f"does not exist")
    with located(cfg, option_keys(args.cfg_options)):
        if iters is None:
            iters = iters_from_dataset(cfg)
        result = dialect.schedule(cfg, iters)
    doc = dict(iters_per_epoch=iters, lr=result["lr"], momentum=result["momentum"])
    if args.json:
        print(json.dumps(doc))
    elif args.plot:
        plot(doc, args.plot, title=str(args.config))
        print(f"wrote {args.plot}")
    else:
        print(format_table(doc))
    return 0


# -- output ----------------------------------------------------------------------------------
def format_table(doc: dict) -> str:
    """One line per iteration where a value changes (and the last one): iter, epoch, lr and momentum per group."""
    lr, momentum, per_epoch = doc["lr"], doc["momentum"], doc["iters_per_epoch"]
    groups = len(lr[0]) if lr else 0
    header = ["iter", "epoch"] + [f"lr[{g}]" for g in range(groups)] + [f"momentum[{g}]" for g in range(groups)]
    rows = []
    for it, (lrs, moms) in enumerate(zip(lr, momentum)):
        if 0 < it < len(lr) - 1 and lrs == lr[it - 1] and moms == momentum[it - 1]:
            continue
        rows.append([str(it), str(it // per_epoch)] + [f"{v:.6g}" for v in lrs] +
                    ["-" if v is None else f"{v:.6g}" for v in moms])
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
    lines.append(f"({len(lr)} iterations, {per_epoch} per epoch; unchanged iterations omitted)")
    return "\n".join(lines)


def plot(doc: dict, path: str, title: str = "") -> None:
    """Draw lr and momentum per iteration (one line per group) into ``path``, atomically."""
    import tempfile

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise HookportError("--plot needs matplotlib: pip install 'hookport[plot]'") from err
    fig, (ax_lr, ax_mom) = plt.subplots(2, 1, sharex=True, figsize=(8, 6))
    for series, ax, name in ((doc["lr"], ax_lr, "lr"), (doc["momentum"], ax_mom, "momentum")):
        for g in range(len(series[0]) if series else 0):
            # a value holds for a whole iteration: draw steps, not slopes
            ax.step(range(len(series)), [math.nan if row[g] is None else row[g] for row in series],
                    where="post", label=f"group {g}")
        ax.set_ylabel(name)
        ax.legend(loc="best")
    ax_mom.set_xlabel(f"iteration ({doc['iters_per_epoch']} per epoch)")
    fig.suptitle(title)
    folder = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1] or ".png"
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=suffix)
    os.close(fd)
    try:
        fig.savefig(tmp)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
