"""Criteria of the clinical record: imaging, examinations, documentation, conditions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Literal

from attrs import field, frozen
from pendulum import Date

from .._events import (
    EXAM_FIELDS,
    Condition,
    ConditionKind,
    Documentation,
    Exam,
    Imaging,
    ImagingFinding,
    Modality,
)
from .._record import Pick, count_keys
from .._time import Duration, day_after, day_before
from ._base import Criterion, Ctx, Levels, Say, Verdict, listing, met, non_empty, unknown, unmet


def _modalities(values: Sequence[str]) -> tuple[Modality, ...]:
    return tuple(Modality(v) for v in values)


def _findings(values: Sequence[str]) -> tuple[ImagingFinding, ...]:
    return tuple(ImagingFinding(v) for v in values)


@frozen(kw_only=True)
class ImagingRule(Criterion):
    """Imaging of ``modalities``: one showing ``any_of`` (if given) and every one of ``all_of``
    (if given), none showing ``none_of``.

    - ``required``: a study of these modalities must exist (implied by ``any_of``/``all_of``).
    - ``within``: only studies within this time before the date count; the
      window closes (``until``) when the last of them ages out.
    - ``at_levels``: for a proposal, the wanted findings must be at each requested level
      (``level_match = "some"``: at one of them at least); unknown where only a study
      without levels could show them.  A plan is unknown when no study documents any level,
      and is eligible only at the levels a study shows them.
    With no study at all, ``none_of`` alone is met: nothing on record shows it.
    """

    kind = "imaging"
    modalities: tuple[Modality, ...] = field(converter=_modalities, validator=non_empty)
    any_of: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    all_of: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    none_of: tuple[ImagingFinding, ...] = field(default=(), converter=_findings)
    required: bool = False
    within: Duration | None = None
    at_levels: bool = False
    level_match: Literal["each", "some"] = "each"

    def _studies(self, ctx: Ctx, which: Literal["any", "excluded", "shown"]) -> Sequence[Imaging]:
        """The studies of these modalities on record (``excluded``: those showing ``none_of``;
        ``shown``: those showing what the rule wants), within ``within`` before the date."""
        studies = ctx.record.cut.events(self._picks[which])
        return studies if self.within is None else self.within.counting(studies, ctx.on, _dated)

    @cached_property
    def _picks(self) -> dict[str, Pick[Imaging]]:
        """Each choice of studies, made once: any of these modalities; among them, those
        showing ``none_of``, and those showing what the rule wants."""
        modalities, any_of, all_of, none_of = self.modalities, self.any_of, self.all_of, self.none_of

        def shown(s: Imaging) -> bool:
            return (not any_of or any(f in any_of for f in s.findings)) and all(
                f in s.findings for f in all_of
            )

        key = f"imaging {','.join(modalities)}"
        every = Pick(Imaging, key, lambda s: s.modality in modalities)
        excluded = Pick(
            Imaging,
            f"{key} none_of {','.join(none_of)}",
            lambda s: any(f in none_of for f in s.findings),
            every,
        )
        wanted = Pick(Imaging, f"{key} any_of {','.join(any_of)} all_of {','.join(all_of)}", shown, every)
        return {"any": every, "excluded": excluded, "shown": wanted}

    def _levels(self, ctx: Ctx) -> tuple[bool, frozenset[str]]:
        """Of the studies showing what the rule wants: whether one documents no levels, and the
        levels they document."""
        if self.within is None:  # all on record: counted once for an audit's cuts
            found = ctx.record.cut.count(self._picks["shown"], "levels", _levels_of)
        else:
            found = count_keys(self._studies(ctx, "shown"), _levels_of)
        return None in found, frozenset(lv for lv in found if lv is not None)

    def check(self, ctx: Ctx) -> Verdict:
        on, within = ctx.on, self.within
        none_of = self.none_of
        wants = bool(self.any_of or self.all_of)
        if none_of:
            excluded = self._studies(ctx, "excluded")
            if excluded:
                shows = excluded[0]
                return unmet(
                    lambda: (
                        f"{shows.modality} on {shows.date} shows "
                        + listing(sorted({f for f in shows.findings if f in none_of}))
                    )
                )
        studies = self._studies(ctx, "shown" if wants else "any")
        if not studies:
            if wants or self.required:
                span = f" within {within} before {on}" if within else ""
                return unmet(lambda: f"no {self._wanted}{span}")
            return met(lambda: f"no {listing(self.modalities)} shows {listing(self.none_of)}")
        if self.at_levels and wants:
            # A study with no levels documented may show the finding anywhere: it leaves
            # open only the levels no documented study shows (a plan: every level).
            undocumented, shown = self._levels(ctx)
            wanted = ctx.proposal.levels if ctx.proposal is not None else ()
            missing = [lv for lv in wanted if lv not in shown]
            if self.level_match == "some" and len(missing) < len(wanted):
                missing = []
            if undocumented and (missing or not shown):
                return unknown(lambda: f"levels not documented on the {self._wanted}")
            if missing:
                return unmet(lambda: f"no {self._wanted} at {listing(missing, 'and')}")
        latest = studies[-1]  # the latest: studies are in date order
        until = day_before(within.after(latest.date)) if within is not None else None
        if wants or self.required:
            return met(
                lambda: f"{latest.modality} on {latest.date}: {self._wanted}{_through(until)}", until=until
            )
        return met(
            lambda: (
                f"no {listing(self.modalities)} shows {listing(self.none_of)} "
                f"(latest: {latest.modality} on {latest.date})"
            )
        )

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        if not (self.at_levels and (self.any_of or self.all_of)):
            return None
        _, shown = self._levels(ctx)
        if not shown:
            return None  # no level documented: the check says unknown (or unmet, with no study)
        return Levels(shown, frozenset(), lambda: f"only {listing(sorted(shown), 'and')} ({self._wanted})")

    @cached_property
    def _wanted(self) -> str:
        names = listing(self.modalities)
        findings = []
        if self.any_of:
            findings.append(listing(self.any_of))
        if self.all_of:
            findings.append(listing(self.all_of, "and"))
        shown = f"{names} showing {' and '.join(findings)}" if findings else names
        if self.at_levels and findings:
            shown += " at a requested level" if self.level_match == "some" else " at the requested levels"
        return shown

    def describe(self) -> str:
        parts = [listing(self.modalities)]
        if self.any_of:
            parts.append(f"showing {listing(self.any_of)}")
        if self.all_of:
            parts.append(f"showing {listing(self.all_of, 'and')}")
        if self.at_levels and (self.any_of or self.all_of):
            parts.append("at a requested level" if self.level_match == "some" else "at each requested level")
        if self.none_of:
            parts.append(f"none showing {listing(self.none_of)}")
        if self.within:
            parts.append(f"within {self.within}")
        return " ".join(parts)


def _dated(s: Imaging) -> Date:
    return s.date


def _levels_of(s: Imaging) -> Iterable[str | None]:
    """What a study adds to a count of levels: each it documents once (``None``: none)."""
    return set(s.levels) if s.levels is not None else (None,)


def _through(until: Date | None) -> str:
    return f" (counts through {until})" if until else ""


_EXAM_FIELDS = frozenset(EXAM_FIELDS)


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
    """Exams passing every test: for each field tested, the latest exam on or before the date
    that records it decides it (an older exam never outweighs a newer one that records the
    field).  No exam at all is unmet; exams that leave a field null leave it unknown.  With no
    tests, an exam recorded.  ``which`` is kept for files that set it: ``"any"`` and
    ``"latest"`` read alike.
    """

    kind = "exam"
    tests: tuple[ExamTest, ...] = field(default=(), converter=tuple)
    which: Literal["any", "latest"] = "any"

    def check(self, ctx: Ctx) -> Verdict:
        exams = ctx.record.exams
        if not exams:
            return unmet(lambda: f"no exam recorded; {self._wanted} required")
        if not self.tests:
            latest = exams[-1]
            return met(lambda: f"exam on {latest.date}")
        # Each field is decided by the latest exam that records it: a newer finding outweighs an
        # older one.  A field no exam records is not documented (an ``is_not`` test passes it).
        decided: list[tuple[ExamTest, Exam | None, bool | None]] = []
        for t in self.tests:
            deciding = next((e for e in reversed(exams) if getattr(e, t.field) is not None), None)
            decided.append((t, deciding, t.judge(deciding if deciding is not None else exams[-1])))
        failed = [(t, e) for t, e, x in decided if x is False]
        if failed:

            def failing() -> str:
                return (
                    "; ".join(f"exam on {e.date if e else '-'} fails {t}" for t, e in failed)
                    + f"; {self._wanted} required"
                )

            return unmet(failing)
        missing = [t.field for t, _, x in decided if x is None]
        if missing:
            return unknown(
                lambda: (
                    f"{listing(missing, 'and')} not documented on any exam (the latest on "
                    f"{exams[-1].date}); {self._wanted} required"
                )
            )

        def passing() -> str:
            by: dict[Date, list[str]] = {}
            for t, e, _ in decided:
                by.setdefault(e.date if e is not None else exams[-1].date, []).append(str(t))
            return "; ".join(f"exam on {d}: {listing(v, 'and')}" for d, v in sorted(by.items()))

        return met(passing)

    @cached_property
    def _wanted(self) -> str:
        return listing([str(t) for t in self.tests], "and") or "an exam"

    def describe(self) -> str:
        tests = listing([str(t) for t in self.tests], "and") or "recorded"
        return f"exam (the latest recording each field): {tests}"


@frozen(kw_only=True)
class DocumentationRule(Criterion):
    """Each of ``items`` on file (within ``within`` before the date, if given)."""

    kind = "documentation"
    items: tuple[str, ...] = field(converter=tuple, validator=non_empty)
    within: Duration | None = None

    def check(self, ctx: Ctx) -> Verdict:
        on, within, cut = ctx.on, self.within, ctx.record.cut
        latest = []
        for item, pick in zip(self.items, self._picks, strict=True):
            filed = cut.events(pick)
            # the latest is the last to age out of the window: if it has, every one has
            if not filed or (within is not None and on >= within.after(filed[-1].date)):
                return unmet(_no_document(item, within, on))
            latest.append(filed[-1].date)
        until = day_before(within.after(min(latest))) if within is not None else None
        return met(
            lambda: (
                ", ".join(f"{i} on {d}" for i, d in zip(self.items, latest, strict=True)) + _through(until)
            ),
            until=until,
        )

    @cached_property
    def _picks(self) -> tuple[Pick[Documentation], ...]:
        """Each item's documents on file, picked once."""
        return tuple(Pick(Documentation, f"documentation {item}", _filed(item)) for item in self.items)

    def describe(self) -> str:
        within = f" within {self.within}" if self.within else ""
        return f"{listing(list(self.items), 'and')} on file{within}"


def _filed(item: str) -> Callable[[Documentation], bool]:
    return lambda d: d.item == item


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
    none_of: tuple[ConditionKind, ...] = field(converter=_conditions, validator=non_empty)
    at_levels: bool = False

    def check(self, ctx: Ctx) -> Verdict:
        active = [
            c for c in ctx.record.cut.events(self._pick) if c.active_on(ctx.on) and self._at_levels(c, ctx)
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

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        """In a plan: the levels of the active conditions recorded at levels are ruled out."""
        if not self.at_levels:
            return None
        active = [c for c in ctx.record.cut.events(self._pick) if c.levels and c.active_on(ctx.on)]
        if not active:
            return None
        ends = [c.end for c in active]
        frees = None if None in ends else day_after(max(e for e in ends if e is not None))
        without = frozenset(lv for c in active for lv in c.levels or ())

        def said() -> str:
            return "not " + "; ".join(
                f"{listing(list(c.levels or ()), 'and')} ({c.condition} from {c.start} to "
                f"{c.end or 'no end recorded'})"
                for c in active
            )

        return Levels(None, without, said, frees=frees)

    @cached_property
    def _pick(self) -> Pick[Condition]:
        """The conditions of ``none_of`` on record, picked once."""
        none_of = self.none_of
        return Pick(Condition, f"conditions {','.join(sorted(none_of))}", lambda c: c.condition in none_of)

    def _at_levels(self, c: Condition, ctx: Ctx) -> bool:
        if not self.at_levels or not c.levels:
            return True
        return ctx.proposal is not None and bool(set(c.levels) & set(ctx.proposal.levels))

    def describe(self) -> str:
        at = " (at the requested levels)" if self.at_levels else ""
        return f"none active of {listing(self.none_of)}{at}"
