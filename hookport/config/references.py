"""``{{_base_.x}}`` references and ``{{ fileDirname }}``-style predefined variables in config text.

A reference names a value of the (combined) bases by a dotted path; a part that is a number indexes a
list or tuple (``{{_base_.model.layers.0}}``). Where it stands decides what it becomes:

* **in code** (``x = {{_base_.a}}``, ``y = {{_base_.a}} * 2``): the value itself. The reference is replaced
  by a placeholder name bound to a deep copy of the value when the file runs. MMCV substitutes a string
  placeholder after execution instead, so there only a whole value works; here expressions work too.
* **inside a string literal** (``'work_dirs/{{_base_.name}}'``): ``str(value)`` spliced into the text,
  escaped so the literal reads back as that text (quotes, backslashes, newlines; braces in f-strings).
  MMCV 1.7.2 and MMEngine 0.10.7 leave a mangled placeholder (``'"_name_1a2b3c"'``) there; splicing is
  what such a line clearly means.

In ``.yaml``/``.json`` configs references are read after parsing: a string that is exactly one reference
becomes the value, a longer string gets ``str(value)`` spliced in.

Predefined variables (MMCV): ``{{ fileDirname }}``, ``{{ fileBasename }}``,
``{{ fileBasenameNoExtension }}``, ``{{ fileExtname }}``, replaced as text everywhere before parsing.
"""
from __future__ import annotations

import copy
import io
import os
import re
import tokenize
from typing import Any, Callable, Dict, List, Optional, Tuple

from hookport.errors import ConfigError

BASE_REF = re.compile(r"\{\{\s*_base_\.([\w.]+?)\s*\}\}")
PREDEFINED = re.compile(r"\{\{\s*(fileDirname|fileBasename|fileBasenameNoExtension|fileExtname)\s*\}\}")
PLACEHOLDER = "__hookport_base_ref_{}__"


def substitute_predefined(text: str, path: str) -> str:
    """Replace ``{{ fileDirname }}`` & co. with the values for ``path``."""
    absolute = os.path.abspath(path)
    base = os.path.basename(absolute)
    values = {
        "fileDirname": os.path.dirname(absolute),
        "fileBasename": base,
        "fileBasenameNoExtension": os.path.splitext(base)[0],
        "fileExtname": os.path.splitext(base)[1],
    }
    # Windows paths hold backslashes; keep them literal inside Python strings.
    return PREDEFINED.sub(lambda m: values[m.group(1)].replace("\\", "/"), text)


def lookup(bases: Any, dotted: str) -> Any:
    """The value at ``dotted`` (``'a.b.0'``) in ``bases``; KeyError with a message when absent."""
    value = bases
    walked: List[str] = []
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            where = "the bases" if not walked else f"_base_.{'.'.join(walked)}"
            raise KeyError(f"{{{{_base_.{dotted}}}}}: {where} has no {part!r}")
        walked.append(part)
    return value


class PySource:
    """The references found in one ``.py`` config's text, classified as in-code or in-string.

    References inside comments are left alone (a commented-out line must not fail the load).
    """

    def __init__(self, text: str):
        self.text = text
        matches = list(BASE_REF.finditer(text))
        self._string_spans, comments = _token_spans(text) if matches else ([], [])
        self.matches = [m for m in matches if not _inside(m, comments)]

    def _prefix(self, match: "re.Match[str]") -> Optional[str]:
        """The lower-cased prefix (``''``, ``'f'``, ``'rb'``...) of the string literal holding ``match``."""
        for start, end, prefix in self._string_spans:
            if start <= match.start() and match.end() <= end:
                return prefix
        return None

    def line_of(self, match: "re.Match[str]") -> int:
        """The 1-based line of ``match``."""
        return self.text.count("\n", 0, match.start()) + 1

    def render(self, value_of: Callable[["re.Match[str]"], Any] = None) -> Tuple[str, Dict[str, str]]:
        """The text with in-code references replaced by placeholder names.

        With ``value_of`` (match -> value), in-string references are spliced in as ``str(value)``;
        without it they are left as they are (enough to parse the file and find ``_base_``).
        Returns the text and ``{placeholder: dotted path}``.
        """
        out: List[str] = []
        names: Dict[str, str] = {}
        pos = 0
        for index, match in enumerate(self.matches):
            out.append(self.text[pos:match.start()])
            prefix = self._prefix(match)
            if prefix is not None:
                out.append(match.group(0) if value_of is None else _escape(str(value_of(match)), prefix))
            else:
                name = PLACEHOLDER.format(index)
                names[name] = match.group(1)
                out.append(name)
            pos = match.end()
        out.append(self.text[pos:])
        return "".join(out), names


def _escape(text: str, prefix: str) -> str:
    """Make ``text`` read back as itself inside a string literal with ``prefix``.

    A raw literal cannot escape anything; the text goes in as it is (a quote in it is then reported as a
    syntax error at its line).
    """
    if "f" in prefix:  # braces are expressions in an f-string
        text = text.replace("{", "{{").replace("}", "}}")
    if "r" in prefix:
        return text
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
            .replace("'", "\\'").replace('"', '\\"'))


def _inside(match: "re.Match[str]", spans: List[Tuple[int, int]]) -> bool:
    return any(start <= match.start() and match.end() <= end for start, end in spans)


def _prefix_of(token_text: str) -> str:
    """``'rb'`` for ``rb'...'``: the letters before the opening quote, lower-cased."""
    return token_text[:len(token_text) - len(token_text.lstrip("rRbBuUfF"))].lower()


def _token_spans(text: str) -> Tuple[List[Tuple[int, int, str]], List[Tuple[int, int]]]:
    """Spans of the string literals (with their prefixes) and of the comments in ``text``.

    Both are empty when the text does not tokenize.
    """
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    spans, comments = [], []
    fstring_start = getattr(tokenize, "FSTRING_START", None)  # Python >= 3.12 splits f-strings up
    fstring_end = getattr(tokenize, "FSTRING_END", None)
    opened: List[Tuple[int, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            (srow, scol), (erow, ecol) = tok.start, tok.end
            if tok.type == tokenize.STRING:
                spans.append((line_starts[srow - 1] + scol, line_starts[erow - 1] + ecol, _prefix_of(tok.string)))
            elif tok.type == tokenize.COMMENT:
                comments.append((line_starts[srow - 1] + scol, line_starts[erow - 1] + ecol))
            elif fstring_start is not None and tok.type == fstring_start:
                opened.append((line_starts[srow - 1] + scol, _prefix_of(tok.string)))
            elif fstring_end is not None and tok.type == fstring_end and opened:
                start, prefix = opened.pop()
                spans.append((start, line_starts[erow - 1] + ecol, prefix))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # The compiler will report the real problem with its line; treat every reference as code.
        return [], []
    return spans, comments


def resolve_in_data(value: Any, bases: dict, file: str) -> Any:
    """Resolve references inside strings of a parsed ``.yaml``/``.json`` config."""
    if isinstance(value, str):
        whole = BASE_REF.fullmatch(value.strip())
        if whole:
            return copy.deepcopy(_lookup_or_raise(bases, whole.group(1), file))
        return BASE_REF.sub(lambda m: str(_lookup_or_raise(bases, m.group(1), file)), value)
    if isinstance(value, dict):
        return {k: resolve_in_data(v, bases, file) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_in_data(v, bases, file) for v in value]
    return value


def _lookup_or_raise(bases: dict, dotted: str, file: str) -> Any:
    try:
        return lookup(bases, dotted)
    except KeyError as err:
        raise ConfigError(err.args[0], file) from None
