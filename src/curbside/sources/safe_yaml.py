"""YAML for untrusted files: the safe loader, with nesting and expansion limits.

`yaml.safe_load` refuses arbitrary objects but not a billion-laughs document (aliases of
aliases: a few hundred bytes that stand for 10^9 nodes, which later code expands into
memory) nor 10,000-deep nesting (a `RecursionError` in the composer). `load` counts the
nodes the document stands for, aliases expanded, and refuses past `max_yaml_nodes`; it
refuses nesting past `max_depth` while composing, before recursion gets deep.
"""

from __future__ import annotations

from typing import Any

import yaml

from curbside.sources.limits import DEFAULT, Limits


class TooComplex(yaml.YAMLError):
    """The document nests too deeply or stands for too many nodes."""


class _Loader(yaml.SafeLoader):
    max_depth = DEFAULT.max_depth
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise TooComplex(f"YAML nested deeper than the max_depth setting "
                                 f"({self.max_depth})")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes `root` stands for with every alias expanded; stops counting past `limit`."""
    sizes: dict[int, int] = {}
    busy: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in busy:
            raise TooComplex("YAML alias refers to itself (a recursive structure)")
        busy.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                break
        busy.discard(key)
        sizes[key] = total
        return total

    return size(root)


def load(text: str, limits: Limits = DEFAULT) -> Any:
    """Parse one YAML document safely; `TooComplex` (a YAMLError) past the limits."""
    loader = _Loader(text)
    loader.max_depth = limits.max_depth
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, limits.max_yaml_nodes) > limits.max_yaml_nodes:
            raise TooComplex(f"YAML stands for more than {limits.max_yaml_nodes} values with "
                             "its aliases expanded (the max_yaml_nodes setting)")
        return loader.construct_document(node)
    finally:
        loader.dispose()
