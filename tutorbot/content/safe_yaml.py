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
- **A key repeated in one mapping is an error** naming both lines (YAML would silently keep the
  last value). Checked by comparing the built dict's size with the mapping's pairs, so a file
  without repeats pays one `len` per mapping.
"""

from __future__ import annotations

from typing import Any

import yaml

from tutorbot.content.models import shown

MAX_ALIASED_VALUES = 1000
"""Values (nodes) one file may repeat through aliases and merge keys, in all."""

_CSafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    loader = _AliasBoundLoader if b"&" in text else TopicLoader
    return yaml.load(text, Loader=loader)  # noqa: S506 (both loaders derive from SafeLoader)


class TopicLoader(_CSafeLoader):
    """PyYAML's safe loader (C parser when available) that refuses a key repeated in a mapping.

    Counts no aliases: use `load_topic_yaml`, which adds that where a file has anchors.
    """

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
