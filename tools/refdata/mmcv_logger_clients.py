"""What MMCV 1.7.2's Wandb/Mlflow/Neptune/Dvclive/ClearML/Segmind logger hooks send to their clients on a toy run.

Run: $REFENV/bin/python tools/refdata/mmcv_logger_clients.py
The client libraries are the recording stand-ins of tests/compat_mmcv/fake_clients.py (the
same ones the differential test gives hookport). Each toy config of tools/refdata/mmcv_toy_run.py
(epoch- and iteration-based) is trained with LOG_CONFIG instead of its own log_config. Writes
tests/data/reference/mmcv/logger_clients.json: per config, every client call in order.
NeptuneLoggerHook(with_step=False) is left out: MMCV 1.7.2 adds ``global_step`` to the dict it
is iterating over and stops with "dictionary changed size during iteration".
"""
from __future__ import annotations

import os.path as osp
import sys
import tempfile

import mmcv_common as common  # noqa: I100  (sets up mmcv before anything imports it)
import mmcv_toy_run as toy

sys.path.insert(0, osp.join(common.REPO, "tests", "compat_mmcv"))
import fake_clients  # noqa: E402

#: every client logger hook of MMCV 1.7.2, some twice with other options
LOG_CONFIG = """
log_config = dict(interval=4, hooks=[
    dict(type='TextLoggerHook'),
    dict(type='WandbLoggerHook', init_kwargs=dict(project='toy'), define_metric_cfg=dict(loss='min')),
    dict(type='WandbLoggerHook', with_step=False, log_artifact=False, commit=False, by_epoch=False),
    dict(type='MlflowLoggerHook', exp_name='toy', tags=dict(run='ref'), params=dict(lr=0.1)),
    dict(type='NeptuneLoggerHook', init_kwargs=dict(project='toy')),
    dict(type='DvcliveLoggerHook', ignore_last=False),
    dict(type='ClearMLLoggerHook', init_kwargs=dict(project_name='toy'), by_epoch=False),
    dict(type='SegmindLoggerHook'),
])
"""


def with_client_loggers(name: str, folder: str) -> str:
    """A copy of fixture ``name`` in ``folder`` whose log_config is LOG_CONFIG."""
    with open(osp.join(toy.FIXTURES, name)) as src:
        text = src.read()
    path = osp.join(folder, name)
    with open(path, "w") as dst:
        dst.write(text + LOG_CONFIG)
    return path


def main():
    results = []
    for name in toy.CONFIGS:
        calls = fake_clients.install()
        with tempfile.TemporaryDirectory() as folder:
            toy.train(with_client_loggers(name, folder), common.temp_work_dir())
        results.append(dict(config=f"fixtures/mmcv/{name}", calls=fake_clients.normalized(calls)))
    print(common.write_json("logger_clients.json", dict(mmcv_version="1.7.2", log_config=LOG_CONFIG.strip(),
                                                          result=results)))


if __name__ == "__main__":
    main()
