"""Differential test: what the Wandb/MLflow/Neptune/DVCLive/ClearML vis backends send to their clients.

Reference: tests/data/reference/mmengine/vis_clients.json (tools/refdata/mmengine_vis_clients.py):
two tiny regression configs trained by real MMEngine 0.10.7 with all five backends, the clients
being the recording stand-ins of fake_vis_clients.py, which hookport gets here too; and each
backend used standalone (a model graph for wandb, scalars and close; no config), and given a
config with every value shape the backends treat differently.

Where hookport deliberately differs (documented in hookport/runner/vis_client_backends.py):
MMEngine's MLflow ``close`` without a config raises AttributeError and DVCLive's ``close`` on a
save_dir that was never written raises FileNotFoundError (hookport skips the upload and ends the
run); MLflow params of a list mixing dicts and values, and tracked_config_keys missing from the
config, fail in MMEngine and are tested here on hookport alone. Loss values are compared to 1e-6 relative (same model, data and seed; CPU kernels may
round differently elsewhere).
"""
import json
import math
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport import cli  # noqa: E402
from hookport.config import Config  # noqa: E402
from hookport.errors import ConfigError, HookportError  # noqa: E402
from hookport.registry import DATASETS, MODELS, VISBACKENDS  # noqa: E402
from hookport.runner.dialect import load_dialect_config  # noqa: E402
from hookport.runner.vis_client_backends import flatten_params  # noqa: E402
from tests.runner import fake_vis_clients as fakes  # noqa: E402
from tests.runner.regression_toy import Points, Regressor  # noqa: E402

ROOT = Path(__file__).parents[2]
REFERENCE = json.loads((ROOT / "tests/data/reference/mmengine/vis_clients.json").read_text())
BACKENDS = ("WandbVisBackend", "MLflowVisBackend", "NeptuneVisBackend", "DVCLiveVisBackend", "ClearMLVisBackend")


# the reference script's model and data, under the names its configs use
MODELS.register_module(name="VisRegressor", module=Regressor)
DATASETS.register_module(name="VisPoints", module=Points)


@pytest.fixture
def calls(monkeypatch):
    """The recording clients in sys.modules (removed again after the test), and their call log."""
    for module in fakes.CLIENTS:
        monkeypatch.delitem(sys.modules, module, raising=False)
    yield fakes.install()
    for module in fakes.CLIENTS:
        sys.modules.pop(module, None)


def _train(config, work_dir):
    cfg, dialect = load_dialect_config(str(config))
    cfg["work_dir"] = str(work_dir)
    runner = dialect.build_runner(cfg)
    try:
        runner.train()
    finally:
        runner.close()
    return runner


def _same(actual, expected, where="calls"):
    """Equal as JSON data, floats to 1e-6 relative (losses)."""
    if isinstance(expected, float) and isinstance(actual, float):
        assert math.isclose(actual, expected, rel_tol=1e-6), f"{where}: {actual} != {expected}"
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(actual) == len(expected), f"{where}: {len(actual)} entries, MMEngine had {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            _same(a, e, f"{where}[{i}]" if where != "calls" else f"call {i} {e[0] if isinstance(e, list) else ''}")
    elif isinstance(expected, dict) and isinstance(actual, dict):
        assert sorted(actual) == sorted(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key in expected:
            _same(actual[key], expected[key], f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@pytest.mark.parametrize("reference", REFERENCE["runs"], ids=lambda r: r["name"])
def test_a_run_sends_what_mmengine_sent(reference, calls, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # DVCLive probes git in the working directory
    config = tmp_path / f"{reference['name']}.py"
    config.write_text(reference["config"])
    _train(config, tmp_path / "work")
    _same(json.loads(json.dumps(fakes.normalized(calls))), reference["calls"])


@pytest.mark.parametrize("reference", REFERENCE["direct"], ids=lambda r: r["type"])
def test_a_standalone_backend_sends_what_mmengine_sent(reference, calls, tmp_path):
    backend = VISBACKENDS.build(dict(type=reference["type"], save_dir=str(tmp_path / "vis_data"),
                                     **reference["kwargs"]))
    if reference["type"] == "WandbVisBackend":
        backend.add_graph(torch.nn.Linear(2, 1), None)
    backend.add_scalar("acc", 0.5, step=3)
    backend.add_scalars({"loss": 1.25, "time": 0.1}, step=4, file_path="extra.json")
    backend.close()
    expected = [call for call in reference["calls"] if call[0] != "close raised"]
    if any(call[0] == "close raised" for call in reference["calls"]):
        # MMEngine fails in close here (see the module docstring); hookport still ends the run
        expected.append({"MLflowVisBackend": ["mlflow.end_run", [], {}],
                         "DVCLiveVisBackend": ["dvclive.Live.end", [], {}]}[reference["type"]])
    _same(json.loads(json.dumps(fakes.normalized(calls))), expected)


@pytest.mark.parametrize("reference", REFERENCE["config_forms"], ids=lambda r: str(r["backend"]))
def test_add_config_sends_every_value_shape_as_mmengine_did(reference, calls, tmp_path):
    backend = VISBACKENDS.build(dict(reference["backend"], save_dir=str(tmp_path / "vis_data")))
    backend.add_config(Config.fromstring(REFERENCE["config_text"], ".py"))
    _same(json.loads(json.dumps(fakes.normalized(calls))), reference["calls"])


def test_mlflow_params_of_a_list_mixing_dicts_and_values_are_indexed():
    # MMEngine 0.10.7 stops with AttributeError on such a list; hookport logs every element
    assert flatten_params({"m": [2, {"k": 1}], "t": ({"k": 1},), "e": [{}]}) == {"m.0": 2, "m.1.k": 1,
                                                                               "t": ({"k": 1},)}


def test_mlflow_tracked_config_keys_missing_from_the_config_are_named(calls, tmp_path):
    backend = VISBACKENDS.build(dict(type="MLflowVisBackend", save_dir=str(tmp_path),
                                     tracked_config_keys=dict(model=None, optimizer=None)))
    with pytest.raises(ConfigError, match=r"tracked_config_keys \['optimizer'\] are not in the config"):
        backend.add_config(Config(dict(model=dict(type="M"))))


@pytest.mark.parametrize("kind", BACKENDS)
def test_building_needs_no_client_and_first_use_names_the_package(kind, monkeypatch, tmp_path):
    package = VISBACKENDS.get(kind).package
    monkeypatch.setitem(sys.modules, package, None)  # makes `import <package>` fail
    backend = VISBACKENDS.build(dict(type=kind, save_dir=str(tmp_path)))
    backend.close()  # never started: nothing to end, no client needed
    with pytest.raises(HookportError, match=f"pip install {package}"):
        backend.add_scalars({"loss": 1.0}, step=1)


@pytest.mark.parametrize("dvc_installed", [True, False])
def test_dvclive_without_a_git_user_initialises_dvc_without_git(dvc_installed, calls, monkeypatch, tmp_path):
    commands = []

    def run(args, **kwargs):
        commands.append(args)
        if not dvc_installed:
            raise FileNotFoundError(args[0])

    monkeypatch.setattr("subprocess.run", run)
    fakes.GIT["signature"] = False
    backend = VISBACKENDS.build(dict(type="DVCLiveVisBackend", save_dir=str(tmp_path)))
    backend.add_scalar("loss", 1.0, step=1)
    assert commands == [["dvc", "init", "-f", "--no-scm"]]
    assert calls[0] == ["dvclive.Live", [], {"cache_images": True, "dir": tmp_path.name, "save_dvc_exp": True}]


LEGACY = """\
model = dict(type='ToyClassifier')
data = dict(samples_per_gpu=8, workers_per_gpu=0, train=dict(type='ToyDataset', size=16, seed=0),
            val=dict(type='ToyDataset', size=8, seed=1), test=dict(type='ToyDataset', size=8, seed=2))
evaluation = dict(interval=1, metric='accuracy')
optimizer = dict(type='SGD', lr=0.1, momentum=0.9)
optimizer_config = dict(grad_clip=None)
lr_config = dict(policy='fixed')
runner = dict(type='EpochBasedRunner', max_epochs=2)
checkpoint_config = dict(interval=1)
log_config = dict(interval=1, hooks=[
    dict(type='TextLoggerHook'),
    dict(type='WandbLoggerHook', init_kwargs=dict(project='legacy'), commit=False),
    dict(type='MlflowLoggerHook', exp_name='legacy', tags=dict(origin='mmcv')),
    dict(type='NeptuneLoggerHook', init_kwargs=dict(project='hp-legacy')),
    dict(type='DvcliveLoggerHook'),
    dict(type='ClearMLLoggerHook', init_kwargs=dict(project_name='legacy')),
])
"""


@pytest.fixture
def converted(tmp_path, monkeypatch):
    """``hookport convert --scope mmpretrain`` of LEGACY (the scope maps metric='accuracy' to Accuracy)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "legacy.py").write_text(LEGACY)
    assert cli.main(["convert", "legacy.py", "--scope", "mmpretrain", "-o", "converted.py"]) == 0
    text = (tmp_path / "converted.py").read_text()
    for kind in BACKENDS:
        assert f"type='{kind}'" in text
    return "converted.py"


def test_a_converted_legacy_config_runs_and_reaches_every_client(converted, calls):
    assert cli.main(["run", converted, "--work-dir", "work"]) == 0
    names = [call[0] for call in calls]
    assert ["wandb.init", [], {"dir": "vis_data", "project": "legacy"}] in calls
    assert ["mlflow.set_experiment", ["legacy"], {}] in calls
    assert ["mlflow.set_tags", [{"origin": "mmcv"}], {}] in calls
    assert ["neptune.init_run", [], {"project": "hp-legacy"}] in calls
    assert ["clearml.Task.init", [], {"project_name": "legacy"}] in calls
    assert ["dvclive.Live", [], {"cache_images": True, "dir": "vis_data", "save_dvc_exp": True}] in calls
    # 2 epochs of 2 iterations logged every iteration, then each epoch's validation at the epoch
    assert [call[1][1] for call in calls if call[0] == "mlflow.log_metrics"] == [1, 2, 1, 3, 4, 2]
    assert [call[2]["commit"] for call in calls if call[0] == "wandb.log"] == [False] * 6
    for end in ("wandb.join", "mlflow.end_run", "neptune.run.stop", "dvclive.Live.end", "clearml.Task.close"):
        assert names.count(end) == 1, end


def test_a_converted_config_without_the_client_stops_with_the_install_hint(converted, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "wandb", None)  # makes `import wandb` fail
    assert cli.main(["run", converted, "--work-dir", "work"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "WandbVisBackend needs the 'wandb' package; install it with 'pip install wandb' "
        "or remove it from visualizer.vis_backends"]
