"""The diagnosis a policy lists as supporting coverage (its ICD-10-CM table)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

from attrs import field, frozen

from .._events import Diagnosis
from .._icd10 import well_formed
from .._record import Pick
from ._base import Criterion, Ctx, Verdict, met, unknown, unmet


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip().upper() for v in values)


def _ranges(values: Iterable[Iterable[str]]) -> tuple[tuple[str, str], ...]:
    out = []
    for pair in values:
        lo, hi = _codes(pair)
        out.append((lo, hi))
    return tuple(out)


def _well_formed(_: object, a: object, value: tuple[str, ...]) -> None:
    for i, code in enumerate(value):
        if not well_formed(code):
            raise ValueError(
                f"[{i}]: {code[:80]!r} is not an ICD-10-CM code (write it with its dot: 'M47.816')"
            )


def _ordered(_: object, a: object, value: tuple[tuple[str, str], ...]) -> None:
    for i, (lo, hi) in enumerate(value):
        if not (well_formed(lo) and well_formed(hi) and lo <= hi):
            raise ValueError(f"[{i}]: expected two ICD-10-CM codes, the lower first ('M54.30', 'M54.32')")


def under(code: str, category: str) -> bool:
    """``code`` is ``category`` or a code under it (``M54.50`` under ``M54.5``; ``M54.5`` under ``M54``)."""
    if code == category:
        return True
    return code.startswith(category if "." in category else category + ".")


@frozen(kw_only=True)
class DiagnosisRule(Criterion):
    """A current ``diagnosis`` on or before the date with a code the policy lists.

    ``codes``: listed codes, matched as written.  ``categories``: a code or any code under it (a
    category whose codes were split later: ``M54.5`` also covers ``M54.50``, ``M54.51``,
    ``M54.59`` of October 2021).  ``ranges``: inclusive pairs (``M54.30``-``M54.32``), a code under
    the upper bound included.  No diagnosis on record is ``unknown`` and names the codes that would
    do; diagnoses on record, none listed (or listed but resolved before the date), is ``unmet``.
    """

    kind = "diagnosis"
    codes: tuple[str, ...] = field(default=(), converter=_codes, validator=_well_formed)
    categories: tuple[str, ...] = field(default=(), converter=_codes, validator=_well_formed)
    ranges: tuple[tuple[str, str], ...] = field(default=(), converter=_ranges, validator=_ordered)

    def __attrs_post_init__(self) -> None:
        if not (self.codes or self.categories or self.ranges):
            raise ValueError("codes: a diagnosis criterion lists at least one code, category or range")

    def supports(self, code: str) -> bool:
        """``code`` is one the policy lists (by code, category or range)."""
        code = code.strip().upper()
        if code in self.codes or any(under(code, c) for c in self.categories):
            return True
        return any(lo <= code <= hi or under(code, hi) for lo, hi in self.ranges)

    def check(self, ctx: Ctx) -> Verdict:
        on = ctx.on
        recorded: Sequence[Diagnosis] = ctx.record.diagnoses
        listed = ctx.record.cut.events(self._pick)
        # the latest listed one current on the date (resolved ones are read back past)
        d = next((d for d in reversed(listed) if d.current_on(on)), None)
        if d is not None:
            return met(lambda: f"diagnosis {d.code} recorded on {d.date}")
        if not recorded:
            return unknown(lambda: f"no diagnosis on record; one of {self.describe_codes()} would do")
        if listed:  # every listed one resolved before the date
            r = listed[-1]
            return unmet(lambda: f"diagnosis {r.code} resolved on {r.end}, before {on}")
        return unmet(
            lambda: (
                f"diagnoses on record ({', '.join(sorted({d.code for d in recorded if d.current_on(on)}))}) "
                f"are none of {self.describe_codes()}"
            )
        )

    @cached_property
    def _pick(self) -> Pick[Diagnosis]:
        """The diagnoses on record whose code the policy lists, picked once."""
        return Pick(Diagnosis, f"diagnosis {self.describe_codes()}", lambda d: self.supports(d.code))

    def describe_codes(self) -> str:
        parts = [*self.codes, *(f"{c} or a code under it" for c in self.categories)]
        parts += [f"{lo} to {hi}" for lo, hi in self.ranges]
        return ", ".join(parts)

    def describe(self) -> str:
        codes = self.codes
        # a care path's whole table: its count and its ends
        parts = [f"{len(codes)} listed codes ({codes[0]} … {codes[-1]})"] if len(codes) > 6 else list(codes)
        parts += [f"{c} or a code under it" for c in self.categories]
        parts += [f"{lo} to {hi}" for lo, hi in self.ranges]
        return f"a diagnosis of {', '.join(parts)}"
