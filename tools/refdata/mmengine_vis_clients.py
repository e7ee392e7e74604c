"""What MMEngine 0.10.7's Wandb/MLflow/Neptune/DVCLive/ClearML vis backends send to their clients.

Run: $REFENV/bin/python tools/refdata/mmengine_vis_clients.py
The client libraries are the recording stand-ins of tests/runner/fake_vis_clients.py (the same
ones the differential test gives hookport). Writes tests/data/reference/mmengine/vis_clients.json:

- ``runs``: per case, the config text (a tiny regression model, checkpoints, LoggerHook every 2
  iterations, a Visualizer with LocalVisBackend first and the five client backends) trained with
  ``Runner.from_cfg`` in ``<tmp>/work``, and every client call in order, from building the runner
  (``add_config``) to the end of ``train()`` (``close``);
- ``direct``: per backend, the calls of a standalone backend given ``add_graph`` (Wandb only),
  ``add_scalar``,
  ``add_scalars`` (with ``file_path``) and ``close`` only (``add_config`` never called); an
  exception ``close`` raises is recorded as ``["close raised", [ExceptionName], {}]``.
- ``config_forms``: per backend, the calls of ``add_config`` given ``config_text`` (CONFIG_FORMS:
  every value shape the backends treat differently).
"""
from __future__ import annotations

import json
import logging
import os
import os.path as osp
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)

import torch  # noqa: E402
from torch import nn  # noqa: E402

from mmengine.model import BaseModel  # noqa: E402
from mmengine.registry import DATASETS, MODELS, VISBACKENDS  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from tests.runner import fake_vis_clients as fakes  # noqa: E402

OUT = osp.join(REPO, "tests", "data", "reference", "mmengine", "vis_clients.json")


@MODELS.register_module()
class VisRegressor(BaseModel):
    """``forward(inputs, targets, mode)`` over one linear layer; mean squared error."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 1)

    def forward(self, inputs, targets, mode="tensor"):
        pred = self.linear(torch.stack(inputs))
        return dict(loss=((pred - torch.stack(targets)) ** 2).mean())


@DATASETS.register_module()
class VisPoints(torch.utils.data.Dataset):
    """``size`` fixed points of y = x . (1, -2, 0.5) + 0.3."""

    def __init__(self, size=10):
        self.x = torch.linspace(-1, 1, size * 3).reshape(size, 3)
        self.y = self.x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i], targets=self.y[i])


COMMON = """\
model = dict(type='VisRegressor')
train_dataloader = dict(dataset=dict(type='VisPoints'), sampler=dict(type='DefaultSampler', shuffle=False),
                        batch_size=3, num_workers=0)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))
randomness = dict(seed=0)
"""

CASES = {
    # every backend with its defaults, epoch-based, a checkpoint per epoch
    "vis_defaults": COMMON + """\
train_cfg = dict(by_epoch=True, max_epochs=2)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1), logger=dict(type='LoggerHook', interval=2))
visualizer = dict(type='Visualizer', vis_backends=[
    dict(type='LocalVisBackend'),
    dict(type='WandbVisBackend'),
    dict(type='MLflowVisBackend'),
    dict(type='NeptuneVisBackend'),
    dict(type='DVCLiveVisBackend'),
    dict(type='ClearMLVisBackend'),
])
""",
    # every argument set, iteration-based
    "vis_options": COMMON + """\
train_cfg = dict(by_epoch=False, max_iters=6)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False),
                     logger=dict(type='LoggerHook', interval=2))
visualizer = dict(type='Visualizer', vis_backends=[
    dict(type='LocalVisBackend'),
    dict(type='WandbVisBackend', init_kwargs=dict(project='toy'), commit=False, log_code_name='toy_code',
         define_metric_cfg=[dict(name='loss', summary='min'), dict(name='lr', step_metric='iter')]),
    dict(type='MLflowVisBackend', exp_name='toy', run_name='run1', tags=dict(team='hp'), params=dict(lr=0.1),
         tracking_uri='file:///tmp/mlruns', artifact_suffix=('.py', '.json'), artifact_location='art',
         tracked_config_keys=dict(train_cfg=None, optim_wrapper=['optimizer'], train_dataloader='batch_size')),
    dict(type='NeptuneVisBackend', init_kwargs=dict(project='hp/toy', api_token='secret')),
    dict(type='DVCLiveVisBackend', init_kwargs=dict(report='md', save_dvc_exp=False), artifact_suffix='.json'),
    dict(type='ClearMLVisBackend', init_kwargs=dict(project_name='toy', task_name='run1'),
         artifact_suffix=('.pth', '.json')),
])
""",
}

#: per backend, the constructor arguments of the standalone check (the runs cover the others)
DIRECT = {
    "WandbVisBackend": dict(define_metric_cfg=dict(loss="max"), watch_kwargs=dict(log="all", log_freq=5)),
    "MLflowVisBackend": {},
    "NeptuneVisBackend": {},
    "DVCLiveVisBackend": {},
    "ClearMLVisBackend": {},
}

#: a config with every value shape the backends treat differently (nested dicts, lists of dicts,
#: mixed lists, tuples, empty containers), given to add_config of each backend in ``config_forms``
CONFIG_FORMS = """\
a = dict(b=1, c=dict(d=[1, 2.5], e=(3, 'x')), f=None, g={}, h=[])
z = dict(y=dict(x=1, w=2), v=3)
s = 'str'
t = (dict(k=1), dict(j=2))
u = [dict(a=[dict(b=1)])]
n = [[dict(x=1)]]
e = [{}]
"""

#: backend configs for ``config_forms``; MLflow's tracked_config_keys selects top-level keys
FORMS_BACKENDS = [
    dict(type="WandbVisBackend"),
    dict(type="MLflowVisBackend"),
    dict(type="MLflowVisBackend", tracked_config_keys=dict(z=["y"], s=None)),
    dict(type="NeptuneVisBackend"),
    dict(type="DVCLiveVisBackend"),
    dict(type="ClearMLVisBackend"),
]


def run_case(name, text):
    """Train the config ``text`` (saved as ``<name>.py``) and return the client calls."""
    from mmengine.config import Config

    calls = fakes.install()
    with tempfile.TemporaryDirectory() as folder:
        path = osp.join(folder, f"{name}.py")
        with open(path, "w") as fh:
            fh.write(text)
        cfg = Config.fromfile(path)
        cfg.work_dir = osp.join(folder, "work")
        cwd = os.getcwd()
        os.chdir(folder)  # DVCLive probes git in the working directory
        try:
            Runner.from_cfg(cfg).train()
        finally:
            os.chdir(cwd)
            logging.getLogger("mmengine").handlers.clear()
    return fakes.normalized(calls)


def run_direct(kind, kwargs):
    """A standalone backend: add_graph (WandbVisBackend only), add_scalar, add_scalars with file_path, close."""
    calls = fakes.install()
    with tempfile.TemporaryDirectory() as folder:
        backend = VISBACKENDS.build(dict(type=kind, save_dir=osp.join(folder, "vis_data"), **kwargs))
        if kind == "WandbVisBackend":
            backend.add_graph(nn.Linear(2, 1), None)
        backend.add_scalar("acc", 0.5, step=3)
        backend.add_scalars({"loss": 1.25, "time": 0.1}, step=4, file_path="extra.json")
        try:
            backend.close()
        except Exception as err:  # noqa: BLE001  (recorded: what close does without add_config)
            calls.append(["close raised", [type(err).__name__], {}])
    return fakes.normalized(calls)


def run_config_forms(spec):
    """``add_config`` of CONFIG_FORMS on a standalone backend (nothing closed)."""
    from mmengine.config import Config

    calls = fakes.install()
    with tempfile.TemporaryDirectory() as folder:
        backend = VISBACKENDS.build(dict(spec, save_dir=osp.join(folder, "vis_data")))
        backend.add_config(Config.fromstring(CONFIG_FORMS, ".py"))
    return fakes.normalized(calls)


def main():
    runs = [dict(name=name, config=text, calls=run_case(name, text)) for name, text in CASES.items()]
    direct = [dict(type=kind, kwargs=kwargs, calls=run_direct(kind, kwargs)) for kind, kwargs in DIRECT.items()]
    forms = [dict(backend=spec, calls=run_config_forms(spec)) for spec in FORMS_BACKENDS]
    with open(OUT, "w") as fh:
        json.dump(dict(mmengine_version="0.10.7", runs=runs, direct=direct, config_text=CONFIG_FORMS,
                       config_forms=forms), fh, indent=1)
        fh.write("\n")
    print("wrote", osp.relpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
