"""EmptyCacheHook: torch.cuda.empty_cache at the points its flags choose."""
import pytest

from hookport.hooks.empty_cache_hook import EmptyCacheHook

from .fakes import FakeRunner


@pytest.mark.parametrize("flags,expected", [
    (dict(), 3),  # after every epoch (train, val, test)
    (dict(before_epoch=True, after_epoch=False), 3),
    (dict(after_epoch=False, after_iter=True), 6),
])
def test_empty_cache_flags(monkeypatch, flags, expected):
    torch = pytest.importorskip("torch")
    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: calls.append(1))
    hook, runner = EmptyCacheHook(**flags), FakeRunner()
    for mode in ("train", "val", "test"):
        getattr(hook, f"before_{mode}_epoch")(runner)
        for i in range(2):
            getattr(hook, f"after_{mode}_iter")(runner, i)
        getattr(hook, f"after_{mode}_epoch")(runner)
    assert len(calls) == expected


def test_empty_cache_without_cuda_is_a_no_op():
    EmptyCacheHook(after_iter=True).after_train_iter(FakeRunner(), 0)
