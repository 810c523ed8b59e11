"""Scanning a data file a section at a time (issue 28): recording where each item lies read the 844 MB file of
1,000,000 events through a memory map whole, and its pages counted in the peak memory of a first read (1,964 MiB
against a limit of 1 GiB). The scans now go a section at a time and let each section's pages go; they must find
exactly what one scan of the whole file finds, wherever the sections fall."""

from __future__ import annotations

import mmap
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kztm_timeline.cache import spans
from kztm_timeline.datafile import items

LINES = st.sampled_from(
    [
        *("events:\n", "  - id: a\n", "    title: x\n", "  -\n", "\n", "# note\n", "sources:\n", "  -x\n", " events: 1\n"),
        *("events: # c\n", "   - y\n", "  - \n", "events:\r\n"),
    ]
)
TEXTS = st.lists(LINES, max_size=40).map(lambda lines: "".join(lines).encode())


def whole_events_key(buffer: bytes) -> int | None:
    """What ``events_key`` answered when it searched the whole file in one go."""
    pattern = re.compile(rb"(?:^|\n)events:[ \t]*(?:#[^\n]*)?\r?\n")
    found = pattern.search(buffer)
    if found is None or pattern.search(buffer, found.end() - 1) is not None:
        return None
    return found.start() + 1 if buffer[found.start() : found.start() + 1] == b"\n" else found.start()


@settings(max_examples=300)
@given(TEXTS, st.integers(min_value=1, max_value=4), st.integers(min_value=1, max_value=50))
def test_a_scan_a_section_at_a_time_finds_what_one_scan_finds(text: bytes, dash: int, section: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(items, "SECTION", section)
        for pattern in (re.compile(rb"\n {%d}-[ \r\n]" % dash), items._unsafe(dash), re.compile(rb"\n[^ #\r\n]")):
            found = [(match.start(), match.end()) for match in items.scan(pattern, text, 0, len(text), dash + 3)]
            assert found == [(match.start(), match.end()) for match in pattern.finditer(text, 0, len(text))]


@settings(max_examples=300)
@given(TEXTS, st.integers(min_value=1, max_value=50))
def test_the_events_line_is_found_a_section_at_a_time_as_in_one_scan(text: bytes, section: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(items, "SECTION", section)
        assert spans.events_key(text) == whole_events_key(text)


@settings(max_examples=200)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=64))
def test_the_digest_of_a_file_a_section_at_a_time_is_its_sha256(data: bytes, section: int) -> None:
    import hashlib

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(items, "SECTION", section)
        assert items.digest_of(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("let_go", [True, False], ids=["sections let go", "nothing let go (the test can fail)"])
def test_the_pages_of_a_scanned_section_leave_the_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, let_go: bool) -> None:
    if not let_go:
        monkeypatch.setattr(items, "let_go", lambda *_: None)
    path = tmp_path / "big"
    path.write_bytes(b"  - x\n" * (8 << 20))  # 48 MiB: more than a section
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buffer:
        assert items.digest_of(buffer)
        assert (resident_pages(buffer) * mmap.PAGESIZE < items.SECTION) is let_go


def resident_pages(buffer: mmap.mmap) -> int:
    """How many pages of the mapping are in this process's memory (from /proc/self/smaps, the mapping's Rss)."""
    size = len(buffer)
    total = 0
    lines = Path("/proc/self/smaps").read_text().splitlines()
    for number, line in enumerate(lines):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 6 and fields[-1].endswith("/big"):
            low, high = (int(part, 16) for part in fields[0].split("-"))
            if high - low >= size:
                rss = next(entry for entry in lines[number + 1 :] if entry.startswith("Rss:"))
                total += int(rss.split()[1]) * 1024 // mmap.PAGESIZE
    return total
