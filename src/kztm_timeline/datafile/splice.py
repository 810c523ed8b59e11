"""Splicing a new record into the data file's text without changing any other byte.

The record is rendered in the file's own style (:mod:`.yaml_write`), inserted
as an item of a top-level block list, and the new text must compose back to the
old data plus exactly that record, or nothing is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml

from ..errors import DataError, TimelineError
from . import yaml_read
from .yaml_write import Rendered, render_item


@dataclass(frozen=True)
class Splice:
    """The new file text, and where the new item's lines are in it (1-based, inclusive)."""

    text: str
    first_line: int
    last_line: int
    fields: tuple[str, ...]

    @property
    def block(self) -> str:
        """The inserted item's lines, with plain newlines."""
        lines = self.text.split("\n")[self.first_line - 1 : self.last_line]
        return "".join(line.removesuffix("\r") + "\n" for line in lines)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_number(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _list_node(document: yaml_read.Document, key: str) -> tuple[yaml.Node, yaml.Node | None]:
    root = document.root
    assert isinstance(root, yaml.MappingNode)
    for number, (key_node, value_node) in enumerate(root.value):
        if key_node.value == key:
            following = root.value[number + 1][0] if number + 1 < len(root.value) else None
            return value_node, following
    raise TimelineError(f"the data file has no {key}: list")  # pragma: no cover - validation requires it


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


@dataclass(frozen=True)
class ListLayout:
    """How a top-level block list is written, so that an item can be inserted later without composing the
    file: the column of its dashes, where each item's line starts, and where the next top-level key starts
    (None when the list ends the file), and where its key's line starts. Offsets are characters of the text."""

    dash: int
    starts: list[int]
    following: int | None
    key: int  # where the line of the list's key starts


def list_layout(document: yaml_read.Document, key: str) -> ListLayout | None:
    """The layout of the top-level list ``key`` as :func:`insert_item` needs it; None when it is not a block
    list of at least one item, each starting with '- ' on its own line in one column."""
    layout = document.layout
    if layout is None or key not in layout.items or key in layout.flow or len(layout.columns[key]) != 1:
        return None
    items = layout.items[key]
    dash = next(iter(layout.columns[key])) - 2
    if not items or dash < 0:
        return None
    text = document.text
    starts = []
    for index in items:
        start = _line_start(text, index)
        if index - start != dash + 2 or text[start + dash : start + dash + 2] != "- ":
            return None
        starts.append(start)
    names = list(layout.keys)
    after = names.index(key) + 1 if key in layout.keys else len(names)
    following = _line_start(text, layout.keys[names[after]]) if after < len(names) else None
    return ListLayout(dash, starts, following, _line_start(text, layout.keys[key]))


@dataclass(frozen=True)
class Insertion:
    """A new item to put into a block list's text: the characters to insert at offset ``at`` (every later
    offset moves by their number), and where the new item's line will start."""

    at: int
    inserted: str
    item: int
    rendered: Rendered

    @property
    def size(self) -> int:
        return len(self.inserted)

    def apply(self, text: str) -> str:
        return text[: self.at] + self.inserted + text[self.at :]


def insert_item(
    text: str,
    dash: int,
    starts: Callable[[int], int],
    count: int,
    following: int | None,
    position: int,
    record: dict[str, object],
    *,
    blank: bool | None = None,
    crlf: bool = False,
) -> Insertion:
    """Insert ``record`` as item ``position`` of a top-level block list of ``count`` items whose dashes are in
    column ``dash``; ``starts(n)`` is where item n's line starts, ``following`` where the next top-level key
    does (None at the end of the file). Blank lines between items, comments above an item and the file's
    line ends are kept as the file has them. Nothing is checked here: see :func:`splice`; the text itself is
    not copied (a large file need not be held twice). A caller that holds only part of the file, from the
    line of the item before ``position``, gives ``starts`` and ``following`` relative to that part, and
    says whether items are set apart by ``blank`` lines and whether the file's lines end in ``crlf``."""
    newline = "\r\n" if crlf or "\r\n" in text else "\n"  # new lines follow the file's line ends
    rendered = _with_newlines(render_item(record, dash, flow_records=_FLOW), newline)
    if blank is None:  # (given by a caller that holds only part of the text)
        blank = count < 2 or text.endswith(newline * 2, 0, starts(1))
    separator = newline if blank else ""
    if position < count:
        at = _comments_above(text, starts(position))
        return Insertion(at, rendered.text + separator, at, rendered)
    at = len(text) if following is None else following
    while at > 0:
        previous = _line_start(text, at - 1)
        line = text[previous:at]
        if line.strip() and not (_is_comment(line) and len(line) - len(line.lstrip()) <= dash):
            break
        at = previous
    head = "" if at > 0 and text[at - 1] == "\n" else newline
    return Insertion(at, head + separator + rendered.text, at + len(head) + len(separator), rendered)


_FLOW = ("participants", "related")


def splice(document: yaml_read.Document, text: str, key: str, position: int, record: dict[str, object]) -> Splice:
    """Insert ``record`` as item ``position`` of the top-level list ``key``, changing no other byte."""
    node, following = _list_node(document, key)
    newline = "\r\n" if "\r\n" in text else "\n"  # new lines follow the file's line ends
    if isinstance(node, yaml.SequenceNode) and node.flow_style and not node.value:
        rendered = _with_newlines(render_item(record, 2, flow_records=_FLOW), newline)
        start, end = node.start_mark.index, node.end_mark.index
        before = text[:start].rstrip(" ")
        new_text = before + newline + rendered.text + text[end:].lstrip(" ").removeprefix("\r").removeprefix("\n")
        first = _line_number(new_text, len(before) + 1)
        return _checked(document, new_text, key, position, record, first, rendered)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise TimelineError(f"cannot add to the {key}: list as it is written; write it as a block list (one '- ' per item)")
    items = node.value
    dash = items[0].start_mark.column - 2
    for item in items:
        start = _line_start(text, item.start_mark.index)
        if item.start_mark.column != dash + 2 or text[start + dash : start + dash + 2] != "- ":
            raise TimelineError(f"cannot add to the {key}: list as it is written; start each item with '- ' on its own line")
    inserted = insert_item(
        text,
        dash,
        lambda number: _line_start(text, items[number].start_mark.index),
        len(items),
        None if following is None else _line_start(text, following.start_mark.index),
        position,
        record,
    )
    new_text = inserted.apply(text)
    return _checked(document, new_text, key, position, record, _line_number(new_text, inserted.item), inserted.rendered)


def _with_newlines(rendered: Rendered, newline: str) -> Rendered:
    return rendered if newline == "\n" else Rendered(rendered.text.replace("\n", newline), rendered.fields)


def _checked(
    document: yaml_read.Document,
    new_text: str,
    key: str,
    position: int,
    record: dict[str, object],
    first: int,
    rendered: Rendered,
) -> Splice:
    old = document.data
    assert isinstance(old, dict)
    expected = dict(old)
    items = list(old[key]) if isinstance(old[key], list) else []
    items.insert(position, record)
    expected[key] = items
    try:
        new = yaml_read.compose(document.file, new_text).data
    except DataError:
        new = None
    if new != expected:
        raise TimelineError(
            f"cannot insert into {document.file} without changing other lines (unusual layout); add the record by hand"
        )
    return Splice(new_text, first, first + len(rendered.fields) - 1, rendered.fields)


# ---------------------------------------------------------------- replacing and removing items


def _comments_above(text: str, at: int) -> int:
    """``at`` (a line start) moved up over the comment lines directly above it."""
    while at > 0:
        previous = _line_start(text, at - 1)
        if not _is_comment(text[previous:at]):
            break
        at = previous
    return at


def _content_end(text: str, node: yaml.Node) -> int:
    """The end of the last line that holds part of ``node`` (its newline included)."""
    end = node.end_mark.index
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def _block_items(document: yaml_read.Document, key: str) -> list[yaml.Node]:
    node, _ = _list_node(document, key)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style:
        raise TimelineError(f"cannot change the {key}: list as it is written; write it as a block list (one '- ' per item)")
    return list(node.value)


def item_block(document: yaml_read.Document, text: str, key: str, position: int) -> tuple[int, int]:
    """Where item ``position`` of the block list ``key`` is written: from its first line (comments directly
    above it included) to the end of its last line, as character offsets."""
    item = _block_items(document, key)[position]
    return _comments_above(text, _line_start(text, item.start_mark.index)), _content_end(text, item)


def replace_item(document: yaml_read.Document, text: str, key: str, position: int, block: str) -> tuple[str, int]:
    """``text`` with item ``position`` of ``key`` written as ``block`` instead, and the line the block starts
    on. The result must compose to the old data with only that item changed, or a TimelineError says why."""
    start, end = item_block(document, text, key, position)
    newline = "\r\n" if "\r\n" in text else "\n"
    block = block.replace("\r\n", "\n")
    if not block.endswith("\n"):
        block += "\n"
    new_text = text[:start] + block.replace("\n", newline) + text[end:]
    try:
        new = yaml_read.compose(document.file, new_text).data
    except DataError as error:
        raise TimelineError(f"the edited event is not valid YAML: {error.problems[0].message}") from None
    old = document.data
    assert isinstance(old, dict)
    old_items = old.get(key)
    assert isinstance(old_items, list)
    new_items = new.get(key) if isinstance(new, dict) else None
    if (
        not isinstance(new, dict)
        or not isinstance(new_items, list)
        or len(new_items) != len(old_items)
        or new_items[:position] != old_items[:position]
        or new_items[position + 1 :] != old_items[position + 1 :]
        or {k: v for k, v in new.items() if k != key} != {k: v for k, v in old.items() if k != key}
    ):
        raise TimelineError(
            "the edit must stay one event, indented as it was: it may not add, split or remove events or touch other keys"
        )
    return new_text, _line_number(new_text, start)


def remove_items(
    document: yaml_read.Document, text: str, key: str, position: int, links: list[tuple[int, str, int]]
) -> str:
    """``text`` without item ``position`` of ``key``, and without each link ``(item, list key, index)`` (an
    entry of another item's list, such as its ``related``); a list left empty loses its key. Every other
    byte stays; the result must compose to exactly the old data minus those, or a TimelineError says so."""
    items = _block_items(document, key)
    regions: list[tuple[int, int]] = []
    start = _comments_above(text, _line_start(text, items[position].start_mark.index))
    if position + 1 < len(items):
        regions.append((start, _comments_above(text, _line_start(text, items[position + 1].start_mark.index))))
    else:
        while start > 0 and not text[_line_start(text, start - 1) : start].strip():
            start = _line_start(text, start - 1)  # the blank line that separated it from the item before
        regions.append((start, _content_end(text, items[position])))
    expected = document.data
    assert isinstance(expected, dict)
    expected = dict(expected)
    new_items = [dict(item) if isinstance(item, dict) else item for item in expected[key]]
    wanted: dict[tuple[int, str], set[int]] = {}
    for owner, list_key, index in links:
        wanted.setdefault((owner, list_key), set()).add(index)
    for (owner, list_key), indexes in wanted.items():
        mapping = items[owner]
        assert isinstance(mapping, yaml.MappingNode)
        for key_node, value_node in mapping.value:
            if key_node.value != list_key or not isinstance(value_node, yaml.SequenceNode) or value_node.flow_style:
                continue
            if len(indexes) == len(value_node.value):  # the whole key goes
                regions.append((_line_start(text, key_node.start_mark.index), _content_end(text, value_node)))
            else:
                regions += [
                    (_line_start(text, value_node.value[index].start_mark.index), _content_end(text, value_node.value[index]))
                    for index in indexes
                ]
        record = new_items[owner]
        assert isinstance(record, dict)
        remaining = [entry for number, entry in enumerate(record[list_key]) if number not in indexes]
        if remaining:
            record[list_key] = remaining
        else:
            del record[list_key]
    del new_items[position]
    expected[key] = new_items
    new_text = text
    for region_start, region_end in sorted(regions, reverse=True):
        new_text = new_text[:region_start] + new_text[region_end:]
    try:
        composed = yaml_read.compose(document.file, new_text).data
    except DataError:
        composed = None
    if composed != expected:
        raise TimelineError(f"cannot remove from {document.file} without changing other lines (unusual layout); edit it by hand")
    return new_text
