"""MMCV's DataContainer, collate and scatter, and a legacy run on DataContainer data, vs real MMCV 1.7.2.

Reference: tests/data/reference/mmcv/data_container_run.json (tools/refdata/mmcv_data_container_run.py):
``collate`` of small batches and their CPU scatter, and fixtures/mmcv/legacy_dc_cfg.py trained by
MMCV with the model in MMDataParallel (images of different sizes padded, cpu-only metas).
"""
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from hookport.compat.mmcv.data_container import DataContainer as DC  # noqa: E402
from hookport.compat.mmcv.data_container import collate, scatter  # noqa: E402
from hookport.errors import ConfigError  # noqa: E402
from hookport.runner.dialect import load_dialect_config  # noqa: E402

ROOT = Path(__file__).parents[2]
REFERENCE = json.loads((ROOT / "tests/data/reference/mmcv/data_container_run.json").read_text())


def _plain(value):
    if isinstance(value, torch.Tensor):
        return dict(tensor=value.tolist(), dtype=str(value.dtype))
    if isinstance(value, DC):
        return dict(container=_plain(value.data), stack=value.stack, cpu_only=value.cpu_only,
                    padding_value=value.padding_value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("name", sorted(REFERENCE["collate"]))
def test_collate_and_scatter_equal_mmcv(name):
    case = REFERENCE["collate"][name]
    generator = torch.Generator().manual_seed(0)
    samples = [dict(img=torch.randn(*shape, generator=generator), meta=dict(i=i, shape=list(shape)), n=torch.tensor(i))
               for i, shape in enumerate(case["shapes"])]
    batch = [dict(img=DC(s["img"], stack=True, padding_value=-1, pad_dims=case["pad_dims"]),
                  meta=DC(s["meta"], cpu_only=True), raw=DC(s["img"]), n=s["n"]) for s in samples]
    batched = collate(batch, samples_per_gpu=case["samples_per_gpu"])
    assert _plain(batched) == case["collated"]
    assert _plain(scatter(batched)) == case["scattered"]


def test_legacy_run_on_data_containers_equals_mmcv(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "fixtures/mmcv"))
    cfg, dialect = load_dialect_config(str(ROOT / REFERENCE["config"]))
    cfg["work_dir"] = str(tmp_path)
    session = dialect.build_runner(cfg)
    try:
        session.train()
    finally:
        session.close()
    weights = {k: v.flatten().tolist() for k, v in session.runner.model.state_dict().items()}
    assert weights == REFERENCE["final_weights"]
    records = [json.loads(line) for line in next(tmp_path.glob("*.log.json")).read_text().splitlines()][1:]
    assert [r["loss"] for r in records if r.get("mode") == "train"] == REFERENCE["train_losses"]
    assert [[r["epoch"], r["mse"]] for r in records if r.get("mode") == "val"] == REFERENCE["val"]


def test_strings_collate_into_a_list():
    """MMCV recursed into a string's characters until the stack ran out; hookport keeps the strings."""
    assert collate([dict(name="a.jpg"), dict(name="b.jpg")]) == dict(name=["a.jpg", "b.jpg"])


def test_bad_containers_are_config_errors():
    with pytest.raises(ConfigError, match="pad_dims must be None, 1, 2 or 3"):
        DC(torch.zeros(1), pad_dims=4)
    with pytest.raises(ConfigError, match="only the last 2 dimension"):
        collate([DC(torch.zeros(1, 2, 2), stack=True), DC(torch.zeros(2, 2, 2), stack=True)], samples_per_gpu=2)
    with pytest.raises(AttributeError, match="has no attribute size"):
        DC(dict(a=1)).size()


def test_legacy_hook_code_imports_data_container_from_mmcv_parallel():
    from hookport.compat import shims

    shims.install()
    from mmcv.parallel import DataContainer, collate as mmcv_collate  # noqa: F401

    assert DataContainer is DC and mmcv_collate is collate


def test_mm_data_parallel_scatters_before_the_module(monkeypatch):
    """Legacy code that calls MMDataParallel(model).train_step(batch, optimizer) itself, as MMCV allowed."""
    from hookport.compat import shims

    monkeypatch.syspath_prepend(str(ROOT / "fixtures/mmcv"))
    shims.install()
    from mmcv.parallel import MMDataParallel
    from toy_dc import DCToyDataset, DCToyModel

    dataset = DCToyDataset(n=4)
    batch = collate([dataset[i] for i in range(4)], samples_per_gpu=4)
    torch.manual_seed(0)
    model = DCToyModel()
    wrapped = MMDataParallel(model).train_step(batch, None)
    direct = model.train_step(scatter(batch), None)
    assert wrapped["log_vars"] == direct["log_vars"] and wrapped["num_samples"] == 4
    predictions = MMDataParallel(model)(return_loss=False, **batch)
    assert len(predictions) == 4
