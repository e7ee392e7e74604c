"""Reference data from the REAL iMIX 0.1.0 code (PyPI wheel) for the iMIX dialect tests.

Run with the reference venv (it has torch; iMIX is not installed, its wheel is only unpacked):

    $REFENV/bin/pip download imix==0.1.0 --no-deps -d /tmp/imixwheel
    $REFENV/bin/python tools/refdata/imix_reference.py /tmp/imixwheel/iMIX-0.1.0-py3-none-any.whl

iMIX's package ``__init__`` files import models, datasets and third-party libraries
that are not needed here, so parent packages are stand-in modules whose ``__path__``
points into the wheel: every module exercised below is iMIX's own file, executed as
is; only modules it imports for unrelated features are replaced by small stubs
(``imix.utils.config.imixEasyDict`` by a dict with attribute access, ``Organizer``
by a placeholder, ``transformers.optimization`` by functions that are never called).

Writes ``tests/data/reference/imix/{levels,custom_hooks,counters,lr_policies,checkpoints,training_steps}.json``.
"""
import json
import os
import random
import sys
import tempfile
import time
import types
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "reference", "imix")


def unpack(wheel):
    target = tempfile.mkdtemp(prefix="imix-wheel-")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    return os.path.join(target, "imix")


def package(name, path):
    import importlib.machinery

    module = types.ModuleType(name)
    module.__path__ = [path]
    module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
    sys.modules[name] = module
    return module


def stub(name, **attrs):
    import importlib.machinery

    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)  # torch._dynamo probes specs
    sys.modules[name] = module
    return module


class AttrDict(dict):
    __getattr__ = dict.__getitem__

    def __setattr__(self, key, value):
        self[key] = value


def load_imix(src):
    import importlib

    for name, rel in [("imix", ""), ("imix.engine", "engine"), ("imix.engine.hooks", "engine/hooks"),
                      ("imix.engine.hooks.periods", "engine/hooks/periods"), ("imix.utils", "utils"),
                      ("imix.solver", "solver")]:
        package(name, os.path.join(src, rel))
    stub("imix.utils.config", imixEasyDict=AttrDict)
    stub("tabulate", tabulate=lambda *a, **k: "")
    stub("imix.engine.organizer", Organizer=object, is_mixed_precision=lambda: False)
    never = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("not used"))  # noqa: E731
    stub("transformers")
    stub("transformers.optimization", **{n: never for n in (
        "get_constant_schedule", "get_constant_schedule_with_warmup", "get_linear_schedule_with_warmup",
        "get_cosine_schedule_with_warmup", "get_cosine_with_hard_restarts_schedule_with_warmup",
        "get_polynomial_decay_schedule_with_warmup")})
    hooks_pkg = sys.modules["imix.engine.hooks"]
    base_hook = importlib.import_module("imix.engine.hooks.base_hook")
    builder = importlib.import_module("imix.engine.hooks.builder")
    hooks_pkg.HookBase, hooks_pkg.PriorityStatus = base_hook.HookBase, base_hook.PriorityStatus
    hooks_pkg.HOOKS, hooks_pkg.build_hook = builder.HOOKS, builder.build_hook
    periods = sys.modules["imix.engine.hooks.periods"]
    log_buffer = importlib.import_module("imix.engine.hooks.periods.log_buffer_imix")
    common_metric = importlib.import_module("imix.engine.hooks.periods.common_metric")
    periods.LogBufferStorage, periods.write_metrics = log_buffer.LogBufferStorage, common_metric.write_metrics
    engine = importlib.import_module("imix.engine.imix_engine")
    lr = importlib.import_module("imix.solver.lr_scheduler")
    return base_hook, builder, engine, lr


def describe(value):
    return {"repr": repr(value), "type": type(value).__name__,
            "value": value if isinstance(value, (int, float, str, bool)) else None}


def levels(base_hook):
    """HookBase.level setter results (imix.md §2.2)."""
    P = base_hook.PriorityStatus
    values = [P.HIGH, P.LOWEST, 0, 10, 20, 30, 40, 50, 60, 25, -10, 100, "HIGH", "NORMAL", "high", "30", "",
              True, False, 30.0, None]
    rows = []
    for value in values:
        hook = base_hook.HookBase()
        try:
            hook.level = value
            result = {"level": hook.level.name}
        except Exception as err:  # the exception type is the reference
            result = {"error": type(err).__name__}
        row = describe(value)
        if isinstance(value, P):
            row["member"] = value.name
        rows.append(dict(row, **result))
    return rows


def custom_hooks(base_hook, builder, organizer_src):
    """Organizer.add_custom_hooks on iMIX's main-process default levels (imix.md §2.3)."""
    import ast

    tree = ast.parse(open(organizer_src).read())
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "add_custom_hooks")
    namespace = {"logging": __import__("logging")}
    exec(compile(ast.Module(body=[func], type_ignores=[]), organizer_src, "exec"), namespace)
    add_custom_hooks = namespace["add_custom_hooks"]

    @builder.HOOKS.register_module()
    class RefHook(base_hook.HookBase):
        def __init__(self, name):
            super().__init__()
            self.name = name

    P = base_hook.PriorityStatus
    defaults = [("OptimizerHook", 20), ("LRSchedulerHook", 20), ("IterationTimerHook", 30),
                ("PeriodicLogger", 30), ("CheckPointHook", 30), ("EvaluateHook", 30)]
    rng = random.Random(0)
    cases = [[30, 40], [20, 20], [50, 40], [0], [10, 30], [60, 30, 20, 30]]
    cases += [[rng.choice([20, 30, 40, 50, 60]) for _ in range(rng.randint(1, 6))] for _ in range(40)]
    rows = []
    for customs in cases:
        organizer = types.SimpleNamespace(hooks=[])
        for name, level in defaults:
            hook = RefHook(name)
            hook._level = P(level)
            organizer.hooks.append(hook)
        cfgs = [dict(type="RefHook", name=f"custom{i}", level=level) for i, level in enumerate(customs)]
        try:
            add_custom_hooks(organizer, cfgs)
            result = {"order": [[h.name, h.level.value] for h in organizer.hooks]}
        except Exception as err:
            result = {"error": type(err).__name__}
        rows.append(dict(defaults=defaults, customs=customs, **result))
    return rows


def counters(base_hook, engine):
    """CommonEngine.train_by_epoch / train_by_iter with a recording hook (imix.md §4.2-4.3)."""
    import torch

    time.sleep = lambda seconds: None  # iMIX sleeps 2 s per epoch and 1 s before after_train

    class Recorder(base_hook.HookBase):
        def __init__(self, log):
            super().__init__()
            self.log = log

        def _rec(self, event):
            t = self.trainer
            self.log.append([event, t.iter, getattr(t, "epoch", None), getattr(t, "inner_iter", None),
                             t.log_buffer.iter, t.log_buffer.epoch])

    for event in ("before_train", "after_train", "before_train_epoch", "after_train_epoch", "before_train_iter",
                  "after_train_iter"):
        setattr(Recorder, event, (lambda e: lambda self: self._rec(e))(event))

    class Model(torch.nn.Module):
        def forward(self, batch, **kwargs):
            return {"x": 1.0}

    batches = [torch.zeros(1, 2)] * 3

    def make(by_epoch):
        log = []
        eng = engine.CommonEngine(model=Model(), data_loader=batches, optimizer=None,
                                  loss_fn=lambda out: {"total_loss": 1.0})
        eng.by_epoch = by_epoch
        eng.register_hooks([Recorder(log)])
        return eng, log

    eng, by_epoch = make(True)
    eng.start_iter = 0
    eng.train_by_epoch(0, 2)
    eng, by_iter = make(False)
    eng.train_by_iter(5, 100)
    keys = ["event", "iter", "epoch", "inner_iter", "log_buffer_iter", "log_buffer_epoch"]
    return {"keys": keys, "batches": 3, "by_epoch": {"epochs": 2, "events": by_epoch},
            "by_iter": {"start_iter": 5, "max_iter": 100, "events": by_iter}}


def lr_policies(lr):
    """LR per step of iMIX's torch-based policies (the HF ones need `transformers`)."""
    import torch

    cases = [
        ("WarmupMultiStepLR", dict(milestones=[5, 9], gamma=0.1, warmup_factor=0.001, warmup_iters=4)),
        ("WarmupMultiStepLR", dict(milestones=[3], gamma=0.5, warmup_factor=0.25, warmup_iters=6,
                                   warmup_method="constant")),
        ("WarmupCosineLR", dict(max_iters=12, warmup_factor=0.1, warmup_iters=3)),
        ("MultiStepScheduler", dict(use_warmup=True, lr_steps=[6, 9], lr_ratio=0.2, warmup_factor=0.25,
                                    warmup_iterations=4)),
        ("MultiStepScheduler", dict(use_warmup=False, lr_steps=[2, 7], lr_ratio=0.1, warmup_factor=0.5,
                                    warmup_iterations=1)),
        ("WarmupLinearScheduleNonZero", dict(t_total=10, warmup_iterations=3, min_lr=0.02)),
        ("BertWarmupLinearLR", dict(max_iters=10, warmup=0.3)),
        ("BertWarmupLinearLR", dict(max_iters=10, warmup=0.2, warmup_method="warmup_constant")),
        ("BertWarmupLinearLR", dict(max_iters=-1)),
    ]
    rows = []
    for policy, kwargs in cases:
        params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
        opt = torch.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1, momentum=0.9)
        sched = getattr(lr, policy)(opt, **kwargs)
        lrs = []
        for _ in range(14):
            lrs.append([g["lr"] for g in opt.param_groups])
            opt.step()
            sched.step()
        rows.append({"policy": policy, "kwargs": kwargs, "group_lrs": [0.1, 0.05], "lr": lrs})
    return rows


def checkpoints():
    """CheckPointHook + PeriodicCheckpointer (imix.md §4.5) driven by a fake trainer: file names per event."""
    import importlib

    stub("imix.utils.third_party_libs", PathManager=None)
    ckpt = importlib.import_module("imix.utils.checkpoint")
    hook_mod = importlib.import_module("imix.engine.hooks.periods.checkpoint")

    def scenario(by_epoch, batches, epochs, max_iter, **ckpt_cfg):
        saved = []
        checkpointer = ckpt.Checkpointer.__new__(ckpt.Checkpointer)
        checkpointer.save = lambda name, **extra: saved.append([name, sorted(extra)])
        hook = hook_mod.CheckPointHook(checkpointer, prefix="M_D", **ckpt_cfg)
        trainer = types.SimpleNamespace(by_epoch=by_epoch, max_iter=max_iter, max_epoch=epochs if by_epoch else 0,
                                        data_loader=[0] * batches, iter=0)
        hook.trainer = trainer
        hook.before_train()
        rows = []

        def call(event):
            del saved[:]
            try:
                getattr(hook, event)()
                error = None
            except Exception as err:
                error = type(err).__name__
            rows.append({"event": event, "iter": trainer.iter, "epoch": getattr(trainer, "epoch", None),
                         "saved": [name for name, _ in saved], "extra": [keys for _, keys in saved],
                         "curr": hook.curr_checkpoint_name, "error": error})

        if by_epoch:
            for epoch in range(epochs):
                trainer.epoch = epoch
                for inner in range(batches):
                    trainer.inner_iter = inner
                    call("after_train_iter")
                    trainer.iter += 1
                call("after_train_epoch")
        else:
            for it in range(max_iter):
                trainer.iter = it
                call("after_train_iter")
        return {"by_epoch": by_epoch, "batches": batches, "epochs": epochs, "max_iter": max_iter,
                "checkpoint_config": ckpt_cfg, "events": rows}

    return [scenario(True, 3, 3, 9, iter_period=2),
            scenario(True, 3, 4, 12, epoch_period=2, iter_period=4),
            scenario(True, 2, 2, 4),
            scenario(False, 3, 0, 7, iter_period=3),
            scenario(False, 3, 0, 3, iter_period=1)]


def training_steps(base_hook, engine, lr):
    """The real OptimizerHook + LRSchedulerHook in CommonEngine: accumulation, clipping, LR stepping."""
    import importlib

    import torch

    time.sleep = lambda seconds: None
    opt_hooks = importlib.import_module("imix.engine.hooks.optimizer")
    lr_hook = importlib.import_module("imix.engine.hooks.lr_scheduler")
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    init = {k: v.tolist() for k, v in model.state_dict().items()}
    gen = torch.Generator().manual_seed(1)
    batches = [(torch.randn(2, 3, generator=gen), torch.randn(2, 1, generator=gen)) for _ in range(3)]

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model

        def forward(self, batch, **kwargs):
            x, y = batch
            return {"loss": ((self.inner(x) - y) ** 2).mean()}

    rows = []

    class Probe(base_hook.HookBase):
        def __init__(self):
            super().__init__()
            self._level = base_hook.PriorityStatus.LOWEST

        def after_train_iter(self):
            t = self.trainer
            rows.append({"iter": t.iter, "weight": model.weight.detach().flatten().tolist(),
                         "bias": model.bias.item(), "lr": t.optimizer.param_groups[0]["lr"],
                         "loss": float(t.output["loss"].detach()),
                         "grad_norm": t.log_buffer.history("grad_norm").latest(),
                         "logged_lr": (t.log_buffer.history("lr").latest() if "lr" in t.log_buffer.histories()
                                       else None)})

    net = Net()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    lr_kwargs = dict(milestones=[2], gamma=0.5, warmup_factor=0.5, warmup_iters=2)
    scheduler = lr.WarmupMultiStepLR(optimizer, **lr_kwargs)
    eng = engine.CommonEngine(model=net, data_loader=batches, optimizer=optimizer, loss_fn=lambda out: dict(out))
    eng.by_epoch, eng.start_iter, eng.gradient_accumulation_steps, eng.is_lr_accumulation = True, 0, 2, True
    eng.register_hooks([opt_hooks.OptimizerHook(grad_clip=dict(max_norm=0.5)),
                        lr_hook.LRSchedulerHook(optimizer, scheduler), Probe()])
    eng.train_by_epoch(0, 2)
    return {"init": init, "batches": [[x.tolist(), y.tolist()] for x, y in batches], "lr_config": lr_kwargs,
            "optimizer": dict(type="SGD", lr=0.1, momentum=0.9), "grad_clip": dict(max_norm=0.5),
            "gradient_accumulation_steps": 2, "epochs": 2, "iterations": rows}


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    src = unpack(argv[1])
    base_hook, builder, engine, lr = load_imix(src)
    os.makedirs(OUT, exist_ok=True)
    data = {"levels": levels(base_hook), "custom_hooks": custom_hooks(base_hook, builder,
                                                                      os.path.join(src, "engine", "organizer.py")),
            "counters": counters(base_hook, engine), "lr_policies": lr_policies(lr), "checkpoints": checkpoints(),
            "training_steps": training_steps(base_hook, engine, lr)}
    for name, payload in data.items():
        doc = {"source": "iMIX 0.1.0 wheel (PyPI), executed by tools/refdata/imix_reference.py", "data": payload}
        with open(os.path.join(OUT, f"{name}.json"), "w") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"wrote {name}.json")


if __name__ == "__main__":
    main(sys.argv)
