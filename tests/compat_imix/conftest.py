"""Shared setup for the iMIX dialect tests: the fixture tree, import stand-ins, tiny runs."""
import pytest

from tests.compat_imix.imix_helpers import FIXTURES


@pytest.fixture(autouse=True)
def imix_fixture_env(monkeypatch):
    """iMIX custom hooks importable (``imix.*`` stand-ins + the fixture package on sys.path)."""
    from hookport.compat import shims

    shims.install()
    monkeypatch.syspath_prepend(FIXTURES)
    import imix_fixture_hooks

    imix_fixture_hooks.EVENTS.clear()
    yield imix_fixture_hooks
    imix_fixture_hooks.EVENTS.clear()
