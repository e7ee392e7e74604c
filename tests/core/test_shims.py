"""hookport.compat.shims: stand-ins serve absent legacy packages and never shadow real ones."""
import importlib.util
import sys

import pytest

from hookport.compat import shims


@pytest.fixture
def clean_shims():
    shims.uninstall()
    yield
    shims.uninstall()


@pytest.mark.skipif(importlib.util.find_spec("mmcv") is not None, reason="real mmcv installed")
def test_absent_package_is_served_by_the_stand_in(clean_shims):
    assert shims.install()["mmcv"] is True
    import mmcv.runner

    assert mmcv.runner is sys.modules["hookport.compat.shims.mmcv.runner"]
    assert mmcv.runner.__name__ == "hookport.compat.shims.mmcv.runner"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("mmcv.no_such_module")


def test_real_package_is_never_shadowed(clean_shims, tmp_path, monkeypatch):
    fake = tmp_path / "imix"
    fake.mkdir()
    (fake / "__init__.py").write_text("REAL = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("imix", None)
    try:
        assert shims.install()["imix"] is False
        import imix

        assert imix.REAL is True
    finally:
        sys.modules.pop("imix", None)


def test_install_is_idempotent(clean_shims):
    shims.install()
    shims.install()
    assert sum(isinstance(f, shims.ShimFinder) for f in sys.meta_path) == 1
