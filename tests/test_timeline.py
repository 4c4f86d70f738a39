"""The timeline picture: what it shows, and the same bytes for the same input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import policies
from episodes import load_episode
from episodes._cli import main
from episodes._timeline import timeline

EXAMPLE = str(Path(__file__).parent.parent / "docs" / "examples" / "lumbar-facet.json")


def svg() -> str:
    ep = load_episode(Path(EXAMPLE).read_text())
    return timeline(ep, policies.load("centene-facet"), "2026-04-10", "svg").decode()


def test_the_svg_names_courses_steps_windows_and_the_projection():
    """Care courses with their dates and response, the block with its relief, the next block's
    window, a blocked step's rule, and the projected steps with their dates, as text."""
    text = svg()
    for words in (
        "2026-01-12 to 2026-03-02, failed",
        "mbb 2026-04-06 (85%)",
        "next mbb (mbb2): waiting",
        "eligible from 2026-04-20",
        "blocked: positive_blocks",
        "rfa 2026-04-21",
        "repeat_rfa 2026-10-21",
        "as of 2026-04-10",
    ):
        assert words in text, words


def test_the_same_input_gives_the_same_bytes():
    """No date or version in the file: two drawings are byte for byte the same."""
    assert svg() == svg()


def test_the_cli_writes_svg_and_png_and_refuses_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    """``episodes timeline ... -o FILE.svg|png`` writes the picture; another suffix is bad input."""
    for name, head in (("t.svg", b"<?xml"), ("t.png", b"\x89PNG")):
        out = tmp_path / name
        assert (
            main(["timeline", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10", "-o", str(out)])
            == 0
        )
        assert out.read_bytes().startswith(head)
    assert main(["timeline", EXAMPLE, "--policy", "centene-facet", "-o", str(tmp_path / "t.pdf")]) == 2
    assert "expected a .svg or .png file" in capsys.readouterr().err


def test_drawing_leaves_the_callers_matplotlib_as_it_was():
    """The timeline draws on a figure of its own with settings of its own: the caller's
    backend and rcParams are what they were."""
    import matplotlib

    before = (matplotlib.get_backend(), dict(matplotlib.rcParams))
    svg()
    assert (matplotlib.get_backend(), dict(matplotlib.rcParams)) == before


def test_a_fresh_process_draws_the_same_bytes():
    """What one process draws, another draws byte for byte (no setting left by an earlier
    drawing in the same process makes them agree)."""
    code = (
        "import sys, policies; from pathlib import Path; from episodes import load_episode; "
        "from episodes._timeline import timeline; "
        f"ep = load_episode(Path({EXAMPLE!r}).read_text()); "
        "sys.stdout.write(timeline(ep, policies.load('centene-facet'), '2026-04-10', 'svg').decode())"
    )
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert fresh == svg()
