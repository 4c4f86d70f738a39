"""The episode on a time axis: care courses, procedures with their relief, conditions, each
next step's waiting and eligible windows, and the projected pathway (``episodes timeline``).

matplotlib (the ``plot`` extra) is imported here only, when a picture is drawn, through its
object API (no pyplot, no global state).  The output is deterministic: the SVG's ids come from
a fixed salt, its text stays text (so a test can read the labels) and no date is written in it.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Literal

from pendulum import Date

from ._episode import Episode
from ._events import Care, Condition, Outcome, Procedure
from ._policy import Policy
from ._project import Projection, project
from ._query import Status, next_eligible
from ._time import query_day, shift


class TimelineError(Exception):
    """A picture that cannot be drawn here (matplotlib missing, an unknown format)."""


# Colours a reader tells apart, also in grey print: blues for care, red for conditions,
# black for done, green for eligible, amber for waiting, purple for projected.
_CARE, _CONDITION, _DONE = "#6b9bd1", "#d9534f", "#222222"
_WAIT, _OPEN, _PROJECTED = "#f0ad4e", "#5cb85c", "#7b4fa0"


def timeline(
    episode: Episode,
    policy: Policy,
    as_of: date | str | None = None,
    *,
    relief: float = 90,
    fmt: Literal["svg", "png"] = "svg",
) -> bytes:
    """The picture of ``episode`` under ``policy`` on ``as_of`` (today when ``None``), as SVG or
    PNG bytes: the same input gives the same bytes."""
    if fmt not in ("svg", "png"):
        raise TimelineError(f"a timeline is drawn as svg or png, not {fmt!r}")
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise TimelineError("a timeline needs matplotlib: pip install 'facet-episodes[plot]'") from None
    on = query_day(as_of)
    plan = next_eligible(episode, policy, on)
    projection = project(episode, policy, on, relief=relief)
    with matplotlib.rc_context(
        {"svg.hashsalt": "facet-episodes", "svg.fonttype": "none", "font.size": 9, "path.simplify": False}
    ):
        fig = Figure(figsize=(11, 5.2), dpi=100)
        FigureCanvasAgg(fig)
        _draw(fig, episode, plan, projection, on)
        out = io.BytesIO()
        if fmt == "svg":
            fig.savefig(out, format="svg", metadata={"Date": None})
        else:
            fig.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _draw(fig: Any, episode: Episode, plan: Any, projection: Projection, on: Date) -> None:
    from matplotlib.dates import DateFormatter, MonthLocator, date2num

    def x(d: date) -> float:
        return float(date2num(date(d.year, d.month, d.day)))  # type: ignore[no-untyped-call]

    events = [e for e in episode.events if e.when <= on]
    procedures = [e for e in events if type(e) is Procedure]
    relief = {e.procedure_id: e.relief_percent for e in events if type(e) is Outcome}
    cares = [e for e in events if type(e) is Care]
    conditions = [e for e in events if type(e) is Condition]
    entries = [e for e in plan.entries.values() if e.earliest is not None]

    days = [e.when for e in events] + [on] + [s.date for s in projection.steps]
    days += [e.earliest for e in entries]
    first, last = shift(min(days), -14), shift(max(days), 50)

    def end(d: Date | None) -> Date:
        return d if d is not None else last  # an open course runs to the edge

    lanes = (
        [f"care: {c.care.value.replace('_', ' ')}" for c in cares]
        + [f"condition: {c.condition.value}" for c in conditions]
        + ["procedures done"]
        + [f"next {e.step} ({e.status.value})" for e in entries]
        + ["projected pathway"]
    )
    ax = fig.add_axes((0.2, 0.2, 0.78, 0.7))
    row = {name: len(lanes) - 1 - i for i, name in enumerate(lanes)}

    for c in cares:
        y = row[f"care: {c.care.value.replace('_', ' ')}"]
        ax.barh(y, x(end(c.end)) - x(c.start), left=x(c.start), height=0.5, color=_CARE)
        words = f"{c.start:%b %-d}–{c.end:%b %-d}" if c.end else f"from {c.start:%b %-d}"
        if c.response is not None:
            words += f", {c.response.value}"
        _label(ax, x(c.start), x(end(c.end)), y, words)
    for k in conditions:
        y = row[f"condition: {k.condition.value}"]
        ax.barh(y, x(end(k.end)) - x(k.start), left=x(k.start), height=0.5, color=_CONDITION, alpha=0.8)
        words = f"{k.start:%b %-d}–{k.end:%b %-d}" if k.end else f"from {k.start:%b %-d}"
        _label(ax, x(k.start), x(end(k.end)), y, words)
    y = row["procedures done"]
    for p in procedures:
        ax.plot([x(p.date)], [y], marker="o", markersize=8, color=_DONE)
        got = relief.get(p.id)
        words = f"{p.procedure.value.upper()} {p.date:%b %-d}" + (
            f"\n{got:g}% relief" if got is not None else ""
        )
        ax.annotate(
            words,
            (x(p.date), y),
            xytext=(-7, 0),
            textcoords="offset points",
            va="center",
            ha="right",
            fontsize=8,
        )
    for e in entries:
        y = row[f"next {e.step} ({e.status.value})"]
        if e.earliest > on:
            ax.barh(y, x(e.earliest) - x(on), left=x(on), height=0.5, color=_WAIT)
        opens = max(e.earliest, on)
        close = e.until if e.until is not None else last
        colour = _OPEN if e.status is Status.ELIGIBLE or e.status is Status.WAITING else "#bbbbbb"
        ax.barh(y, x(close) - x(opens), left=x(opens), height=0.5, color=colour, alpha=0.6)
        words = f"from {e.earliest:%b %-d, %Y}" + (f" until {e.until:%b %-d}" if e.until else "")
        ax.text(x(opens) + 2, y, words, va="center", fontsize=8)
    y = row["projected pathway"]
    for i, s in enumerate(projection.steps):
        ax.plot([x(s.date)], [y], marker="D", markersize=8, color=_PROJECTED)
        ax.annotate(
            f"{s.step} {s.date:%b %-d}",
            (x(s.date), y),
            xytext=(4, 10 if i % 2 == 0 else -16),
            textcoords="offset points",
            fontsize=8,
            color=_PROJECTED,
        )
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=_CARE, label="care course"),
            Patch(color=_CONDITION, label="condition"),
            Line2D([], [], marker="o", color=_DONE, linestyle="", label="procedure done"),
            Patch(color=_WAIT, label="waiting"),
            Patch(color=_OPEN, alpha=0.6, label="eligible window"),
            Line2D([], [], marker="D", color=_PROJECTED, linestyle="", label="projected (earliest day)"),
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=6,
        fontsize=8,
        frameon=False,
    )
    ax.axvline(x(on), color="#444444", linestyle="--", linewidth=1)
    ax.text(x(on), len(lanes) - 0.4, f" as of {on}", fontsize=8, va="bottom")

    ax.set_yticks(range(len(lanes)), list(reversed(lanes)))
    ax.set_ylim(-0.7, len(lanes) - 0.1)
    ax.set_xlim(x(first), x(last))
    ax.xaxis.set_major_locator(MonthLocator())  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))  # type: ignore[no-untyped-call]
    ax.grid(axis="x", color="#dddddd")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(
        f"{episode.region.value} episode under {projection.policy}, as of {on}; "
        f"pathway state {plan.state.value}",
        fontsize=10,
        x=0.2,
        ha="left",
    )
    fig.text(0.01, 0.015, f"projection ends: {projection.stop}"[:150], fontsize=7, color="#555555")


def _label(ax: Any, start: float, stop: float, y: float, words: str) -> None:
    """A bar's words: inside where they fit (about 5 days a character at this scale), else after it."""
    if stop - start > 5 * len(words):
        ax.text(start + 2, y, words, va="center", fontsize=8, color="white")
    else:
        ax.text(stop + 2, y, words, va="center", fontsize=8, color="#333333")
