"""The command-line transcripts in README.md and docs/ are what the commands print."""

from __future__ import annotations

import pytest

from tests.transcripts import FILES, ROOT, commands, matches, run

CASES = [
    pytest.param(args, expected, id=f"{path.name}:{' '.join(args)[:60]}")
    for path in FILES
    for _, args, expected in commands(path.read_text(encoding="utf-8"))
]


def test_the_docs_have_transcripts() -> None:
    """The guide and the seed-004 page show commands with their output (this test would pass
    vacuously on docs without any)."""
    assert len(CASES) >= 3
    assert (ROOT / "docs" / "guide.md") in FILES


@pytest.mark.parametrize(("args", "expected"), CASES)
def test_a_transcript_prints_what_the_docs_show(args: list[str], expected: str) -> None:
    """Run the command of the docs and compare; ``...`` lines stand for any lines
    (``python tests/transcripts.py`` rewrites the rest)."""
    _, actual = run(args)
    assert matches(expected, actual), f"episodes {' '.join(args)} now prints:\n{actual}"


def test_an_elision_matches_any_lines_and_nothing_else() -> None:
    """The matcher itself: ``...`` takes any lines, the rest must be equal."""
    assert matches("a\n    ...\nd", "a\nb\nc\nd")
    assert matches("a\n    ...\nd", "a\nd")
    assert not matches("a\n    ...\nd", "a\nb\ne")
    assert not matches("a\nb", "a\nc")
