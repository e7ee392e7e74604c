"""Output line -> input line, so a finding can be reported where the user's source has it.

The codemod adds lines (TODO comments, imports, wrapped signatures, split methods) and
rewrites others in place, but never reorders what it keeps; so a line alignment of the
input and the output (difflib) pairs each output line with the input line it came from:

* kept lines pair exactly (``def`` / ``class`` headers by name, since signatures and bases change);
* a rewritten run of lines (``replace``) pairs each output line with the most similar input
  line of the run (a wrapped signature or a ``log_buffer.update`` split into several calls
  all come from their one input line);
* an added line (``insert``) belongs to the input line that follows it, except the rest of a
  line the codemod wrapped (a signature one parameter per line), which belongs to its first line.

A TODO comment line is about the construct directly below it (past any other comment
lines), so it is reported at that construct's input line (:func:`todo_origins`).
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable, List, Optional, Sequence, Set

#: above this many line pairs a rewritten run is paired by position, not by similarity (cost)
_MAX_PAIRS = 2500
_HEADER = re.compile(r"\s*(?:async\s+)?((?:def|class)\s+\w+)")


def input_lines(source: Sequence[str], output: Sequence[str], wanted: Optional[Iterable[int]] = None) -> List[int]:
    """For each output line (0-based index), the 1-based input line it came from.

    With ``wanted`` (output line indexes), only those lines, and the ones their pairing depends
    on, are paired by similarity; the others by position (cheaper; enough where nobody looks).
    """
    last = max(len(source), 1)
    origin = [last] * len(output)
    matcher = difflib.SequenceMatcher(None, [_key(line) for line in source], [_key(line) for line in output],
                                      autojunk=False)
    opcodes = matcher.get_opcodes()
    exact = _needed_blocks(opcodes, wanted)
    for block, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            for k in range(j2 - j1):
                origin[j1 + k] = i1 + k + 1
        elif tag == "insert":
            for j in range(j1, j2):
                origin[j] = min(i1 + 1, last)
        elif tag == "replace":
            for j in range(j1, j2):
                by_position = (j - j1) * (i2 - i1) // (j2 - j1)
                origin[j] = (_closest(source, i1, i2, output[j], by_position) if exact is None or block in exact
                             else i1 + by_position) + 1
        if tag != "equal" and j1:
            # the rest of a line the codemod wrapped belongs to that line's first line
            depth = _open_brackets(output[j1 - 1])
            for j in range(j1, j2):
                if depth <= 0:
                    break
                origin[j] = origin[j - 1]
                depth += _open_brackets(output[j])
    return origin


def _needed_blocks(opcodes, wanted: Optional[Iterable[int]]) -> Optional[Set[int]]:
    """Indexes of the opcode blocks holding a wanted line, and of the blocks just before those
    (the rest of a wrapped line takes the origin of the line before its block). None: all blocks."""
    if wanted is None:
        return None
    lines = set(wanted)
    holding = {block for block, (_, _, _, j1, j2) in enumerate(opcodes) if any(j1 <= line < j2 for line in lines)}
    return holding | {block - 1 for block in holding if block}


def _open_brackets(line: str) -> int:
    """Brackets ``line`` opens minus those it closes (comments and strings are not told apart)."""
    return sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")


def _key(line: str) -> str:
    """What a line is matched by: a ``def`` / ``class`` header by its name (its signature or bases may be
    rewritten), anything else by its text. Anchoring on the headers keeps a line repeated in several
    methods paired with the copy in its own method."""
    match = _HEADER.match(line)
    return match.group(1) if match else line.strip()


def _closest(source: Sequence[str], i1: int, i2: int, line: str, fallback: int) -> int:
    """The index in ``source[i1:i2]`` most like ``line`` (by position when the run is large)."""
    if (i2 - i1) * len(line) > _MAX_PAIRS or not line.strip():
        return i1 + fallback
    text = line.strip()
    scores = [(difflib.SequenceMatcher(None, source[i].strip(), text).ratio(), -i) for i in range(i1, i2)]
    return -max(scores)[1]


def todo_origins(source: str, output: str, todo_lines: Sequence[int]) -> List[int]:
    """The input line of the construct each TODO (1-based output line) sits above."""
    out = output.splitlines()
    targets = []
    for number in todo_lines:
        below = number - 1  # a trailing TODO is about its own line, a TODO line about the code below
        while below < len(out) and out[below].lstrip().startswith("#"):
            below += 1
        targets.append(min(below, len(out) - 1))
    origin = input_lines(source.splitlines(), out, targets)
    return [origin[target] for target in targets]
