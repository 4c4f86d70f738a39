"""The episode on a time axis (``episodes timeline``): care courses and conditions as bars,
procedures with their relief, each next step's waiting and eligible windows, and the projected
pathway.  Drawn with matplotlib (the ``plot`` extra), the same input giving the same bytes.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pendulum import Date

from ._episode import Episode, build_record
from ._errors import EpisodeError
from ._events import Care, Condition
from ._policy import Policy
from ._project import project
from ._query import Status, next_eligible
from ._time import query_day, shift

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
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable() from None
    on = query_day(as_of)
    plan = next_eligible(episode, policy, on)
    ahead = project(episode, policy, on)
    rows: list[tuple[str, list[tuple[Date, Date, str, str]], list[tuple[Date, str, str]]]] = []
    notes: dict[int, str] = {}  # a row's words where it has no bar (a blocked step's reason)
    events = [e for e in episode.events if e.when <= on]
    for e in events:
        if type(e) is Care:
            end = e.end or on
            rows.append(
                (f"{e.care}", [(e.start, end, "care", f"{e.start} to {end}, {e.response or '?'}")], [])
            )
        elif type(e) is Condition:
            end = e.end or on
            rows.append(
                (f"{e.condition}", [(e.start, end, "condition", f"{e.start} to {e.end or 'ongoing'}")], [])
            )
    marks: list[tuple[Date, str, str]] = []
    record = build_record(episode, on)  # a procedure's relief is the record's to say
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
        rows.append(("procedures done", [], marks))
    horizon = max([on, *(s.date for s in ahead.steps)])
    for kind, entry in plan.entries.items():
        bars: list[tuple[Date, Date, str, str]] = []
        if entry.earliest is not None and entry.status is not Status.BLOCKED:
            if entry.earliest > on:
                bars.append((on, entry.earliest, "waiting", ""))
            last = entry.until or shift(max(entry.earliest, horizon), 30)
            label = f"eligible from {entry.earliest}" + (f" to {entry.until}" if entry.until else "")
            bars.append((entry.earliest, last, "eligible", label))
        else:
            reason = entry.reason()
            notes[len(rows)] = f"blocked: {reason.rule}" if reason is not None else "blocked"
        rows.append((f"next {kind} ({entry.step}): {entry.status}", bars, []))
    if ahead.steps:
        rows.append(("projected", [], [(s.date, "projected", f"{s.step} {s.date}") for s in ahead.steps]))
    first = min([on, *(b[0] for _, bars, _ in rows for b in bars), *(m[0] for _, _, ms in rows for m in ms)])
    last_day = max([horizon, *(b[1] for _, bars, _ in rows for b in bars)])

    plt.rcParams.update({"svg.hashsalt": "facet-episodes", "svg.fonttype": "none", "font.size": 8})
    fig, ax = plt.subplots(figsize=(11, 0.45 * len(rows) + 1.6), dpi=100)
    try:
        for y, (_, bars, points) in enumerate(reversed(rows)):
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
            note = notes.get(len(rows) - 1 - y)
            if note:
                ax.text(x(on) + 2, y, note, va="center", fontsize=7, color="#777777")
        ax.set_yticks(range(len(rows)), [r[0] for r in reversed(rows)])
        ax.axvline(x(on), color="#999999", linestyle="--", linewidth=1)
        ax.text(x(on) + 2, -0.7, f"as of {on}", fontsize=7, color="#555555")
        span = max(x(last_day) - x(first), 30)
        ticks = _month_starts(first, Date.fromordinal(x(first) + span))
        ax.set_xticks([x(t) for t in ticks], [t.format("MMM YYYY") for t in ticks])
        ax.set_ylim(-1, len(rows))
        ax.set_xlim(x(first) - 5, x(first) + span + 25)
        ax.set_title(f"{episode.region.value} episode under {policy.id}, as of {on}", fontsize=9)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format=fmt, metadata=_metadata(fmt))
        return out.getvalue()
    finally:
        plt.close(fig)


def _month_starts(first: Date, last: Date) -> list[Date]:
    """The first days of the months from ``first`` to ``last``, thinned to about eight."""
    months = []
    d = Date(first.year, first.month, 1)
    while d <= last:
        if d >= first:
            months.append(d)
        d = d.add(months=1)
    step = max(1, len(months) // 8 + (1 if len(months) % 8 else 0))
    return months[::step]


def x(d: Date) -> int:
    """A date on the time axis: its ordinal."""
    return d.toordinal()


def _metadata(fmt: str) -> dict[str, Any]:
    # No date, no version: the same input gives the same bytes.
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}
