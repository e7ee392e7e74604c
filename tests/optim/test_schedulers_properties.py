"""Property tests of the schedulers' MMEngine semantics (hypothesis varies the arguments)."""
import copy
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from hookport.optim.scheduler import build_param_schedulers
from hookport.optim.simulate import SimOptimizer, simulate_mmengine

factors = st.floats(min_value=0.05, max_value=1.0)
BASE_LR = 0.1


def sgd(lr=BASE_LR, groups=1):
    return SimOptimizer([dict(lr=lr * (i + 1), momentum=0.9) for i in range(groups)])


def run(cfgs, steps, optimizer=None):
    """lr of group 0 before each of ``steps`` iteration-based steps."""
    optimizer = optimizer or sgd()
    schedulers = build_param_schedulers(cfgs, optimizer)
    values = []
    for _ in range(steps):
        values.append(optimizer.lr()[0])
        for s in schedulers:
            s.step()
    return values


@given(start=factors, end_factor=factors, begin=st.integers(0, 5), length=st.integers(2, 20))
def test_linear_reaches_end_factor_at_end_minus_one_and_stays(start, end_factor, begin, length):
    end = begin + length
    values = run(dict(type="LinearLR", start_factor=start, end_factor=end_factor, begin=begin, end=end,
                      by_epoch=False), end + 5)
    assert values[:begin] == [BASE_LR] * begin
    assert math.isclose(values[begin], BASE_LR * start, rel_tol=1e-12)
    assert math.isclose(values[end - 1], BASE_LR * end_factor, rel_tol=1e-9)
    assert values[end - 1:] == [values[end - 1]] * 6


MULTIPLICATIVE = st.one_of(
    st.builds(lambda f, e: dict(type="ConstantLR", factor=f, end=e), factors, st.integers(1, 30)),
    st.builds(lambda s, f, b, n: dict(type="LinearLR", start_factor=s, end_factor=f, begin=b, end=b + n),
              factors, factors, st.integers(0, 10), st.integers(2, 20)),
    st.builds(lambda k, g: dict(type="StepLR", step_size=k, gamma=g), st.integers(1, 10), factors),
    st.builds(lambda ms, g: dict(type="MultiStepLR", milestones=sorted(ms), gamma=g),
              st.lists(st.integers(1, 30), min_size=1, max_size=4), factors),
    st.builds(lambda g, b: dict(type="ExponentialLR", gamma=g, begin=b), st.floats(0.8, 1.0), st.integers(0, 10)),
    st.builds(lambda t: dict(type="CosineAnnealingLR", T_max=t, eta_min=0.0), st.integers(40, 80)),
    st.builds(lambda p: dict(type="PolyLR", power=p, eta_min=0.0, end=50), st.floats(0.5, 2.0)),
)


@settings(max_examples=60, deadline=None)
@given(chain=st.lists(MULTIPLICATIVE, min_size=2, max_size=3))
def test_chained_multiplicative_schedulers_give_the_product_of_their_factors(chain):
    # Chainable form: with eta_min = 0 every scheduler multiplies the current value by its own
    # ratio, so a chain equals base * product(alone / base) (up to rounding).
    chain = [dict(c, by_epoch=False) for c in chain]
    steps = 35
    together = run(chain, steps)
    alone = [run([c], steps) for c in chain]
    for it in range(steps):
        expected = BASE_LR * math.prod(a[it] / BASE_LR for a in alone)
        assert math.isclose(together[it], expected, rel_tol=1e-9, abs_tol=1e-300), (it, chain)


SCHEDULES = st.sampled_from([
    [dict(type="LinearLR", start_factor=0.1, end=7, by_epoch=False), dict(type="CosineAnnealingLR", T_max=30,
                                                                           eta_min=1e-3, by_epoch=False)],
    [dict(type="OneCycleLR", eta_max=0.4, total_steps=30, by_epoch=False)],
    [dict(type="CosineRestartLR", periods=[10, 20], restart_weights=[1, 0.5], eta_min=0.0, by_epoch=False),
     dict(type="StepMomentum", step_size=4, gamma=0.95, by_epoch=False)],
    [dict(type="PolyLR", power=0.9, eta_min=1e-4, by_epoch=False, end=30),
     dict(type="MultiStepMomentum", milestones=[3, 9, 9], gamma=0.9, by_epoch=False)],
    [dict(type="ConstantLR", factor=0.25, end=12, by_epoch=False),
     dict(type="CosineAnnealingMomentum", T_max=15, eta_min=0.5, by_epoch=False)],
])


@settings(max_examples=40, deadline=None)
@given(cfgs=SCHEDULES, cut=st.integers(0, 28), groups=st.integers(1, 3))
def test_state_dict_round_trip_mid_run_continues_identically(cfgs, cut, groups):
    total = 30
    reference_opt = sgd(groups=groups)
    reference = build_param_schedulers(cfgs, reference_opt)
    expected = []
    for _ in range(total):
        expected.append((reference_opt.lr(), reference_opt.momentum()))
        for s in reference:
            s.step()

    first_opt = sgd(groups=groups)
    first = build_param_schedulers(cfgs, first_opt)
    got = []
    for _ in range(cut):
        got.append((first_opt.lr(), first_opt.momentum()))
        for s in first:
            s.step()
    states = copy.deepcopy([s.state_dict() for s in first])
    saved_optimizer = copy.deepcopy(first_opt)  # the optimizer's own checkpoint (all groups, incl. the base)
    assert all(not callable(v) and k != "optimizer" for st_ in states for k, v in st_.items())

    resumed_opt = copy.deepcopy(saved_optimizer)
    resumed = build_param_schedulers(cfgs, copy.deepcopy(saved_optimizer))
    for s, state in zip(resumed, states):
        s.optimizer = resumed_opt  # as a Runner does: schedulers of the new optimizer, then load states
        s.load_state_dict(state)
    for _ in range(cut, total):
        got.append((resumed_opt.lr(), resumed_opt.momentum()))
        for s in resumed:
            s.step()
    assert got == expected


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["StepLR", "MultiStepLR"]), epochs=st.integers(2, 6),
       per_epoch=st.integers(1, 7), gamma=factors)
def test_convert_to_iter_based_keeps_epoch_granular_schedules(kind, epochs, per_epoch, gamma):
    # Milestone schedules look the same stepped per epoch or converted. (Not ConstantLR/LinearLR: their
    # target is reached at end - 1, which conversion turns into iteration end * epoch_length - 1.)
    args = dict(StepLR=dict(step_size=2, gamma=gamma), MultiStepLR=dict(milestones=[1, 3], gamma=gamma))[kind]
    base = dict(train_cfg=dict(by_epoch=True, max_epochs=epochs),
                optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)))
    by_epoch = simulate_mmengine(dict(base, param_scheduler=dict(type=kind, **args)), per_epoch)
    converted = simulate_mmengine(dict(base, param_scheduler=dict(type=kind, convert_to_iter_based=True, **args)),
                                  per_epoch)
    for a, b in zip(by_epoch["lr"], converted["lr"]):
        assert math.isclose(a[0], b[0], rel_tol=1e-12)


@given(t_max=st.integers(2, 60), eta_min=st.floats(0.0, 0.05))
def test_cosine_alone_follows_the_closed_form(t_max, eta_min):
    values = run(dict(type="CosineAnnealingLR", T_max=t_max, eta_min=eta_min, by_epoch=False), t_max + 1)
    for t, v in enumerate(values):
        closed = eta_min + (BASE_LR - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
        assert math.isclose(v, closed, rel_tol=1e-9, abs_tol=1e-15)
