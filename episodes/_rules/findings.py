"""Criteria of the clinical record: imaging, examinations, documentation, conditions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from attrs import field, frozen

from .._events import Condition, ConditionKind, Exam, ImagingFinding, Modality
from .._time import Duration, day_after, day_before
from ._base import Criterion, Ctx, Verdict, listing, met, unknown, unmet


def _modalities(values: Sequence[str]) -> tuple[Modality, ...]:
    return tuple(Modality(v) for v in values)


def _findings(values: Sequence[str]) -> tuple[ImagingFinding, ...]:
    return tuple(ImagingFinding(v) for v in values)


@frozen(kw_only=True)
class ImagingRule(Criterion):
    """Imaging of ``modalities``: one showing ``any_of`` (if given), none showing ``none_of``.

    - ``required``: a study of these modalities must exist (implied by ``any_of``).
    - ``within``: only studies within this time before the date count; the
      window closes (``until``) when the last of them ages out.
    - ``at_levels``: for a proposal, the ``any_of`` finding must be at each
      requested level (unknown where only a study without levels could show
      it); a plan, having no levels, is unknown when no study documents any.
    With no study at all, ``none_of`` alone is met: nothing on record shows it.
    """

    kind = "imaging"
    modalities: tuple[Modality, ...] = field(converter=_modalities)
    any_of: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    none_of: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    required: bool = False
    within: Duration | None = None
    at_levels: bool = False

    def check(self, ctx: Ctx) -> Verdict:
        names = listing(self.modalities)
        studies = [s for s in ctx.record.imaging if s.modality in self.modalities]
        until = None
        if self.within is not None:
            studies = [s for s in studies if ctx.on < self.within.after(s.date)]
        for s in studies:
            hit = set(s.findings) & set(self.none_of)
            if hit:
                return unmet(f"{s.modality} on {s.date} shows {listing(sorted(hit))}")
        span = f" within {self.within} before {ctx.on}" if self.within else ""
        if self.any_of:
            studies = [s for s in studies if set(s.findings) & set(self.any_of)]
            want = f"{names} showing {listing(self.any_of)}"
        else:
            want = names
        if not studies:
            if self.any_of or self.required:
                return unmet(f"no {want}{span}")
            return met(f"no {names} shows {listing(self.none_of)}")
        if self.within is not None:
            until = day_before(max(self.within.after(s.date) for s in studies))
        if self.at_levels and self.any_of:
            # A study with no levels documented may show the finding anywhere: it leaves
            # open only the levels no documented study shows (a plan: every level).
            undocumented = any(s.levels is None for s in studies)
            shown = {lv for s in studies for lv in (s.levels or ())}
            wanted = ctx.proposal.levels if ctx.proposal is not None else ()
            missing = [lv for lv in wanted if lv not in shown]
            if undocumented and (missing or not shown):
                return unknown(f"levels not documented on the {want}")
            if missing:
                return unmet(f"no {want} at {listing(missing, 'and')}")
        latest = studies[-1]
        through = f" (counts through {until})" if until else ""
        if self.any_of or self.required:
            return met(f"{latest.modality} on {latest.date}: {want}{through}", until=until)
        clear = listing(self.none_of)
        return met(f"no {names} shows {clear} (latest: {latest.modality} on {latest.date})")

    def describe(self) -> str:
        parts = [listing(self.modalities)]
        if self.any_of:
            parts.append(f"showing {listing(self.any_of)}")
        if self.none_of:
            parts.append(f"none showing {listing(self.none_of)}")
        if self.within:
            parts.append(f"within {self.within}")
        return " ".join(parts)


_EXAM_FIELDS = frozenset(
    (
        "nrs",
        "facet_signs",
        "radicular_signs",
        "adl_impairment",
        "decreased_rom",
        "impaired_gait",
        "progressive_neuro_deficit",
    )
)


def _field_name(value: str) -> str:
    if value not in _EXAM_FIELDS:
        raise ValueError(f"expected an exam field ({', '.join(sorted(_EXAM_FIELDS))}), got {value!r}")
    return value


@frozen(kw_only=True)
class ExamTest:
    """One test of an exam field: ``equals``, ``is_not`` (null passes), ``at_least``, or recorded."""

    field: str = field(converter=_field_name)
    equals: bool | None = None
    is_not: bool | None = None
    at_least: int | None = None

    def judge(self, exam: Exam) -> bool | None:
        """True passes, False fails, None: the field is not documented."""
        value = getattr(exam, self.field)
        if self.is_not is not None:
            return value is not self.is_not
        if value is None:
            return None
        if self.equals is not None:
            return value is self.equals
        if self.at_least is not None:
            return bool(value >= self.at_least)
        return True

    def __str__(self) -> str:
        if self.is_not is not None:
            return f"{self.field} not {str(self.is_not).lower()}"
        if self.equals is not None:
            return f"{self.field} {str(self.equals).lower()}"
        if self.at_least is not None:
            return f"{self.field} at least {self.at_least}"
        return f"{self.field} recorded"


@frozen(kw_only=True)
class ExamRule(Criterion):
    """An exam (``which = "any"``) or the latest exam (``"latest"``) passing every test."""

    kind = "exam"
    tests: tuple[ExamTest, ...] = field(default=(), converter=tuple)
    which: Literal["any", "latest"] = "any"

    def check(self, ctx: Ctx) -> Verdict:
        exams = list(ctx.record.exams)
        want = listing([str(t) for t in self.tests], "and") or "an exam"
        if not exams:
            return unmet(f"no exam recorded; {want} required")
        if self.which == "latest":
            exams = exams[-1:]
        results = [(e, [t.judge(e) for t in self.tests]) for e in exams]
        for e, r in results:
            if all(x is True for x in r):
                return met(f"exam on {e.date}: {want}")
        open_ = [(e, r) for e, r in results if False not in r]
        if open_:
            e, r = open_[-1]
            missing = [t.field for t, x in zip(self.tests, r, strict=True) if x is None]
            return unknown(f"exam on {e.date}: {listing(missing, 'and')} not documented; {want} required")
        e, r = results[-1]
        failed = [str(t) for t, x in zip(self.tests, r, strict=True) if x is False]
        return unmet(f"exam on {e.date} fails {listing(failed, 'and')}; {want} required")

    def describe(self) -> str:
        which = "latest exam" if self.which == "latest" else "an exam"
        return f"{which}: {listing([str(t) for t in self.tests], 'and') or 'recorded'}"


@frozen(kw_only=True)
class DocumentationRule(Criterion):
    """Each of ``items`` on file (within ``within`` before the date, if given)."""

    kind = "documentation"
    items: tuple[str, ...] = field(converter=tuple)
    within: Duration | None = None

    def check(self, ctx: Ctx) -> Verdict:
        until = None
        found = []
        for item in self.items:
            dates = [d.date for d in ctx.record.documents if d.item == item]
            if self.within is not None:
                dates = [d for d in dates if ctx.on < self.within.after(d)]
            if not dates:
                span = f" within {self.within} before {ctx.on}" if self.within else ""
                return unmet(f"no {item} on file{span}")
            found.append(f"{item} on {dates[-1]}")
            if self.within is not None:
                last = day_before(self.within.after(dates[-1]))
                until = last if until is None else min(until, last)
        through = f" (counts through {until})" if until else ""
        return met(", ".join(found) + through, until=until)

    def describe(self) -> str:
        within = f" within {self.within}" if self.within else ""
        return f"{listing(list(self.items), 'and')} on file{within}"


def _conditions(values: Sequence[str]) -> tuple[ConditionKind, ...]:
    return tuple(ConditionKind(v) for v in values)


@frozen(kw_only=True)
class Conditions(Criterion):
    """None of ``none_of`` active on the date (from ``start`` to ``end`` inclusive).

    With ``at_levels``, a condition recorded at levels counts only for a
    proposal at one of them (a plan, having no levels, leaves it to the proposal).
    """

    kind = "conditions"
    none_of: tuple[ConditionKind, ...] = field(converter=_conditions)
    at_levels: bool = False

    def check(self, ctx: Ctx) -> Verdict:
        active = [
            c
            for c in ctx.record.conditions
            if c.condition in self.none_of and c.active_on(ctx.on) and self._at_levels(c, ctx)
        ]
        if active:
            told = "; ".join(
                f"{c.condition} active from {c.start} to {c.end or 'no end recorded'}" for c in active
            )
            ends = [c.end for c in active]
            if None in ends:
                return unmet(told)
            return unmet(told, resolves_on=day_after(max(e for e in ends if e is not None)))
        return met(f"none of {listing(self.none_of)} active on {ctx.on}")

    def _at_levels(self, c: Condition, ctx: Ctx) -> bool:
        if not self.at_levels or not c.levels:
            return True
        return ctx.proposal is not None and bool(set(c.levels) & set(ctx.proposal.levels))

    def describe(self) -> str:
        at = " (at the requested levels)" if self.at_levels else ""
        return f"none active of {listing(self.none_of)}{at}"
