"""Every example in the README and the manual is real output: re-running its command prints what the page shows."""

from __future__ import annotations

from pathlib import Path

import pytest
import render_docs

DOCUMENTS = render_docs.documents()


def test_the_manual_has_a_page_per_subject() -> None:
    names = sorted(path.name for path in DOCUMENTS)
    assert names == ["README.md", "architecture.md", "commands.md", "data.md", "exports.md", "performance.md", "safety.md"]


def test_the_readme_is_a_front_page_of_at_most_250_lines() -> None:
    assert len((render_docs.ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250


def test_the_readme_install_command_is_within_its_first_40_lines() -> None:
    head = (render_docs.ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:40]
    assert "sh install.sh && .venv/bin/timeline list" in head


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (render_docs.ROOT / "README.md").read_text(encoding="utf-8")
    ci = (render_docs.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("sh install.sh test"))
    assert command in ci.splitlines()


@pytest.mark.parametrize("document", DOCUMENTS, ids=[path.name for path in DOCUMENTS])
def test_every_example_is_the_real_output_of_its_command(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    assert render_docs.rendered(text) == text, f"{document.name} drifted; run: python tools/render_docs.py"
