"""MessageHub and HistoryBuffer: MMEngine's API and statistics, with lazily converted tensors."""
import io

import pytest
from hypothesis import given, strategies as st

from hookport.runner.message_hub import HistoryBuffer, MessageHub

values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40)


@given(values, st.integers(1, 50))
def test_statistics_match_closed_form(data, window):
    buffer = HistoryBuffer()
    for value in data:
        buffer.update(value)
    tail = data[-window:]
    assert buffer.mean(window) == pytest.approx(sum(tail) / len(tail), rel=1e-9, abs=1e-9)
    assert buffer.max(window) == max(tail)
    assert buffer.min(window) == min(tail)
    assert buffer.current() == data[-1]
    assert buffer.mean() == pytest.approx(sum(data) / len(data), rel=1e-9, abs=1e-9)


def test_mean_divides_by_the_sum_of_counts():
    buffer = HistoryBuffer([6.0, 4.0], [3, 1])
    assert buffer.mean() == 2.5
    assert buffer.data == ([6.0, 4.0], [3, 1])
    assert buffer.statistics("mean", window_size=1) == 4.0


@given(st.integers(1, 20), st.integers(0, 60))
def test_max_length_keeps_the_newest(max_length, n):
    buffer = HistoryBuffer(max_length=max_length)
    for i in range(n):
        buffer.update(float(i))
    expected = [float(i) for i in range(n)][-max_length:]
    assert buffer.data[0] == expected
    assert len(buffer) == len(expected)


def test_empty_buffer_current_is_an_error():
    with pytest.raises(ValueError, match="empty"):
        HistoryBuffer().current()


def test_unknown_statistic():
    with pytest.raises(KeyError, match="unknown statistic"):
        HistoryBuffer([1.0], [1]).statistics("median")


class CountingTensor:
    """A one-element 'tensor' that counts host syncs (item calls)."""

    syncs = 0

    def __init__(self, value):
        self.value = value

    def numel(self):
        return 1

    def detach(self):
        return self

    def item(self):
        CountingTensor.syncs += 1
        return self.value


def test_tensor_values_are_converted_only_when_read():
    CountingTensor.syncs = 0
    hub = MessageHub("lazy")
    for i in range(10):
        hub.update_scalar("train/loss", CountingTensor(float(i)))
    assert CountingTensor.syncs == 0
    assert hub.get_scalar("train/loss").mean(10) == 4.5
    assert CountingTensor.syncs == 10
    assert hub.get_scalar("train/loss").current() == 9.0
    assert CountingTensor.syncs == 10  # converted values are kept


def test_unread_buffer_converts_in_batches():
    CountingTensor.syncs = 0
    buffer = HistoryBuffer()
    for i in range(600):
        buffer.update(CountingTensor(1.0))
    assert 0 < buffer._pending < 256
    assert CountingTensor.syncs == 600 - buffer._pending


def test_cpu_tensors_are_read_at_once():
    torch = pytest.importorskip("torch")
    weight = torch.ones((), requires_grad=True)
    running = torch.zeros(())
    buffer = HistoryBuffer()
    for i in range(5):
        buffer.update(weight * i)
        running += 1  # an in-place statistic: its logged values must not change afterwards
        buffer.update(running)
    assert buffer._pending == 0
    assert buffer.data[0] == [0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0]


def test_multi_element_tensor_is_rejected():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="exactly one element"):
        HistoryBuffer().update(torch.ones(2))


def test_non_numbers_are_rejected():
    with pytest.raises(TypeError, match="must be an int, float"):
        MessageHub("bad").update_scalar("x", "1.0")


def test_update_scalars_accepts_value_count_dicts():
    hub = MessageHub("many")
    hub.update_scalars({"a": 1.0, "b": dict(value=6.0, count=3)})
    assert hub.get_scalar("a").current() == 1.0
    assert hub.get_scalar("b").mean() == 2.0
    with pytest.raises(KeyError, match="needs a 'value'"):
        hub.update_scalars({"c": dict(count=2)})


def test_instances_and_current_instance():
    first = MessageHub.get_instance("run-a")
    assert MessageHub.get_current_instance() is first
    second = MessageHub.get_instance("run-b")
    assert MessageHub.get_current_instance() is second
    assert MessageHub.get_instance("run-a") is first
    assert MessageHub.get_current_instance() is first
    assert MessageHub.check_instance_created("run-b")


def test_runtime_info():
    hub = MessageHub("info")
    hub.update_info("epoch", 3)
    hub.update_info_dict(dict(iter=7, eta=1.5))
    assert hub.get_info("epoch") == 3 and hub.get_info("missing", "d") == "d"
    assert hub.pop_info("eta") == 1.5 and "eta" not in hub.runtime_info
    with pytest.raises(KeyError, match="not found"):
        hub.get_scalar("nope")


def test_state_dict_roundtrip_under_weights_only_load():
    torch = pytest.importorskip("torch")
    hub = MessageHub("save")
    for i in range(4):
        hub.update_scalar("train/loss", torch.tensor(float(i)))
    hub.update_scalar("train/time", 0.5, resumed=False)
    hub.update_info("best_score", 0.9)
    hub.update_info("keep_ckpt_ids", [1, 2])
    stream = io.BytesIO()
    torch.save(hub.state_dict(), stream)
    stream.seek(0)
    state = torch.load(stream, weights_only=True)
    assert "train/time" not in state["log_scalars"]
    restored = MessageHub("load")
    restored.load_state_dict(state)
    assert restored.get_scalar("train/loss").data == ([0.0, 1.0, 2.0, 3.0], [1, 1, 1, 1])
    assert restored.get_info("keep_ckpt_ids") == [1, 2]
    saved, again = hub.state_dict(), restored.state_dict()
    assert again["log_scalars"] == saved["log_scalars"] and again["runtime_info"] == saved["runtime_info"]


def test_load_state_dict_reads_mmengine_style_buffers():
    class MMEngineBuffer:  # what unpickling MMEngine's HistoryBuffer gives: numpy-like arrays
        def __init__(self):
            self._log_history = [1.0, 2.0]
            self._count_history = [1, 1]
            self.max_length = 10

    hub = MessageHub("mme")
    hub.load_state_dict(dict(log_scalars={"train/loss": MMEngineBuffer(), "junk": object()},
                             runtime_info={"iter": 5}, resumed_keys={"train/loss": True, "iter": True,
                                                                     "gone": True}))
    assert hub.get_scalar("train/loss").mean() == 1.5
    assert "junk" not in hub.log_scalars and hub.get_info("iter") == 5
    with pytest.raises(KeyError, match="needs the keys"):
        hub.load_state_dict(dict(log_scalars={}))
