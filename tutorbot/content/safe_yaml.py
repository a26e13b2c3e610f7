"""Parse one topic file's YAML into plain data, refusing what a hostile file could abuse.

The C parser (libyaml) builds the node tree; construction into Python objects runs here, in a
subclass of PyYAML's safe constructor with two rules added:

- **Aliases are bounded.** An alias (`*name`) is the same node reached again; every time one is
  constructed, the number of values it repeats (its node and all nodes under it) is charged to
  the file, and past `MAX_ALIASED_VALUES` the file is refused. A handful of `&l0 [...]` lines
  that would expand to billions of values (an "alias bomb") is refused after about a thousand,
  before any of it is validated or printed. An alias to its own value (recursive) counts as
  unbounded. Merge keys (`<<: *base`) repeat values too and are charged the same way. A file
  without anchors, nearly every one, skips this accounting.
- **Nesting is bounded** (`MAX_DEPTH`): libyaml composes nodes recursively in C, so a file nested
  tens of thousands deep would crash the process; it is refused from the parse events first.
- **A key repeated in one mapping is an error** naming both lines (YAML would silently keep the
  last value). Checked by comparing the built dict's size with the mapping's pairs, so a file
  without repeats pays one `len` per mapping.

Speed, for a course of 10,000 files: a file without anchors (nearly every one) is built from its
nodes by one plain recursive function (`_plain`) instead of PyYAML's constructor and its
bookkeeping for aliases and deferred generators; anything it does not expect (a merge key, an
unknown tag, a repeated key, any error) sends the file through PyYAML's constructor, which gives
the same data or raises the same error as before. Tags are resolved without PyYAML's path
resolvers, which these loaders never have.
"""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from tutorbot.content.models import shown

MAX_ALIASED_VALUES = 1000
"""Values (nodes) one file may repeat through aliases and merge keys, in all."""
MAX_DEPTH = 32
"""Lists and mappings nested in one another: a topic file needs 4 (topic, questions, a
question, its choices). libyaml's composer builds nodes recursively on the C stack, and a file
nested some 25,000 deep (60 KB of `[`) kills the process instead of raising, so deep nesting is
refused from the parse events first (see `_refuse_deep`)."""
_SAFE_NESTING = 5000
"""Below this many nesting indicators and this much indentation a file cannot be nested deep
enough to reach the composer's crash, and skips the event pass."""

_CSafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SCALARS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
"""Scalar tags `_plain` builds (with the safe constructor's own function for each but str)."""


class Refused(Exception):
    """A file the loader will not read further: `line` (1-based, if known) and why."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _line(node: yaml.Node) -> int | None:
    mark = node.start_mark
    return mark.line + 1 if mark is not None else None


def _too_many_aliased(node: yaml.Node) -> Refused:
    return Refused(
        _line(node),
        f"aliases (*name) repeat more than {MAX_ALIASED_VALUES:,} values in this file "
        "(the last one repeats the value anchored here); refused",
    )


def load_topic_yaml(text: bytes) -> Any:
    """Parse a topic file's bytes into plain data; raises `Refused` besides PyYAML's errors.

    A text without a '&' byte has no anchor, so no alias, and skips the alias accounting (a
    Python call per node). The test is sound in every encoding PyYAML reads: '&' is the byte
    0x26 in UTF-8 and one of the two bytes of its UTF-16 code unit.
    """
    _refuse_deep(text)
    loader = _AliasBoundLoader if b"&" in text else TopicLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 (both loaders derive from SafeLoader)


def _may_nest_deep(text: bytes) -> bool:
    """Whether a text could nest collections more than `_SAFE_NESTING` * 2 deep: every level
    opens with `[`, `{`, `-` or `?`, or with more indentation than the level around it, so a
    text with few of those and no deeply indented line cannot. Counting is C speed."""
    indicators = sum(text.count(char) for char in (b"[", b"{", b"-", b"?"))
    return indicators > _SAFE_NESTING or b"\n" + b" " * _SAFE_NESTING in text


def _refuse_deep(text: bytes) -> None:
    """Refuse collections nested more than MAX_DEPTH deep, from libyaml's parse events (its
    parser keeps its own stack, so this pass cannot crash), before any node is composed."""
    if not _may_nest_deep(text):
        return
    depth = 0
    for event in yaml.parse(text, Loader=_CSafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(
                    event.start_mark.line + 1 if event.start_mark else None,
                    f"lists and mappings are nested more than {MAX_DEPTH} deep here; refused",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


class _Unusual(Exception):
    """A node `_plain` leaves to PyYAML's constructor."""


def _plain(loader: TopicLoader, node: yaml.Node) -> Any:
    """The value of a node of plain mappings (scalar keys, none repeated), sequences and the
    scalars of `_SCALARS`; raises `_Unusual` at anything else. Only for a document without
    anchors: a node reached twice would be built twice."""
    kind, tag = type(node), node.tag
    if kind is ScalarNode and tag in _SCALARS:
        return node.value if tag == _STR else loader.yaml_constructors[tag](loader, node)
    if kind is SequenceNode and tag == _SEQ:
        return [_plain(loader, item) for item in node.value]
    if kind is MappingNode and tag == _MAP:
        data = {}
        for key, value in node.value:
            if type(key) is not ScalarNode or key.tag not in _SCALARS:
                raise _Unusual
            data[_plain(loader, key)] = _plain(loader, value)
        if len(data) != len(node.value):
            raise _Unusual
        return data
    raise _Unusual


class TopicLoader(_CSafeLoader):
    """PyYAML's safe loader (C parser when available) that refuses a key repeated in a mapping.

    Counts no aliases: use `load_topic_yaml`, which adds that where a file has anchors.
    """

    builds_plainly: ClassVar[bool] = True
    """Whether a document may be built by `_plain` (only where no node can be reached twice)."""

    def construct_document(self, node: yaml.Node) -> Any:
        """The document's data: built by `_plain` when it can, else by PyYAML's constructor
        (which reports what made `_plain` give up, if it is an error)."""
        if self.builds_plainly:
            with contextlib.suppress(Exception):
                return _plain(self, node)
        return super().construct_document(node)

    def resolve(self, kind: type[yaml.Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """A node's tag, as PyYAML's resolver gives it, without its path resolvers' lookups
        (unless some were added)."""
        if self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        if kind is ScalarNode:
            if implicit[0] and value is not None:
                resolvers = self.yaml_implicit_resolvers
                for first in (value[:1], None):  # resolvers for the first character, then any
                    for tag, pattern in resolvers.get(first, ()):
                        if pattern.match(value):
                            return str(tag)
            return str(self.DEFAULT_SCALAR_TAG)
        if kind is SequenceNode:
            return str(self.DEFAULT_SEQUENCE_TAG)
        return str(self.DEFAULT_MAPPING_TAG)

    def descend_resolver(self, current_node: yaml.Node | None, current_index: Any) -> None:
        """Track the path for path resolvers, if any were added (none are)."""
        if self.yaml_path_resolvers:
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self) -> None:
        """Track the path for path resolvers, if any were added (none are)."""
        if self.yaml_path_resolvers:
            super().ascend_resolver()

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping's dict; a key written twice in it is refused (merged keys may be
        overridden, as YAML intends)."""
        own = node.value  # flatten_mapping removes merge keys from this list in place
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)
        if len(mapping) != len(own) or node.value is not own:
            self._refuse_repeated_key(own)
        return mapping

    def _refuse_repeated_key(self, pairs: list[tuple[yaml.Node, yaml.Node]]) -> None:
        first: dict[Any, yaml.Node] = {}
        for key_node, _ in pairs:
            key = self.constructed_objects[key_node]
            if key in first:
                raise Refused(
                    _line(key_node),
                    f"key {shown(key)} appears twice in one mapping "
                    f"(lines {_line(first[key])} and {_line(key_node)}); "
                    "YAML would keep only the last",
                )
            first[key] = key_node


class _AliasBoundLoader(TopicLoader):
    """`TopicLoader` that also charges every alias by the values it repeats."""

    builds_plainly = False

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliased = 0
        self._sizes: dict[yaml.Node, int] = {}

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Build one node's value; a node built before is an alias, charged by its size."""
        if node in self.constructed_objects:
            self._aliased += self._size(node)
            if self._aliased > MAX_ALIASED_VALUES:
                raise _too_many_aliased(node)
        return super().construct_object(node, deep)

    def _size(self, node: yaml.Node) -> int:
        """Nodes in `node`'s value counting repeats, capped just past the bound; a node inside
        itself counts as past the bound."""
        known = self._sizes.get(node)
        if known is not None:
            return known
        cap = MAX_ALIASED_VALUES + 1
        self._sizes[node] = cap
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                total = min(cap, total + self._size(child))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total = min(cap, total + self._size(key) + self._size(value))
        self._sizes[node] = total
        return total

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        """Resolve merge keys (`<<`), refusing a merge that repeats too many pairs."""
        own = node.value  # merge keys are removed from this list in place
        super().flatten_mapping(node)
        if node.value is not own and len(node.value) - len(own) > MAX_ALIASED_VALUES:
            raise _too_many_aliased(node)
