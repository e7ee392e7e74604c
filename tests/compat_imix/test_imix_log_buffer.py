"""LogBufferStorage: put/read scalars, smoothing, iMIX's counters, get_log_buffer."""
import pytest

from hookport.compat.imix.log_buffer import LogBufferStorage, get_log_buffer
from hookport.errors import HookportError


def test_scalars_histories_and_counters():
    storage = LogBufferStorage(start_iter=5, single_epoch_iters=3)
    with storage:
        assert get_log_buffer() is storage
        storage.put_scalar("loss", 4.0)
        storage.put_scalar("lr", 0.1, smoothing_hint=False)
        storage.step()
        storage.put_scalars(loss=2.0)
        storage.put_scalar("epoch_time", 9.0, is_epoch=True)
        assert storage.history("loss").values() == [(4.0, 5), (2.0, 6)]
        assert storage.history("loss").latest() == 2.0
        assert storage.latest() == {"loss": (2.0, 6)}  # step() cleared lr
        assert storage.latest_with_smoothing_hint(2) == {"loss": (3.0, 6)}
        assert storage.epoch_history("epoch_time").latest() == 9.0
        storage.epoch_iter(2)
        storage.epoch_step()
        assert (storage.iter, storage.epoch, storage.epoch_inner_iter) == (6, 1, 2)
        with pytest.raises(KeyError):
            storage.history("missing")
        with storage.name_scope("val"):
            storage.put_scalar("acc", 1.0)
        assert "val/acc" in storage.histories()
    with pytest.raises(HookportError):
        get_log_buffer()


def test_sink_receives_every_scalar():
    seen = []
    storage = LogBufferStorage(sink=lambda name, value: seen.append((name, value)))
    storage.put_scalar("a", 1)
    storage.put_scalars(b=2.5)
    assert seen == [("a", 1.0), ("b", 2.5)]
