"""Property tests: generated legacy hooks always come out parseable, idempotent and well-marked."""
import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookport.converters.codemod import Status, transform_source
from hookport.converters.codemod.todo import TODO_RE

MMCV_STAGES = ["before_run", "after_run", "before_train_epoch", "after_train_epoch", "before_val_epoch",
               "after_val_epoch", "before_train_iter", "after_train_iter", "before_val_iter", "after_val_iter",
               "before_epoch", "after_epoch", "before_iter", "after_iter", "_helper"]
IMIX_STAGES = ["before_train", "after_train", "before_train_epoch", "after_train_epoch", "before_train_iter",
               "after_train_iter", "_helper"]

MMCV_SNIPPETS = [
    "x = runner.outputs['loss']",
    "x = runner.outputs['log_vars']['acc']",
    "runner.outputs['loss'] *= 2",
    "n = len(runner.data_loader)",
    "runner.log_buffer.update({'a': 1.0, 'b': 2.0}, 4)",
    "runner.log_buffer.update(dict(a=1))",
    "runner.logger.info(f'{runner.mode} {runner.epoch} {runner.inner_iter}')",
    "lr = runner.current_lr()[0]",
    "runner.optimizer.step()",
    "g = [p.grad for p in runner.model.parameters()]",
    "meta = runner.meta",
    "ok = self.every_n_iters(runner, 3) and self.is_last_epoch(runner)",
    "ok = self.end_of_epoch(runner) or self.every_n_inner_iters(runner, 2)",
    "model = runner.model.module if is_module_wrapper(runner.model) else runner.model",
    "classes = runner.data_loader.dataset.CLASSES",
    "# a comment\ny = 1",
]
IMIX_SNIPPETS = [
    "x = self.trainer.output['loss']",
    "self.trainer.output['loss'] /= 2",
    "self.trainer.log_buffer.put_scalar('lr', 0.1, smoothing_hint=False)",
    "i = self.trainer.iter + self.trainer.inner_iter",
    "m = self.trainer.max_iter",
    "t = self.trainer",
    "self.trainer.optimizer.zero_grad()",
    "b = self.trainer.by_epoch",
    "print(f'{self.trainer.epoch}')",
    "z = 2",
]
WRAPPERS = ["{s}", "if flag:\n    {s}", "for _ in range(2):\n    {s}", "def inner():\n    {s}\ninner()",
            "try:\n    {s}\nexcept Exception:\n    pass"]


def _indent(text, pad):
    return "\n".join(pad + line for line in text.splitlines())


@st.composite
def hook_sources(draw):
    dialect = draw(st.sampled_from(["mmcv", "imix"]))
    stages = MMCV_STAGES if dialect == "mmcv" else IMIX_STAGES
    snippets = MMCV_SNIPPETS if dialect == "mmcv" else IMIX_SNIPPETS
    lines = (["from mmcv.parallel import is_module_wrapper", "from mmcv.runner import HOOKS, Hook", ""]
             if dialect == "mmcv" else ["from imix.engine.hooks import HOOKS, HookBase, PriorityStatus", ""])
    helpers = draw(st.integers(0, 2)) if dialect == "mmcv" else 0
    for k in range(helpers):  # module-level runner helpers, called from mount points below
        lines += ["", "", f"def helper{k}(runner, hook):"]
        for _ in range(draw(st.integers(1, 3))):
            snippet = draw(st.sampled_from(snippets)).replace("self.", "hook.")
            wrapper = draw(st.sampled_from(WRAPPERS))
            body = wrapper.replace("{s}", snippet.replace("\n", "\n    ")) if "\n" in wrapper else snippet
            lines.append(_indent(body, " " * 4))
    snippets = snippets + [f"helper{k}(runner, self)" for k in range(helpers)]
    for c in range(draw(st.integers(1, 2))):
        base = "Hook" if dialect == "mmcv" else "HookBase"
        lines += ["", "@HOOKS.register_module()", f"class Generated{c}({base}):", '    """Generated."""', ""]
        if dialect == "imix" and draw(st.booleans()):
            level = draw(st.sampled_from(["HIGH", "LOW", "HIGHEST", "LOWEST"]))
            lines += ["    def __init__(self):", "        super().__init__()",
                      f"        self._level = PriorityStatus.{level}", ""]
        names = draw(st.lists(st.sampled_from(stages), min_size=1, max_size=4, unique=True))
        for name in names:
            params = "self, runner" if dialect == "mmcv" else "self"
            lines.append(f"    def {name}({params}):")
            lines.append("        flag = True")
            for _ in range(draw(st.integers(1, 3))):
                snippet = draw(st.sampled_from(snippets))
                wrapper = draw(st.sampled_from(WRAPPERS))
                body = wrapper.replace("{s}", snippet.replace("\n", "\n    ")) if "\n" in wrapper else snippet
                lines.append(_indent(body, " " * 8))
            lines.append("")
    return "\n".join(lines) + "\n"


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(hook_sources())
def test_output_parses_and_second_run_changes_nothing(source):
    ast.parse(source)
    first = transform_source(source, "gen.py")
    assert first.status is Status.CHANGED, first.reason
    ast.parse(first.output)
    second = transform_source(first.output, "gen.py")
    assert second.status in (Status.SKIPPED, Status.UNCHANGED), second.reason


@SETTINGS
@given(hook_sources())
def test_every_todo_is_well_formed_and_above_code(source):
    output = transform_source(source, "gen.py").output
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if "TODO(hookport" in line:
            assert TODO_RE.search(line), line
            following = next(li for li in lines[i + 1:] if "TODO(hookport" not in li)
            assert following.strip() and not following.strip().startswith("#"), (line, following)
            assert len(following) - len(following.lstrip()) == len(line) - len(line.lstrip())


@SETTINGS
@given(hook_sources())
def test_no_legacy_hook_base_or_trainer_call_is_left_unmarked(source):
    output = transform_source(source, "gen.py").output
    tree = ast.parse(output)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            assert all(getattr(b, "id", None) == "Hook" for b in node.bases)
    # every remaining `self.trainer` (iMIX) sits under a TODO
    lines = output.splitlines()
    for i, line in enumerate(lines):
        if "self.trainer" in line and not line.strip().startswith("#"):
            above = [li for li in lines[:i] if li.strip()][-1]
            assert "TODO(hookport" in above, (line, above)


@SETTINGS
@given(st.lists(st.sampled_from(MMCV_SNIPPETS + IMIX_SNIPPETS), min_size=1, max_size=6))
def test_files_without_a_legacy_hook_are_byte_identical(snippets):
    source = "import mmcv\n\n\ndef f(runner, self, flag=True):\n" + \
        "\n".join(_indent(s, "    ") for s in snippets) + "\n"
    outcome = transform_source(source, "plain.py")
    assert outcome.status is Status.SKIPPED
    assert outcome.output is None


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("mcvixrunHookBase()[]:=.'\n \t#fdefclass")), max_size=200))
def test_any_text_ends_as_an_outcome_never_an_exception(text):
    outcome = transform_source("from mmcv.runner import Hook\n" + text, "fuzz.py")
    assert outcome.status in (Status.CHANGED, Status.UNCHANGED, Status.SKIPPED, Status.FAILED)
    if outcome.status is Status.FAILED:
        assert outcome.reason.startswith("syntax error"), outcome.reason
    if outcome.status is Status.CHANGED:
        ast.parse(outcome.output)
