"""Hypothesis strategies for episodes, proposals and dates; and a seeded population.

The episodes are what a spine or pain clinic records: a symptom onset, courses
of conservative care (some still open, responses failed, partial, improved or
not documented), imaging and examinations (fields sometimes left blank),
conditions, documentation, and a procedure history along the facet pathway
(blocks two to four weeks apart, then ablations months apart, with outcomes
documented over months) beside an epidural track.  Most of them have done
enough conservative care for a first block, so plans are often eligible or
waiting, not always blocked; their dates lean on month ends and on Feb 29
(2024, 2028), and relief figures lean on the policies' thresholds.

One generator builds them all, written against :class:`Choices`, a single
source of whole numbers: hypothesis draws them for the strategies (so failing
examples shrink towards fewer, plainer events), ``random.Random(seed)`` for
:func:`population` (benchmarks, no hypothesis engine involved).

>>> from hypothesis import given
>>> from episodes.testing.strategies import episodes
>>> @given(episodes(region="lumbar"))
... def test_something(episode): ...
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import hypothesis.strategies as st
import pendulum
from pendulum import Date

import policies

from .._episode import Episode, load_episode
from .._events import LEVELS, Region, region_of
from .._policy import Policy
from .._rules import Criterion
from .._rules.outcomes import PositiveBlocks, Relief, SustainedRelief
from .._rules.proposal import LevelsCovered, LevelsNotTreated
from .._rules.scope import AnyOf, IfPrior
from .._time import Duration, parse_date

T = TypeVar("T")
Event = dict[str, Any]

#: The window episodes begin in (symptom onset); their events run on 1-2 years.
FIRST_ONSET = pendulum.date(2023, 1, 1)
LAST_ONSET = pendulum.date(2028, 6, 30)

#: How far after an event :func:`as_of_dates` looks: the policies' usual intervals.
AS_OF_STEPS = tuple(map(Duration.parse, ("2 weeks", "3 weeks", "3 months", "4 months", "6 months")))
#: The Feb 29s of the years episodes span.
LEAP_DAYS = (pendulum.date(2024, 2, 29), pendulum.date(2028, 2, 29))
#: The last date :func:`dates` draws by default.
LAST_DATE = LAST_ONSET.add(years=2)

#: Relief thresholds the bundled policies use; a policy's own are added to them.
THRESHOLDS = (50.0, 75.0, 80.0)

DOCUMENTS = (
    "history_and_physical",
    "psychosocial_evaluation",
    "pcp_consult",
    "specialist_consult",
    "pt_progress_notes",
    "medication_list",
    "disability_scale",
    "informed_consent",
)
MEDICATIONS = ("acetaminophen", "muscle_relaxant", "oral_steroid", "neuropathic_agent", "opioid")
CONDITIONS = (
    "anticoagulation",
    "uncontrolled_diabetes",
    "local_infection",
    "systemic_infection",
    "coagulopathy",
    "pregnancy",
    "steroid_allergy",
    "anesthetic_allergy",
    "prior_fusion",
    "severe_comorbidity",
)
#: The conditions a clinic records at levels.
LEVELED_CONDITIONS = ("prior_fusion", "local_infection")
FINDINGS = (
    "facet_arthropathy",
    "spondylosis",
    "stenosis",
    "disc_herniation",
    "nerve_impingement",
    "normal",
    "fracture",
    "tumor",
    "infection",
)
PROCEDURES = ("mbb", "rfa", "esi", "ia_facet", "pulsed_rfa", "facet_cyst_aspiration")
SIDES = ("bilateral", "left", "right")

#: The levels of each region, head to tail.
REGION_LEVELS: dict[Region, tuple[str, ...]] = {
    r: tuple(lv for lv in LEVELS if region_of(lv) is r) for r in Region
}
#: Where a clinic most often works, in each region.
_COMMON_LEVEL: dict[Region, str] = {
    Region.LUMBAR: "L4-L5",
    Region.CERVICAL: "C5-C6",
    Region.THORACIC: "T7-T8",
}


class Choices:
    """The generator's one source of randomness: a whole number in a range.

    Coins, picks and dates are all built on :attr:`integer`, so the same
    building code runs on hypothesis (which shrinks each number towards its
    low end: no coin comes up, the first option is picked) and on
    ``random.Random``.
    """

    def __init__(self, integer: Callable[[int, int], int]) -> None:
        self.integer = integer

    @classmethod
    def seeded(cls, rng: random.Random) -> Choices:
        """Choices made by a ``random.Random``."""
        return cls(rng.randint)

    @classmethod
    def drawn(cls, draw: st.DrawFn) -> Choices:
        """Choices drawn by hypothesis inside a composite strategy."""
        return cls(lambda lo, hi: draw(st.integers(lo, hi)))

    def chance(self, p: float) -> bool:
        """``True`` with probability ``p`` (shrinks to ``False``)."""
        return self.integer(0, 999) >= round(1000 * (1 - p))

    def choice(self, options: Sequence[T]) -> T:
        """One of ``options`` (shrinks to the first)."""
        return options[self.integer(0, len(options) - 1)]

    def weighted(self, options: Sequence[tuple[T, int]]) -> T:
        """One of ``options``, each ``(value, weight)`` (shrinks to the first)."""
        roll = self.integer(0, sum(w for _, w in options) - 1)
        for value, weight in options:
            if roll < weight:
                return value
            roll -= weight
        raise AssertionError("unreachable: the roll is below the total weight")

    def some(self, options: Sequence[T], p: float) -> list[T]:
        """Each of ``options`` with probability ``p``, in order."""
        return [o for o in options if self.chance(p)]

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """``items`` in a drawn order (Fisher-Yates)."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.integer(0, i)
            out[i], out[j] = out[j], out[i]
        return out

    def date(self, lo: Date, hi: Date) -> Date:
        """A date from ``lo`` to ``hi``; a month end one time in four, a Feb 29 one in ten."""
        kind = self.integer(0, 19)
        if kind >= 18:
            leap = [d for d in LEAP_DAYS if lo <= d <= hi]
            if leap:
                return self.choice(leap)
        if kind >= 13:
            ends = _month_ends(lo, hi)
            if ends:
                return self.choice(ends)
        return lo.add(days=self.integer(0, (hi - lo).days))

    def as_of(self, days: Sequence[Date], procedures: Sequence[Date] = ()) -> Date:
        """A date to plan on around ``days`` (sorted event dates), often around one of
        ``procedures`` (their dates): see :func:`as_of_dates`."""
        if not days:
            return self.date(FIRST_ONSET, LAST_DATE)
        if self.chance(0.25):
            return self.date(days[0].subtract(days=30), days[-1].add(years=1))
        base = self.choice(procedures if procedures and self.chance(0.5) else days)
        if self.chance(0.5):
            base = self.choice(AS_OF_STEPS).after(base)
        return base.add(days=self.choice((0, 0, -1, 1)))

    def days_near(self, boundary: int, longer: int = 60) -> int:
        """A number of days at a policy's boundary (a day or two either side), or beyond it."""
        if self.chance(0.5):
            return boundary + self.choice((0, 1, -1, 2, 7, 14, -2))
        return boundary + self.integer(0, longer)

    def relief(self, thresholds: Sequence[float]) -> float:
        """A relief percent: often at a threshold or a step either side of it."""
        if self.chance(0.6):
            t = self.choice(thresholds)
            return min(100.0, max(0.0, t + self.choice((0, -1, 1, -5, 5, -0.5, 10, -20))))
        return float(self.integer(0, 20) * 5)

    def maybe_bool(self, p_true: float, p_none: float) -> bool | None:
        """``True``, ``False`` or ``None`` (not documented)."""
        if self.chance(p_none):
            return None
        return self.chance(p_true)


def _month_ends(lo: Date, hi: Date) -> list[Date]:
    """The last days of the months, from ``lo`` to ``hi``."""
    out = []
    d = lo.end_of("month")
    while d <= hi:
        out.append(d)
        d = d.add(days=1).end_of("month")
    return out


def _iso(d: Date) -> str:
    """A date in the wire format."""
    return d.isoformat()


def _when(event: Event) -> str:
    """An event's date in the wire format (the start, for care and conditions)."""
    return str(event.get("date") or event["start"])


_RELIEF_KINDS = (Relief, PositiveBlocks, SustainedRelief, LevelsCovered, LevelsNotTreated)


def policy_thresholds(policy: Policy | None) -> tuple[float, ...]:
    """The relief percents a policy judges by, beside the usual ones (50, 75, 80)."""
    found = set(THRESHOLDS)

    def visit(c: Criterion) -> None:
        if isinstance(c, _RELIEF_KINDS) and c.percent is not None:
            found.add(float(c.percent))
        elif isinstance(c, AnyOf | IfPrior):
            for inner in c.criteria:
                visit(inner)

    if policy is not None:
        for step in policy.steps:
            for rule in policy.rules(step) or ():
                visit(rule.criterion)
    return tuple(sorted(found))


# -- the generator -----------------------------------------------------------------


class _Clinic:
    """Builds one episode's events, in wire format, from a :class:`Choices`."""

    def __init__(
        self,
        g: Choices,
        region: Region,
        thresholds: Sequence[float] = THRESHOLDS,
        ready: bool = False,
        thorough: bool = False,
    ) -> None:
        self.g = g
        self.region = region
        self.thresholds = thresholds
        #: The patient has done the care and work-up a first block needs (mostly).
        self.ready = ready
        #: And the record is thorough: two PT courses, an X-ray, every document on file.
        self.thorough = ready and thorough
        self.ids = 0

    def levels(self, most: int = 3) -> list[str]:
        """A run of adjacent levels of the region, usually at its common levels."""
        levels = REGION_LEVELS[self.region]
        n = self.g.weighted([(1, 4), (2, 4), (3, 2), (4, 1)] if most > 3 else [(1, 4), (2, 4), (3, 2)])
        n = min(n, most, len(levels))
        common = levels.index(_COMMON_LEVEL[self.region])
        start = common if self.g.chance(0.6) else self.g.integer(0, len(levels) - 1)
        start = min(start, len(levels) - n)
        return list(levels[start : start + n])

    # conservative care, work-up and record ------------------------------------

    def course(self, care: str, start: Date, days: int, **extra: Any) -> tuple[Event, Date]:
        """A care course and the date it reaches (open courses reach on)."""
        g = self.g
        end = start.add(days=max(days, 0))
        if self.ready:
            response = g.weighted([("failed", 12), ("partial", 6), (None, 1)])
        else:
            response = g.weighted([("failed", 3), ("improved", 3), ("partial", 2), (None, 2)])
        event: Event = {
            "type": "care",
            "care": care,
            "start": _iso(start),
            "response": response,
            **extra,
        }
        if not g.chance(0.15):
            event["end"] = _iso(end)
        return event, end

    def conservative_care(self, onset: Date) -> tuple[list[Event], list[Event], Date]:
        """The care courses (essential, optional) and when the essential ones are done."""
        g = self.g
        s0 = onset.add(days=g.integer(0, 28))
        essential: list[Event] = []
        optional: list[Event] = []
        done = s0
        ready = self.ready
        p = 0.95 if ready else 0.5

        def add(into: list[Event], care: str, start: Date, boundary: int, **extra: Any) -> None:
            """A course of about ``boundary`` days or more (a ready patient's rarely less)."""
            nonlocal done
            if ready and g.chance(0.8):
                days = boundary + g.integer(0, 60)
            elif not ready and g.chance(0.4):
                days = g.integer(3, 40)  # stopped early
            else:
                days = g.days_near(boundary)
            event, end = self.course(care, start, days, **extra)
            into.append(event)
            if into is essential:
                done = max(done, end)

        if g.chance(p):
            components = ["supervised_exercise", "manual_therapy", "pain_education"]
            if ready:
                components += g.some(["modalities"], 0.5)
            else:
                components = g.some([*components, "modalities"], 0.5)
            first = 84 if self.thorough else g.choice((42, 84))
            add(essential, "physical_therapy", s0, first, components=components)
            if self.thorough or g.chance(0.35):
                second = s0.add(days=g.integer(50, 120))
                add(optional, "physical_therapy", second, 42, components=components)
        if g.chance(p):
            nsaid: dict[str, Any] = {}
            if g.chance(0.1):
                nsaid[g.choice(("not_tolerated", "contraindicated"))] = True
            add(essential, "nsaid", s0.add(days=g.integer(0, 21)), 21, **nsaid)
        if g.chance(p):
            add(essential, "activity_modification", s0.add(days=g.integer(0, 14)), 42)
        if g.chance(0.4):
            add(optional, "home_exercise", s0.add(days=g.integer(0, 60)), 42)
        if g.chance(0.15):
            add(optional, "chiropractic", s0.add(days=g.integer(0, 60)), 42)
        for med in g.some(MEDICATIONS, 0.2):
            add(optional, med, s0.add(days=g.integer(0, 90)), 21)
        return essential, optional, done

    def exam(self, when: Date) -> Event:
        """An examination; a ready patient's shows facet signs without radicular ones."""
        g = self.g
        blank = 0.08 if self.ready else 0.2
        if self.ready:
            fields = {
                "nrs": None if g.chance(blank) else g.integer(4, 9),
                "facet_signs": g.maybe_bool(0.97, blank),
                "radicular_signs": g.maybe_bool(0.05, blank),
                "adl_impairment": g.maybe_bool(0.95, blank),
                "decreased_rom": g.maybe_bool(0.85, blank),
                "impaired_gait": g.maybe_bool(0.7, blank),
                "progressive_neuro_deficit": g.maybe_bool(0.03, blank),
            }
        else:
            fields = {
                "nrs": None if g.chance(blank) else g.integer(0, 10),
                "facet_signs": g.maybe_bool(0.5, blank),
                "radicular_signs": g.maybe_bool(0.4, blank),
                "adl_impairment": g.maybe_bool(0.6, blank),
                "decreased_rom": g.maybe_bool(0.5, blank),
                "impaired_gait": g.maybe_bool(0.4, blank),
                "progressive_neuro_deficit": g.maybe_bool(0.1, blank),
            }
        return {
            "type": "exam",
            "date": _iso(when),
            **{k: v for k, v in fields.items() if v is not None},
        }

    def imaging(self, when: Date, modality: str, levels: list[str]) -> Event:
        """A study: a ready patient's shows facet disease, now and then something else too."""
        g = self.g
        if self.ready:
            findings = g.some(("facet_arthropathy", "spondylosis"), 0.7) or ["facet_arthropathy"]
            findings += g.some(("stenosis", "disc_herniation", "nerve_impingement"), 0.04)
        else:
            findings = g.some(FINDINGS, 0.2) or ["normal"]
        event: Event = {
            "type": "imaging",
            "date": _iso(when),
            "modality": modality,
            "findings": findings,
        }
        if not g.chance(0.1):
            event["levels"] = levels
        return event

    def condition(self, lo: Date, hi: Date, levels: list[str]) -> Event:
        """A condition, mostly ended after a while (an anticoagulant paused, say)."""
        g = self.g
        start = g.date(lo, hi)
        event: Event = {
            "type": "condition",
            "condition": g.choice(CONDITIONS),
            "start": _iso(start),
        }
        if not g.chance(0.3):
            event["end"] = _iso(start.add(days=g.integer(0, 90)))
        if event["condition"] in LEVELED_CONDITIONS and g.chance(0.6):
            event["levels"] = levels[: g.integer(1, len(levels))]
        return event

    # procedures ---------------------------------------------------------------

    def procedure(self, kind: str, when: Date, levels: list[str], side: str) -> Event:
        """A procedure done, with the next id (an ESI with its approach)."""
        self.ids += 1
        event: Event = {
            "type": "procedure",
            "id": f"{kind}-{self.ids}",
            "procedure": kind,
            "date": _iso(when),
            "levels": levels,
            "side": side,
        }
        if kind == "esi":
            event["approach"] = self.g.choice(("transforaminal", "interlaminar", "caudal"))
        return event

    def outcome(self, of: Event, when: Date, relief: float) -> Event:
        """Relief documented after ``of`` (whole percents written as whole numbers)."""
        g = self.g
        percent = int(relief) if relief.is_integer() else relief
        event: Event = {
            "type": "outcome",
            "procedure_id": of["id"],
            "date": _iso(when),
            "relief_percent": percent,
        }
        fi = g.maybe_bool(0.7, 0.25)
        if fi is not None:
            event["functional_improvement"] = fi
        return event

    def block(self, kind: str, when: Date, levels: list[str], side: str) -> list[Event]:
        """A short-acting block: its relief read the same day (and now and then the next)."""
        g = self.g
        done = self.procedure(kind, when, levels, side)
        group = [done]
        if g.chance(0.93):
            group.append(self.outcome(done, when, g.relief(self.thresholds)))
            if g.chance(0.2):
                group.append(self.outcome(done, when.add(days=1), g.relief(self.thresholds)))
        return group

    def lasting(self, kind: str, when: Date, levels: list[str], side: str) -> list[Event]:
        """An ablation (or a lasting injection): follow-ups over months, relief fading."""
        g = self.g
        done = self.procedure(kind, when, levels, side)
        group = [done]
        if g.chance(0.07):
            return group
        relief = g.relief(self.thresholds)
        months = sorted(set(g.some((1, 2, 3, 4, 6, 9, 12), 0.45)) or {1})
        for m in months:
            day = when.add(months=m).add(days=g.choice((0, 0, -1, 1, g.integer(-10, 10))))
            group.append(self.outcome(done, max(day, when), relief))
            relief = max(0.0, relief - g.weighted([(0, 3), (5, 2), (g.integer(10, 40), 2)]))
        return group

    def facet_pathway(self, first: Date, levels: list[str]) -> tuple[list[list[Event]], Date]:
        """Blocks, then perhaps ablations: groups, each a procedure and its outcomes."""
        g = self.g
        stage = g.weighted([("mbb1", 25), ("mbb2", 30), ("rfa", 25), ("repeat_rfa", 20)])
        side = g.weighted([("bilateral", 6), ("left", 2), ("right", 2)])
        groups = [self.block("mbb", first, levels, side)]
        when = first
        blocks = 1 if stage == "mbb1" else 3 if g.chance(0.08) else 2
        for _ in range(blocks - 1):
            when = when.add(days=g.days_near(14, longer=28))
            if g.chance(0.15):
                levels, side = self.levels(), g.choice(SIDES)
            groups.append(self.block("mbb", when, levels, side))
        if stage in ("rfa", "repeat_rfa"):
            when = when.add(days=g.integer(7, 70))
            groups.append(self.lasting("rfa", when, levels, side))
        if stage == "repeat_rfa":
            for _ in range(g.weighted([(1, 3), (2, 1)])):
                if g.chance(0.85):  # six months on, give or take; else early (the audit flags it)
                    when = when.add(months=6).add(days=g.days_near(0, longer=120))
                else:
                    when = when.add(days=g.integer(90, 180))
                groups.append(self.lasting("rfa", when, levels, side))
        return groups, when

    def epidurals(self, lo: Date) -> list[list[Event]]:
        """An ESI track: one to four, about three weeks apart."""
        g = self.g
        when = lo
        groups = []
        levels = self.levels(most=1)
        for _ in range(g.weighted([(1, 3), (2, 3), (3, 2), (4, 1)])):
            groups.append(self.lasting("esi", when, levels, g.choice(SIDES)))
            when = when.add(days=g.days_near(21, longer=90))
        return groups

    # the whole episode ---------------------------------------------------------

    def episode(self, patient_id: str, min_events: int, max_events: int) -> dict[str, Any]:
        """The episode: onset, care and work-up, then the procedures from a first block on."""
        g = self.g
        onset = g.date(FIRST_ONSET, LAST_ONSET)
        target = self.levels(most=4 if g.chance(0.05) else 3)
        events: list[Event] = [{"type": "symptom_onset", "date": _iso(onset)}]
        if g.chance(0.3):
            events[0]["radiating"] = g.chance(0.3)

        essential, optional, care_done = self.conservative_care(onset)
        ready_on = max(onset.add(months=3), care_done)
        first = ready_on.add(days=g.integer(0, 45) if g.chance(0.8) else g.integer(-30, 0))
        if g.chance(0.2):
            first = first.end_of("month")
        workup = (onset.add(days=7), max(onset.add(days=7), first.subtract(days=1)))

        essential.append(self.exam(g.date(*workup)))
        if g.chance(0.9 if self.ready else 0.5):
            essential.append(self.imaging(g.date(*workup), "mri", target))
        if self.thorough or g.chance(0.3):
            optional.append(self.imaging(g.date(*workup), "xray", target))
        if g.chance(0.2):
            optional.append(self.imaging(g.date(*workup), "ct", target))
        for _ in range(g.integer(0, 2)):
            optional.append(self.exam(g.date(onset, first.add(months=6))))
        documented = 0.97 if self.thorough else 0.7 if self.ready else 0.3
        for item in g.some(DOCUMENTS, documented):
            optional.append({"type": "documentation", "item": item, "date": _iso(g.date(*workup))})
        if g.chance(0.1):
            optional.append(
                {
                    "type": "documentation",
                    "item": "rfa_not_candidate",
                    "date": _iso(g.date(*workup)),
                }
            )

        history: list[list[Event]] = []
        last = first
        if g.chance(0.8):
            history, last = self.facet_pathway(first, target)
        if g.chance(0.35):
            # tried before the facet work-up is done, or at any time (radicular pain)
            start = ready_on.add(days=g.integer(-30, 30)) if g.chance(0.5) else None
            history += self.epidurals(start or onset.add(days=g.integer(28, 400)))
        for kind in g.some(("ia_facet", "pulsed_rfa", "facet_cyst_aspiration"), 0.04):
            history.append(self.block(kind, g.date(first, last.add(months=3)), target, "bilateral"))
        history.sort(key=lambda group: _when(group[0]))
        for _ in range(g.weighted([(0, 3), (1, 1), (2, 1)])):
            optional.append(self.condition(onset, last.add(months=6), target))

        optional = g.shuffled(optional)
        while 1 + len(essential) + len(optional) + sum(map(len, history)) > max_events:
            (optional or history or essential).pop()
        while 1 + len(essential) + len(optional) + sum(map(len, history)) < min_events:
            optional.append(self.exam(g.date(onset, last)))
        events += essential + optional + [e for group in history for e in group]
        events.sort(key=_when)
        return {
            "format": "episode/1",
            "patient_id": patient_id,
            "region": self.region.value,
            "events": events,
        }


def _check_counts(min_events: int, max_events: int) -> None:
    """Refuse an impossible number of events before anything is drawn."""
    if not 1 <= min_events <= max_events:
        raise ValueError(f"expected 1 <= min_events <= max_events, got {min_events}, {max_events}")


def build_episode(
    g: Choices,
    region: Region | str | None = None,
    policy: Policy | None = None,
    min_events: int = 5,
    max_events: int = 40,
) -> dict[str, Any]:
    """One episode dict (format ``episode/1``) from the choices ``g``.

    Without ``region``, it is one the ``policy`` covers (nine times in ten) or any.
    """
    _check_counts(min_events, max_events)
    if region is None:
        covered = list(policy.regions) if policy is not None and policy.regions else list(Region)
        region = g.choice(covered) if g.chance(0.9) else g.choice(list(Region))
    ready = g.chance(0.7)
    clinic = _Clinic(g, Region(region), policy_thresholds(policy), ready, g.chance(0.35))
    return clinic.episode(f"p-{g.integer(1, 99999):05d}", min_events, max_events)


# -- the strategies ------------------------------------------------------------------


def dates(min: Date = FIRST_ONSET, max: Date = LAST_DATE) -> st.SearchStrategy[Date]:
    """Pendulum dates from ``min`` to ``max``, leaning on month ends and Feb 29."""
    if max < min:
        raise ValueError(f"expected min <= max, got {min} and {max}")

    @st.composite
    def strategy(draw: st.DrawFn) -> Date:
        return Choices.drawn(draw).date(min, max)

    return strategy()


def episode_dicts(
    region: Region | str | None = None,
    policy: Policy | None = None,
    min_events: int = 5,
    max_events: int = 40,
) -> st.SearchStrategy[dict[str, Any]]:
    """Episodes as wire-format dicts (``format`` ``episode/1``), realistic ones.

    ``region``: the episode's region (default: one the ``policy`` covers, now
    and then another).  ``policy``: its relief thresholds are where outcomes
    cluster.  The number of events is from ``min_events`` to ``max_events``.
    """
    _check_counts(min_events, max_events)

    @st.composite
    def strategy(draw: st.DrawFn) -> dict[str, Any]:
        return build_episode(Choices.drawn(draw), region, policy, min_events, max_events)

    return strategy()


def episodes(
    region: Region | str | None = None,
    policy: Policy | None = None,
    min_events: int = 5,
    max_events: int = 40,
) -> st.SearchStrategy[Episode]:
    """:class:`~episodes.Episode` objects, loaded from :func:`episode_dicts`."""
    return episode_dicts(region, policy, min_events, max_events).map(load_episode)


def proposals(region: Region | str, on: Date | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """A proposed procedure (a wire-format dict for ``evaluate()``) at levels of ``region``.

    On the date ``on`` if given, else on a drawn one.
    """
    where = Region(region)

    @st.composite
    def strategy(draw: st.DrawFn) -> dict[str, Any]:
        g = Choices.drawn(draw)
        clinic = _Clinic(g, where)
        kind = g.choice(PROCEDURES)
        when = on if on is not None else g.date(FIRST_ONSET, LAST_DATE)
        done = clinic.procedure(kind, when, clinic.levels(), g.choice(SIDES))
        return {k: v for k, v in done.items() if k not in ("type", "id")}

    return strategy()


def as_of_dates(episode: Episode | Mapping[str, Any] | None = None) -> st.SearchStrategy[Date]:
    """Dates to plan on: around the episode's events if given, its procedures most.

    An event's date, a day either side of it, or one of the policies' intervals
    after it (2 and 3 weeks, 3, 4 and 6 months, a day either side); else any
    date from before the first event to a year after the last.
    """
    if episode is None:
        return dates()
    if isinstance(episode, Mapping):
        events = [(parse_date(_when(e)), e["type"]) for e in episode["events"]]
    else:
        events = [(e.when, e.type) for e in episode.events]
    days = sorted({d for d, _ in events})
    procedures = sorted({d for d, kind in events if kind == "procedure"})

    @st.composite
    def strategy(draw: st.DrawFn) -> Date:
        return Choices.drawn(draw).as_of(days, procedures)

    return strategy()


def population(
    n: int,
    seed: int,
    policy_ids: Sequence[str] | None = None,
    events: tuple[int, int] = (5, 40),
) -> list[dict[str, Any]]:
    """``n`` episode dicts, the same for the same arguments: a clinic's list, for benchmarks.

    Each episode is built for one of ``policy_ids`` in turn (default: every
    bundled policy), with ``events[0]`` to ``events[1]`` events.
    """
    loaded = [policies.load(pid) for pid in (policy_ids or policies.available())]
    g = Choices.seeded(random.Random(seed))
    return [build_episode(g, None, loaded[i % len(loaded)], *events) for i in range(n)]


__all__ = [
    "Choices",
    "as_of_dates",
    "build_episode",
    "dates",
    "episode_dicts",
    "episodes",
    "policy_thresholds",
    "population",
    "proposals",
]
