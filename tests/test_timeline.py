"""The timeline picture: what it shows (labels and dates in the SVG's text), the same bytes for
the same input, and clear refusals from the command."""

from __future__ import annotations

from pathlib import Path

import pytest

import policies
from episodes import Episode, load_episode
from episodes._cli import main
from episodes._timeline import TimelineError, timeline

EXAMPLE = "docs/examples/lumbar-facet.json"
CENTENE = policies.load("centene-facet")


def example() -> Episode:
    with open(EXAMPLE) as f:
        return load_episode(f.read())


@pytest.fixture(scope="module")
def svg() -> str:
    return timeline(example(), CENTENE, "2026-04-10").decode()


@pytest.mark.parametrize(
    "label",
    [
        "care: physical therapy",
        "Jan 12–Mar 2, failed",
        "condition: anticoagulation",
        "Mar 1–Mar 20",
        "MBB Apr 6",
        "85% relief",
        "next mbb2 (waiting)",
        "from Apr 20, 2026",
        "mbb2 Apr 20",
        "rfa Apr 21",
        "repeat_rfa Oct 21",
        "as of 2026-04-10",
        "under centene-facet",
        "Centene CP.MP.171",
    ],
)
def test_the_svg_names_what_it_draws(svg: str, label: str) -> None:
    """Each care course, condition, procedure with its relief, the next step's window and the
    projected steps appear in the SVG as text, with their dates."""
    assert label in svg


def test_the_same_input_gives_the_same_bytes() -> None:
    """No date, random id or run-dependent value is written: two drawings are byte for byte equal."""
    assert timeline(example(), CENTENE, "2026-04-10") == timeline(example(), CENTENE, "2026-04-10")
    png = timeline(example(), CENTENE, "2026-04-10", fmt="png")
    assert png.startswith(b"\x89PNG")
    assert png == timeline(example(), CENTENE, "2026-04-10", fmt="png")


def test_an_unknown_format_is_refused() -> None:
    """A format other than svg or png is a TimelineError naming it."""
    with pytest.raises(TimelineError, match="'pdf'"):
        timeline(example(), CENTENE, "2026-04-10", fmt="pdf")  # type: ignore[arg-type]


def test_the_command_writes_the_file_and_refuses_other_suffixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`episodes timeline ... -o FILE.svg` writes the picture; `-o FILE.pdf` exits 2 saying why."""
    out = tmp_path / "t.svg"
    args = ["timeline", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10"]
    assert main([*args, "-o", str(out)]) == 0
    assert "mbb2 Apr 20" in out.read_text()
    assert main([*args, "-o", str(tmp_path / "t.pdf")]) == 2
    assert "'.pdf'" in capsys.readouterr().err


def test_missing_matplotlib_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib the error names the `plot` extra."""
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(TimelineError, match=r"facet-episodes\[plot\]"):
        timeline(example(), CENTENE, "2026-04-10")
