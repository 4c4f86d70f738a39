"""Criteria of the clinical record: imaging, examinations, documentation, conditions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Literal

from attrs import field, frozen
from pendulum import Date

from .._events import Condition, ConditionKind, Exam, ImagingFinding, Modality
from .._time import Duration, day_after, day_before
from ._base import Criterion, Ctx, Say, Verdict, listing, met, unknown, unmet


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
        on, within = ctx.on, self.within
        studies = [s for s in ctx.record.imaging if s.modality in self.modalities]
        if within is not None:
            studies = [s for s in studies if on < within.after(s.date)]
        none_of, any_of = self.none_of, self.any_of
        if none_of:
            shows = next((s for s in studies if any(f in none_of for f in s.findings)), None)
            if shows is not None:
                return unmet(
                    lambda: (
                        f"{shows.modality} on {shows.date} shows "
                        + listing(sorted({f for f in shows.findings if f in none_of}))
                    )
                )
        if any_of:
            studies = [s for s in studies if any(f in any_of for f in s.findings)]
        if not studies:
            if self.any_of or self.required:
                span = f" within {within} before {on}" if within else ""
                return unmet(lambda: f"no {self._wanted}{span}")
            return met(lambda: f"no {listing(self.modalities)} shows {listing(self.none_of)}")
        if self.at_levels and self.any_of:
            # A study with no levels documented may show the finding anywhere: it leaves
            # open only the levels no documented study shows (a plan: every level).
            undocumented = any(s.levels is None for s in studies)
            shown = {lv for s in studies for lv in (s.levels or ())}
            wanted = ctx.proposal.levels if ctx.proposal is not None else ()
            missing = [lv for lv in wanted if lv not in shown]
            if undocumented and (missing or not shown):
                return unknown(lambda: f"levels not documented on the {self._wanted}")
            if missing:
                return unmet(lambda: f"no {self._wanted} at {listing(missing, 'and')}")
        latest = studies[-1]
        until = day_before(within.after(max(s.date for s in studies))) if within is not None else None
        if self.any_of or self.required:
            return met(
                lambda: f"{latest.modality} on {latest.date}: {self._wanted}{_through(until)}", until=until
            )
        return met(
            lambda: (
                f"no {listing(self.modalities)} shows {listing(self.none_of)} "
                f"(latest: {latest.modality} on {latest.date})"
            )
        )

    @cached_property
    def _wanted(self) -> str:
        names = listing(self.modalities)
        return f"{names} showing {listing(self.any_of)}" if self.any_of else names

    def describe(self) -> str:
        parts = [listing(self.modalities)]
        if self.any_of:
            parts.append(f"showing {listing(self.any_of)}")
        if self.none_of:
            parts.append(f"none showing {listing(self.none_of)}")
        if self.within:
            parts.append(f"within {self.within}")
        return " ".join(parts)


def _through(until: Date | None) -> str:
    return f" (counts through {until})" if until else ""


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
        exams = ctx.record.exams
        if not exams:
            return unmet(lambda: f"no exam recorded; {self._wanted} required")
        if self.which == "latest":
            exams = exams[-1:]
        results = [(e, [t.judge(e) for t in self.tests]) for e in exams]
        passed = next((e for e, r in results if all(x is True for x in r)), None)
        if passed is not None:
            return met(lambda: f"exam on {passed.date}: {self._wanted}")
        open_ = [(e, r) for e, r in results if False not in r]
        e, r = open_[-1] if open_ else results[-1]
        if open_:

            def undocumented() -> str:
                missing = [t.field for t, x in zip(self.tests, r, strict=True) if x is None]
                return f"exam on {e.date}: {listing(missing, 'and')} not documented; {self._wanted} required"

            return unknown(undocumented)

        def failing() -> str:
            failed = [str(t) for t, x in zip(self.tests, r, strict=True) if x is False]
            return f"exam on {e.date} fails {listing(failed, 'and')}; {self._wanted} required"

        return unmet(failing)

    @cached_property
    def _wanted(self) -> str:
        return listing([str(t) for t in self.tests], "and") or "an exam"

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
        on, within, documents = ctx.on, self.within, ctx.record.documents
        latest = []
        for item in self.items:
            dates = [d.date for d in documents if d.item == item]
            if within is not None:
                dates = [d for d in dates if on < within.after(d)]
            if not dates:
                return unmet(_no_document(item, within, on))
            latest.append(dates[-1])
        until = day_before(within.after(min(latest))) if within is not None else None
        return met(
            lambda: (
                ", ".join(f"{i} on {d}" for i, d in zip(self.items, latest, strict=True)) + _through(until)
            ),
            until=until,
        )

    def describe(self) -> str:
        within = f" within {self.within}" if self.within else ""
        return f"{listing(list(self.items), 'and')} on file{within}"


def _no_document(item: str, within: Duration | None, on: Date) -> Say:
    return lambda: f"no {item} on file" + (f" within {within} before {on}" if within else "")


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
        if not active:
            return met(lambda: f"none of {listing(self.none_of)} active on {ctx.on}")

        def told() -> str:
            return "; ".join(
                f"{c.condition} active from {c.start} to {c.end or 'no end recorded'}" for c in active
            )

        ends = [c.end for c in active]
        if None in ends:
            return unmet(told)
        return unmet(told, resolves_on=day_after(max(e for e in ends if e is not None)))

    def _at_levels(self, c: Condition, ctx: Ctx) -> bool:
        if not self.at_levels or not c.levels:
            return True
        return ctx.proposal is not None and bool(set(c.levels) & set(ctx.proposal.levels))

    def describe(self) -> str:
        at = " (at the requested levels)" if self.at_levels else ""
        return f"none active of {listing(self.none_of)}{at}"
