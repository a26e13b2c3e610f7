"""Find the line of a field in a YAML file, and spell a field's location as an author reads it.

Loading parses with the fast C loader, which keeps no positions; only a file that has errors is
composed again here (a node tree with marks) to point each error at its line.
"""

from __future__ import annotations

from collections.abc import Sequence

import yaml

Loc = tuple[str | int, ...]
SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def field_path(loc: Loc) -> str:
    """('questions', 2, 'choices') -> 'questions[2].choices'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def data_loc(data: object, loc: Sequence[str | int], keep_missing_last: bool) -> Loc:
    """The parts of a pydantic error location that exist in the parsed data.

    Pydantic adds parts that are not in the file (union branches such as 'str', '[key]'); they
    are dropped. A missing key, the last part, is kept when `keep_missing_last`.
    """
    kept: list[str | int] = []
    node = data
    for n, part in enumerate(loc):
        in_dict = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            kept.append(part)
            node = node[part]  # type: ignore[index]
        elif keep_missing_last and n == len(loc) - 1 and isinstance(part, str):
            kept.append(part)
    return tuple(kept)


class LineFinder:
    """Lines of fields in one file's text; composes the file once, on first use."""

    def __init__(self, text: bytes) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._composed = False

    def line(self, loc: Loc, at_key: bool = False) -> int | None:
        """1-based line of the value at `loc` (of its key when `at_key`), or of the deepest
        existing parent when the field is missing."""
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self._text, Loader=SafeLoader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        node = self._root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            child, key = _child(node, part)
            if child is None:
                return line
            node = child
            line = (key if at_key and key is not None else child).start_mark.line + 1
        return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value, key
    elif (
        isinstance(node, yaml.SequenceNode)
        and isinstance(part, int)
        and 0 <= part < len(node.value)
    ):
        return node.value[part], None
    return None, None
