"""Helpers for the iMIX dialect tests: fixture paths, configs, tiny engines, recorded events."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "fixtures", "imix")
CONFIGS = os.path.join(FIXTURES, "configs")


def load_cfg(name, **overrides):
    """A fixture config read with iMIX's base rule, with top-level ``overrides``."""
    from hookport.config import Config

    cfg = Config.fromfile(os.path.join(CONFIGS, name), base_rule="imix")
    for key, value in overrides.items():
        cfg[key] = value
    return cfg


def engine(name, work_dir, resume_from=None, **overrides):
    """An :class:`ImixEngine` for a fixture config, writing into ``work_dir``."""
    from hookport.compat.imix.engine import ImixEngine

    return ImixEngine(load_cfg(name, **overrides), work_dir=str(work_dir), resume_from=resume_from)


def events(fixture_hooks, tag="recorder", keys=("event", "iter", "epoch", "inner_iter", "log_buffer_iter")):
    """The recorded events of one recorder as tuples of ``keys``."""
    return [tuple(r[k] for k in keys) for r in fixture_hooks.EVENTS if r["tag"] == tag]
