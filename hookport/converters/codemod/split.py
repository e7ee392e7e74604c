"""MMCV's generic ``before_epoch`` / ``after_epoch`` / ``before_iter`` / ``after_iter``.

MMCV called them from the train and val mount points only. MMEngine's look-alikes
(``_before_epoch`` & co.) also fire for test, so the codemod keeps MMCV's meaning
exactly: the body moves into one private helper that takes ``mode``, and explicit
train and val methods call it (what mmdet 3.x's MemoryProfilerHook port did).
"""
from __future__ import annotations

from typing import List, Sequence

import libcst as cst

from hookport.converters.codemod.signatures import with_params


def split(fn: cst.FunctionDef, spec: dict, defined: Sequence[str], ctx, config, indent: str,
          params_of) -> List[cst.FunctionDef]:
    """The explicit stage methods (those the class does not define yet) and the helper.

    Args:
        fn: the generic method, with the plain ``(self, runner)`` signature.
        spec: its ``generic`` entry of ``signatures.yaml`` (stages, helper, params).
        defined: method names the class already has (explicit overrides win, as in MMCV).
        params_of: stage name -> MMEngine parameter texts.
    """
    runner = fn.params.params[1].name.value
    helper_params = list(spec["params"])
    arg_names = [text.split(":")[0].split("=")[0].strip() for text in helper_params]
    methods: List[cst.FunctionDef] = []
    for stage in spec["stages"]:
        if stage in defined:
            continue
        mode = stage.split("_")[1]
        call_args = ", ".join([runner, *arg_names, f"mode={mode!r}"])
        stub = cst.parse_statement(f"def {stage}(self, {runner}):\n    self.{spec['helper']}({call_args})\n",
                                   config=config)
        stub = with_params(stub, params_of(stage), ctx, config, indent)
        methods.append(stub.with_changes(leading_lines=[cst.EmptyLine(indent=False)] if methods else fn.leading_lines))
    helper = fn.with_changes(name=cst.Name(spec["helper"]),
                             leading_lines=[cst.EmptyLine(indent=False)] if methods else fn.leading_lines)
    helper = with_params(helper, [*helper_params, "mode: str = 'train'"], ctx, config, indent)
    return [*methods, helper]
