"""An audit works out what every cut shares once (selections, their days, running tallies of
judged relief); what it decides must be what evaluate() decides from a cut of its own.

These histories are longer than the generated episodes of test_properties, and built to move
the tallies every way: outcomes documented weeks after their procedure, several for one
procedure (a later one raising its relief, functional improvement flipping between yes, no and
not documented), procedures sharing a day, every side and several levels.  The growth itself
is measured by tests/benchmarks/bench_audit.py, by hand.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pendulum import Date

import policies
from episodes import audit, evaluate
from episodes._audit import AuditCuts
from episodes._episode import build_record
from episodes._events import Care, Outcome, Procedure, ProcedureKind
from episodes._record import Documented, Prefix, Record, documented
from episodes._rules._base import Compare, Criterion, Ctx, Of
from episodes._rules.care import _NOTHING, CareCourses, CareDuration, _unite
from episodes._rules.findings import ImagingRule
from episodes._rules.outcomes import Percent, PositiveBlocks
from episodes._rules.proposal import LevelsCovered, LevelsNotTreated
from episodes._rules.scope import IfPrior
from episodes._rules.timing import Cap, Count
from episodes._time import Duration
from episodes.testing import EpisodeBuilder, criterion, decide

POLICY_IDS = policies.available()

_LEVELS = ("L3-L4", "L4-L5", "L5-S1")
_RELIEF = (0, 49, 50, 74, 75, 79, 80, 81, 100)

_procedure = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(("mbb", "mbb", "rfa", "esi")),
        "gap": st.sampled_from((0, 1, 7, 13, 14, 30, 90, 183)),
        "levels": st.lists(st.sampled_from(_LEVELS), min_size=1, max_size=2, unique=True),
        "side": st.sampled_from(("bilateral", "left", "right")),
        # each outcome: days after the procedure, relief, functional improvement
        "outcomes": st.lists(
            st.tuples(
                st.sampled_from((0, 1, 20, 200)),
                st.sampled_from(_RELIEF),
                st.sampled_from((True, False, None)),
            ),
            max_size=3,
        ),
        # an event recorded on the procedure's day beside it, for the rules reading care and imaging
        "beside": st.sampled_from((None, None, "pt", "nsaid", "mri", "mri_no_levels", "xray_fracture")),
    }
)

#: What ``beside`` records, given the builder and the day.
_BESIDE = {
    "pt": lambda b, on: b.care(
        "physical_therapy", on, on.add(days=20), "failed", components=["supervised_exercise"]
    ),
    "nsaid": lambda b, on: b.care("nsaid", on, None, None),
    "mri": lambda b, on: b.imaging(on, "mri", levels=["L4-L5"]),
    "mri_no_levels": lambda b, on: b.imaging(on, "mri"),
    "xray_fracture": lambda b, on: b.imaging(on, "xray", findings=["fracture"]),
}


#: A block whose relief is documented after the next block, read by the ablation after both.
_LATE = [
    {
        "kind": "mbb",
        "gap": 0,
        "levels": ["L4-L5"],
        "side": "bilateral",
        "outcomes": [(0, 60, False), (20, 80, True)],
    },
    {"kind": "mbb", "gap": 7, "levels": ["L4-L5"], "side": "left", "outcomes": [(0, 80, None)]},
    {"kind": "rfa", "gap": 30, "levels": ["L4-L5"], "side": "left", "outcomes": []},
]


def _history(specs: list[dict[str, object]]) -> EpisodeBuilder:
    b = EpisodeBuilder("lumbar").onset("2020-01-01").care("physical_therapy", "2020-01-01", "2020-06-01")
    b.exam("2020-06-15", nrs=7, radicular_signs=False)
    b.imaging("2020-06-20", levels=list(_LEVELS))
    on = Date(2020, 7, 1)
    for s in specs:
        on = on.add(days=int(s["gap"]))  # type: ignore[call-overload]
        if s.get("beside"):
            _BESIDE[str(s["beside"])](b, on)
        pid = b.procedure(str(s["kind"]), on, list(s["levels"]), str(s["side"]))  # type: ignore[call-overload]
        for after, relief, fi in s["outcomes"]:  # type: ignore[attr-defined]
            b.outcome(pid, on.add(days=after), relief, fi)
    return b


@pytest.mark.parametrize("policy_id", POLICY_IDS)
@given(specs=st.lists(_procedure, min_size=1, max_size=40))
@example(specs=_LATE)
def test_audit_decides_as_evaluate_does(policy_id: str, specs: list[dict[str, object]]) -> None:
    pol = policies.load(policy_id)
    ep = _history(specs).build()
    done = [e for e in ep.events if type(e) is Procedure]
    found = audit(ep, pol)
    assert len(found) == len(done)
    for p, decision in zip(done, found, strict=True):
        assert decision == evaluate(ep, pol, p)
        # and what each said, read in full
        assert [(c.rule, c.status, c.message) for c in decision.criteria] == [
            (c.rule, c.status, c.message) for c in evaluate(ep, pol, p).criteria
        ]


def test_an_audit_read_backwards_decides_the_same() -> None:
    """The running tallies are begun again when a cut before theirs is read: criteria left to
    be judged when read (after a denial) can be read in any order."""
    pol = policies.load("cohere-neck-pain")
    b = _history([])
    on = Date(2021, 1, 4)
    for i in range(30):
        b.block(on.add(days=14 * i), (90, 60, None)[i % 3], ["L4-L5"], fi=(True, None, False)[i % 2])
    ep = b.build()
    forwards = [[(c.rule, c.status, c.message) for c in d.criteria] for d in audit(ep, pol)]
    backwards = [[(c.rule, c.status, c.message) for c in d.criteria] for d in reversed(audit(ep, pol))]
    assert backwards[::-1] == forwards


def test_a_prefix_reads_as_the_tuple_it_stands_for() -> None:
    items = list("abcdefg")
    for n in range(len(items) + 1):
        for gaps in [(), *(((g,)) for g in range(n)), *((g, h) for g in range(n) for h in range(g + 1, n))]:
            kept = tuple(x for i, x in enumerate(items[:n]) if i not in gaps)
            view = Prefix(items, n, gaps)
            assert len(view) == len(kept)
            assert tuple(view) == kept
            assert view == kept
            assert [view[i] for i in range(-len(kept), len(kept))] == [
                kept[i] for i in range(-len(kept), len(kept))
            ]
            assert all(view[a:b] == kept[a:b] for a in range(-3, 8) for b in range(-3, 8))
            assert view[::2] == kept[::2]
            assert all((x in view) == (x in kept) for x in "abcdefgz")
            with pytest.raises(IndexError):
                view[len(kept)]


def _rules() -> list[Criterion]:
    """A rule of every kind an audit's cuts work out once for, with each way of reading."""
    blocks, any_kind = Of(procedures=(ProcedureKind.MBB,)), Of(procedures=tuple(ProcedureKind))
    found: list[Criterion] = []
    for compare in Compare:
        for fi in (False, True):
            found.append(
                PositiveBlocks(
                    cite="t", count=Count(2), percent=Percent(80), compare=compare, functional_improvement=fi
                )
            )
        for percent in (None, Percent(75)):
            for first in (False, True):
                for count in (1, 2):
                    found.append(
                        LevelsCovered(
                            cite="t", percent=percent, compare=compare, first=first, count=Count(count)
                        )
                    )
        found.append(LevelsNotTreated(cite="t", of=blocks, percent=Percent(50), compare=compare))
    for window in (None, Duration.parse("6 months"), Duration.parse("14 days")):
        found.append(Cap(cite="t", of=any_kind, max=Count(2), window=window))
    found.append(
        IfPrior(
            cite="t",
            of=blocks,
            count=Count(2),
            within=Duration.parse("1 month"),
            criteria=(Cap(cite="t", of=blocks, max=Count(1)),),
        )
    )
    weeks = CareDuration(Duration.parse("6 weeks"))
    for response in ("inadequate", "any"):
        found.append(
            CareCourses(cite="t", kinds=("physical_therapy", "nsaid"), duration=weeks, response=response)
        )
    found.append(
        CareCourses(
            cite="t",
            kinds=("physical_therapy", "nsaid"),
            each_of=(("physical_therapy",), ("nsaid",)),
            components=(("supervised_exercise",),),
            min_courses=Count(2),
            accept_intolerance=True,
        )
    )
    found.append(ImagingRule(cite="t", modalities=("mri",), any_of=("facet_arthropathy",), at_levels=True))
    found.append(
        ImagingRule(
            cite="t", modalities=("mri",), any_of=("facet_arthropathy",), at_levels=True, level_match="some"
        )
    )
    found.append(
        ImagingRule(
            cite="t", modalities=("xray", "mri"), none_of=("fracture",), within=Duration.parse("12 months")
        )
    )
    found.append(
        ImagingRule(cite="t", modalities=("xray",), required=True, within=Duration.parse("6 months"))
    )
    return found


_RULES = _rules()


@settings(max_examples=50)
@given(specs=st.lists(_procedure, min_size=3, max_size=40))
@example(specs=_LATE)
def test_every_cut_of_an_audit_reads_as_a_cut_of_its_own(specs: list[dict[str, object]]) -> None:
    """Rule by rule, and cut by cut in the audit's order: what a rule says of an audit's cut
    (selections, days and tallies running from cut to cut) is what it says of the cut made
    for that procedure alone."""
    ep = _history(specs).build()
    cuts = AuditCuts(ep.events)
    for k, p in enumerate(cuts.procedures):
        shared = Ctx(Record(ep.region, p.date, cuts.before(k)), p.date, p, cuts.same_day(k))
        alone = Ctx(build_record(ep, p.date, audited=p), p.date, p, shared.same_day)
        for rule in _RULES:
            said, meant = rule.check(shared), rule.check(alone)
            assert (said.status, said.message, said.resolves_on) == (
                meant.status,
                meant.message,
                meant.resolves_on,
            ), rule


def _rfa_after_blocks(late: tuple[str, float, bool | None]) -> list[tuple[str, str]]:
    """Centene: two blocks, the first one's relief documented (again) on ``late``'s date, an
    ablation on 2021-02-15; what the audit said of the ablation's block rules."""
    b = _history([])
    first = b.block("2021-01-04", 80, fi=False)  # documented at first without improvement
    b.block("2021-01-18", 80, fi=True)
    when, relief, fi = late
    b.outcome(first, when, relief, fi)
    b.procedure("rfa", "2021-02-15")
    ep = b.build()
    pol = policies.load("centene-facet")
    rfa = audit(ep, pol)[-1]
    assert rfa == evaluate(ep, pol, [e for e in ep.events if type(e) is Procedure][-1])
    return [(c.rule, c.status) for c in rfa.criteria if c.rule in ("positive_blocks", "levels_covered")]


@pytest.mark.parametrize(
    ("late", "positive", "covered"),
    [
        # the first block's improvement documented after the second block, before the ablation
        (("2021-01-25", 80, True), "met", "met"),
        # ... on the ablation's day: it stood before it
        (("2021-02-15", 80, True), "met", "met"),
        # ... the day after: the ablation was done on one positive block
        (("2021-02-16", 80, True), "unmet", "met"),
        # a later outcome with improvement not documented leaves it undocumented
        (("2021-01-25", 80, None), "unknown", "met"),
        # a later outcome at 74% does not lower the 80% documented
        (("2021-01-25", 74, True), "met", "met"),
    ],
)
def test_an_outcome_documented_late_counts_from_its_day(
    late: tuple[str, float, bool | None], positive: str, covered: str
) -> None:
    assert _rfa_after_blocks(late) == [("positive_blocks", positive), ("levels_covered", covered)]


@pytest.mark.parametrize("blocks", [6, 7, 40])
def test_a_message_lists_the_latest_six_and_counts_the_rest(blocks: int) -> None:
    """However long the history, a message names the latest six blocks and counts the
    earlier ones: an audit's words grow with its procedures, not with their square."""
    b = _history([])
    first = Date(2021, 1, 4)
    for i in range(blocks):
        b.block(first.add(days=7 * i), 80 if i % 2 else 60, fi=True)
    ablation = first.add(days=7 * blocks + 7)
    said = criterion(decide(b, policies.load("centene-facet"), "rfa", ablation), "positive_blocks").message
    dates = [first.add(days=7 * i) for i in range(blocks)]
    assert [str(d) in said for d in dates] == [i >= blocks - 6 for i in range(blocks)]
    assert said.startswith(f"{blocks // 2} of the 2 required (mbb) with relief at least 75%")
    assert (f"({blocks - 6} earlier, then mbb on {dates[-6]}: " in said) == (blocks > 6)


def _united_days_by_hand(courses: list[tuple[Date, Date | None]], on: Date) -> tuple[int, Date]:
    """The days courses cover by ``on`` (overlaps once), clipped first and merged after, and
    how far those going on at ``on`` reach: the way the care rule read them before courses
    were united as they came in."""
    spans = sorted((s, min(e, on) if e is not None else on) for s, e in courses if s <= on)
    total, start, end = 0, None, None
    for s, e in spans:
        if end is None or s > end:
            if start is not None and end is not None:
                total += (end - start).days
            start, end = s, e
        elif e > end:
            end = e
    if start is not None and end is not None:
        total += (end - start).days
    ends = [e for s, e in courses if s <= on and (e is None or e > on)]
    reach = Date.min if not ends else Date.max if None in ends else max(e for e in ends if e is not None)
    return total, reach


@given(
    spans=st.lists(st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 30))), max_size=8),
    on=st.integers(0, 100),
)
def test_courses_united_as_they_come_in_cover_what_they_covered(
    spans: list[tuple[int, int | None]], on: int
) -> None:
    """Courses united one by one in order of their start (an audit's cuts take them so) cover
    the days, and reach as far, as the same courses clipped at the date and merged."""
    zero = Date(2021, 1, 1)
    courses = sorted(
        ((zero.add(days=s), None if n is None else zero.add(days=s + n)) for s, n in spans),
        key=lambda c: c[0],
    )
    when = zero.add(days=on)
    seen = [c for c in courses if c[0] <= when]  # a cut holds the courses begun by its date
    united = functools.reduce(
        _unite, [Care(care="physical_therapy", start=s, end=e) for s, e in seen], _NOTHING
    )
    assert (united.days(when), united.reach(when)) == _united_days_by_hand(seen, when)


@given(
    outcomes=st.lists(st.tuples(st.sampled_from(_RELIEF), st.sampled_from((True, False, None))), max_size=5)
)
def test_what_outcomes_document_is_what_they_say_one_by_one(
    outcomes: list[tuple[float, bool | None]],
) -> None:
    """Outcomes added one at a time document the highest relief among them, improvement if
    one shows it, and undocumented improvement if one leaves it so."""
    said = documented(
        Outcome(procedure_id="p1", date=Date(2021, 1, 1), relief_percent=r, functional_improvement=fi)
        for r, fi in outcomes
    )
    flags = [fi for _, fi in outcomes]
    assert said == Documented(max((r for r, _ in outcomes), default=None), True in flags, None in flags)
