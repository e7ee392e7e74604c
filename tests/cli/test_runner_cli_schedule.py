"""`hookport schedule` as a user meets it: bad optimizer values, no dataset, --json, --plot."""
import json
import os
import sys

import pytest

from tests.cli.conftest import IMIX_BY_ITER, MMCV_TOY, MMENGINE_TOY


@pytest.mark.parametrize("base, assignment, message", [
    (MMENGINE_TOY, "optim_wrapper = dict(optimizer=dict(type='SGD', lr='0.1'))",
     "optim_wrapper.optimizer.lr must be a number >= 0, got '0.1'"),
    (MMENGINE_TOY, "optim_wrapper = dict(optimizer=dict(type='Adam', lr=0.1, betas=0.9))",
     "optim_wrapper.optimizer.betas must be a pair of numbers, got 0.9"),
    (MMCV_TOY, "optimizer = dict(type='SGD', lr='0.1', momentum=0.9)", "optimizer.lr must be a number >= 0, got '0.1'"),
    (MMCV_TOY, "optimizer = dict(type='SGD', lr=0.1, momentum='high')",
     "optimizer.momentum must be a number, got 'high'"),
    (IMIX_BY_ITER, "optimizer = dict(type='SGD', lr=None)", "optimizer.lr must be a number >= 0, got None"),
    (IMIX_BY_ITER, "optimizer = dict(type='SGD', lr='abc')", "optimizer.lr must be a number >= 0, got 'abc'"),
])
def test_non_numeric_optimizer_values_are_one_located_line(cli, write, mmcv_hooks_path, imix_hooks_path,
                                                           base, assignment, message):
    cfg = write("cfg.py", f"_base_ = [{base!r}]\n{assignment}\n")
    assert cli("schedule", cfg, "--iters-per-epoch", "3") == 2
    assert cli.error_line() == f"{cfg}:2: {message}"


def test_without_a_dataset_it_asks_for_iters_per_epoch_at_the_dataset_line(cli, write):
    cfg = write("cfg.py", f"""
        _base_ = [{MMENGINE_TOY!r}]
        train_dataloader = dict(dataset=dict(type='NoSuchDataset'))
    """)
    assert cli("schedule", cfg) == 2
    line = cli.error_line()
    assert line.startswith(f"{cfg}:2: cannot count iterations per epoch") and line.endswith("pass --iters-per-epoch N")
    assert cli("schedule", cfg, "--iters-per-epoch", "4", "--json") == 0
    doc = json.loads(cli.out)
    assert sorted(doc) == ["iters_per_epoch", "lr", "momentum"] and doc["iters_per_epoch"] == 4
    assert len(doc["lr"]) == 3 * 4 and all(len(row) == 1 for row in doc["lr"] + doc["momentum"])
    assert cli("schedule", cfg, "--iters-per-epoch", "0") == 2
    assert cli.error_line() == "--iters-per-epoch must be a positive integer, got 0"


def test_custom_imports_in_a_base_file_is_located_there(cli, write):
    base = write("base.py", "seed = 1\ncustom_imports = dict(imports=['no_such_module_hp'])\n")
    cfg = write("cfg.py", "_base_ = ['base.py']\n")
    assert cli("hooks", cfg) == 2
    assert cli.error_line().startswith(f"{base}:2: custom_imports: cannot import 'no_such_module_hp'")


def test_plot_without_matplotlib_writes_nothing(cli, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.split(".")[0] == "matplotlib":
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    out = tmp_path / "lr.png"
    assert cli("schedule", MMENGINE_TOY, "--plot", out) == 2
    assert cli.error_line() == "--plot needs matplotlib: pip install 'hookport[plot]'"
    assert os.listdir(tmp_path) == []


class _FakeAxes:
    def __init__(self, calls):
        self.calls = calls

    def step(self, xs, ys, **kwargs):
        self.calls.append(("step", list(ys), kwargs.get("label")))

    def set_ylabel(self, name):
        self.calls.append(("ylabel", name))

    def set_xlabel(self, name):
        pass

    def legend(self, **kwargs):
        pass


@pytest.fixture
def fake_matplotlib(monkeypatch):
    """A stand-in ``matplotlib`` (the dev environment has none) whose savefig writes a marker file."""
    import types

    calls, fail = [], []
    pyplot = types.ModuleType("matplotlib.pyplot")

    class Figure:
        def suptitle(self, title):
            pass

        def savefig(self, path):
            with open(path, "wb") as handle:
                handle.write(b"half an image")
                if fail:
                    raise OSError("disk full")
                handle.write(b" and the rest")

    pyplot.subplots = lambda *a, **k: (Figure(), (_FakeAxes(calls), _FakeAxes(calls)))
    pyplot.close = lambda fig: None
    matplotlib = types.ModuleType("matplotlib")
    matplotlib.use = lambda backend: None
    matplotlib.pyplot = pyplot
    monkeypatch.setitem(sys.modules, "matplotlib", matplotlib)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", pyplot)
    return calls, fail


def test_plot_draws_every_group_and_replaces_the_file_atomically(cli, tmp_path, fake_matplotlib):
    calls, fail = fake_matplotlib
    out = tmp_path / "lr.png"
    assert cli("schedule", MMENGINE_TOY, "--plot", out) == 0
    assert out.read_bytes() == b"half an image and the rest" and os.listdir(tmp_path) == ["lr.png"]
    assert [c[1] for c in calls if c[0] == "ylabel"] == ["lr", "momentum"]
    lr = [c[1] for c in calls if c[0] == "step"][0]
    assert len(lr) == 18 and lr[0] == pytest.approx(0.01)
    fail.append(True)
    with pytest.raises(OSError, match="disk full"):  # not bad input: it propagates (exit 1 with a traceback)
        cli("schedule", MMENGINE_TOY, "--plot", out)
    assert out.read_bytes() == b"half an image and the rest" and os.listdir(tmp_path) == ["lr.png"]


def test_plot_into_a_missing_folder_is_bad_input(cli, tmp_path):
    assert cli("schedule", MMENGINE_TOY, "--plot", tmp_path / "nope" / "lr.png") == 2
    assert cli.error_line() == f"--plot {tmp_path / 'nope' / 'lr.png'}: the folder {tmp_path / 'nope'} does not exist"
