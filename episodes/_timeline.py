"""The episode on a time axis (``episodes timeline``): care courses and conditions as bars,
procedures with their relief, each next step's waiting and eligible windows, and the projected
pathway.  Drawn with matplotlib (the ``plot`` extra), the same input giving the same bytes.
"""

from __future__ import annotations

import io
from datetime import date
from operator import attrgetter
from typing import Any

from pendulum import Date

from ._episode import Episode, build_record
from ._errors import EpisodeError
from ._events import Care, Condition
from ._policy import Policy
from ._project import project
from ._query import Status, next_eligible
from ._time import Duration, Unit, query_day, shift

_MONTH = Duration(1, Unit.MONTH)
_START = attrgetter("start")

#: Colours by what a bar shows (colour-blind safe pairs).
_COLOURS = {
    "care": "#7f9fbf",
    "condition": "#d08c60",
    "procedure": "#333333",
    "waiting": "#e8c872",
    "eligible": "#5aa469",
    "projected": "#6a4c93",
}


class PlotUnavailable(EpisodeError):
    """matplotlib is not installed (the ``plot`` extra)."""

    def __str__(self) -> str:
        return "a timeline needs matplotlib: pip install 'facet-episodes[plot]'"


def timeline(episode: Episode, policy: Policy, as_of: date | str | None = None, fmt: str = "svg") -> bytes:
    """The episode's timeline as SVG or PNG bytes."""
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable() from None
    on = query_day(as_of)
    plan = next_eligible(episode, policy, on)
    ahead = project(episode, policy, on)
    record = build_record(episode, on)  # what stood on as_of; a procedure's relief is its to say
    # Each row: its label, its bars (start, end, colour, words), its marks (day, colour, words)
    # and, where it has no bar, its words (a blocked step's reason).
    rows: list[tuple[str, list[tuple[Date, Date, str, str]], list[tuple[Date, str, str]], str]] = []
    spans: list[Care | Condition] = sorted([*record.of(Care), *record.of(Condition)], key=_START)
    for e in spans:  # in order of their start
        end = e.end or on
        if isinstance(e, Care):
            rows.append(
                (f"{e.care}", [(e.start, end, "care", f"{e.start} to {end}, {e.response or '?'}")], [], "")
            )
        else:
            said = f"{e.start} to {e.end or 'ongoing'}"
            rows.append((f"{e.condition}", [(e.start, end, "condition", said)], [], ""))
    marks: list[tuple[Date, str, str]] = []
    for p in record.procedures:
        relief = record.relief(p)
        marks.append(
            (
                p.date,
                "procedure",
                f"{p.procedure} {p.date}" + (f" ({relief:g}%)" if relief is not None else ""),
            )
        )
    if marks:
        rows.append(("procedures done", [], marks, ""))
    horizon = max([on, *(s.date for s in ahead.steps)])
    for kind, entry in plan.entries.items():
        bars: list[tuple[Date, Date, str, str]] = []
        note = ""
        if entry.earliest is not None and entry.status is not Status.BLOCKED:
            if entry.earliest > on:
                bars.append((on, entry.earliest, "waiting", ""))
            last = entry.until or shift(max(entry.earliest, horizon), 30)
            label = f"eligible from {entry.earliest}" + (f" to {entry.until}" if entry.until else "")
            bars.append((entry.earliest, last, "eligible", label))
        else:
            reason = entry.reason()
            note = f"blocked: {reason.rule}" if reason is not None else "blocked"
        rows.append((f"next {kind} ({entry.step}): {entry.status}", bars, [], note))
    if ahead.steps:
        rows.append(("projected", [], [(s.date, "projected", f"{s.step} {s.date}") for s in ahead.steps], ""))
    first = min(
        [on, *(b[0] for _, bars, _, _ in rows for b in bars), *(m[0] for _, _, ms, _ in rows for m in ms)]
    )
    last_day = max([horizon, *(b[1] for _, bars, _, _ in rows for b in bars)])

    # A Figure of its own, and settings for this drawing only: the caller's pyplot state (its
    # backend, its rcParams) is left as it was.
    with rc_context({"svg.hashsalt": "facet-episodes", "svg.fonttype": "none", "font.size": 8}):
        fig = Figure(figsize=(11, 0.45 * len(rows) + 1.6), dpi=100)
        ax = fig.subplots()
        for y, (_, bars, points, note) in enumerate(reversed(rows)):
            for start, end, what, text in bars:
                ax.barh(y, max(x(end) - x(start), 1), left=x(start), height=0.5, color=_COLOURS[what])
                if text:
                    ax.text(x(start) + 2, y, text, va="center", fontsize=7)
            for i, (when, what, text) in enumerate(points):
                ax.plot(x(when), y, marker="D" if what == "projected" else "o", color=_COLOURS[what])
                # staggered, so marks a day apart keep their words apart
                ax.annotate(
                    text, (x(when), y), xytext=(4, 7 + 9 * (i % 2)), textcoords="offset points", fontsize=7
                )
            if note:
                ax.text(x(on) + 2, y, note, va="center", fontsize=7, color="#777777")
        ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
        ax.axvline(x(on), color="#999999", linestyle="--", linewidth=1)
        ax.text(x(on) + 2, -0.7, f"as of {on}", fontsize=7, color="#555555")
        span = max(x(last_day) - x(first), 30)
        ticks = _month_starts(first, shift(first, span))
        ax.set_xticks([x(t) for t in ticks], [t.format("MMM YYYY") for t in ticks])
        ax.set_ylim(-1, len(rows))
        ax.set_xlim(x(first) - 5, x(first) + span + 25)
        ax.set_title(f"{episode.region.value} episode under {policy.id}, as of {on}", fontsize=9)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata=_metadata(fmt))
        return out.getvalue()


def _month_starts(first: Date, last: Date) -> list[Date]:
    """The first days of the months from ``first`` to ``last``, thinned to about eight."""
    months = []
    d = Date(first.year, first.month, 1)
    while d <= last:
        if d >= first:
            months.append(d)
        d = _MONTH.after(d)
    step = max(1, -(-len(months) // 8))  # the ceiling of len / 8
    return months[::step]


def x(d: Date) -> int:
    """A date on the time axis: its ordinal."""
    return d.toordinal()


def _metadata(fmt: str) -> dict[str, Any]:
    # No date, no version: the same input gives the same bytes.
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}
