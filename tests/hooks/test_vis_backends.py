"""Scalar writers: MMEngine's JSON-lines format, the Visualizer fan-out, TensorBoard's missing extra."""
import importlib.util
import json

import pytest

from hookport.errors import ConfigError
from hookport.registry import VISBACKENDS
from hookport.runner.vis_backends import LocalVisBackend, Visualizer, build_visualizer


def read_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_local_backend_appends_json_lines(tmp_path):
    backend = LocalVisBackend(str(tmp_path / "vis"))
    backend.add_scalars({"lr": 0.1, "loss": 1.5}, step=3, file_path="ts.json")
    backend.add_scalars({"acc": 50.0, "step": 7}, step=9)
    text = (tmp_path / "vis" / "scalars.json").read_text()
    assert text == '{"lr": 0.1, "loss": 1.5, "step": 3}\n{"acc": 50.0, "step": 7}\n'
    assert read_lines(tmp_path / "vis" / "ts.json") == [{"lr": 0.1, "loss": 1.5, "step": 3}]


def test_tensor_and_numpy_values_become_numbers(tmp_path):
    torch = pytest.importorskip("torch")
    backend = LocalVisBackend(str(tmp_path))
    backend.add_scalars({"a": torch.tensor(2.5), "b": torch.tensor([1, 2])}, step=1)
    assert read_lines(tmp_path / "scalars.json") == [{"a": 2.5, "b": [1, 2], "step": 1}]


def test_backend_without_dir_writes_nothing(tmp_path):
    LocalVisBackend().add_scalars({"a": 1.0})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kwargs,message", [
    (dict(scalar_save_file="scalars.txt"), "must end in .json"),
    (dict(config_save_file="config.yaml"), "must end in .py"),
])
def test_bad_file_names(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LocalVisBackend("x", **kwargs)


def test_file_path_must_differ_from_the_scalar_file(tmp_path):
    with pytest.raises(ConfigError, match="is the scalar file itself"):
        LocalVisBackend(str(tmp_path)).add_scalars({"a": 1}, file_path="scalars.json")


def test_visualizer_fans_out_and_fills_save_dir(tmp_path):
    vis = build_visualizer(dict(type="Visualizer", vis_backends=[dict(type="LocalVisBackend"),
                                                                dict(type="LocalVisBackend", name="copy",
                                                                     save_dir=str(tmp_path / "other"))]),
                           save_dir=str(tmp_path / "vis_data"))
    vis.add_scalars({"x": 1.0}, step=2)
    vis.add_config(type("Cfg", (), {"pretty_text": "a = 1\n"})())
    vis.close()
    assert read_lines(tmp_path / "vis_data" / "scalars.json") == [{"x": 1.0, "step": 2}]
    assert read_lines(tmp_path / "other" / "scalars.json") == [{"x": 1.0, "step": 2}]
    assert (tmp_path / "vis_data" / "config.py").read_text() == "a = 1\n"
    assert set(vis.vis_backends) == {"LocalVisBackend", "copy"}


def test_codebase_visualizer_types_fall_back_to_scalars_only(tmp_path):
    vis = build_visualizer(dict(type="DetLocalVisualizer", vis_backends=[dict(type="LocalVisBackend")]),
                           save_dir=str(tmp_path))
    assert type(vis) is Visualizer


def test_duplicate_backend_names(tmp_path):
    with pytest.raises(ConfigError, match="two backends are called"):
        Visualizer(vis_backends=[dict(type="LocalVisBackend"), dict(type="LocalVisBackend")])


@pytest.mark.skipif(importlib.util.find_spec("tensorboard") is not None, reason="tensorboard is installed")
def test_tensorboard_without_the_extra_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"pip install 'hookport\[tensorboard\]'"):
        VISBACKENDS.build(dict(type="TensorboardVisBackend", save_dir="x"))


def test_tensorboard_backend_writes_numeric_scalars(monkeypatch, tmp_path):
    import sys
    import types

    written = []

    class FakeWriter:
        def __init__(self, log_dir):
            written.append(("open", log_dir))

        def add_scalar(self, key, value, step):
            written.append((key, value, step))

        def close(self):
            written.append(("close",))

    fake = types.ModuleType("torch.utils.tensorboard")
    fake.SummaryWriter = FakeWriter
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", fake)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name == "tensorboard" else real_find_spec(name, *a))
    vis = build_visualizer(dict(vis_backends=[dict(type="TensorboardVisBackend")]), save_dir=str(tmp_path))
    vis.add_scalars({"loss": 0.5, "name": "x", "iter": 3}, step=3)
    vis.close()
    assert written == [("open", str(tmp_path)), ("loss", 0.5, 3), ("iter", 3, 3), ("close",)]
