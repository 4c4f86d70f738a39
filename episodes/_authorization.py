"""Prior authorization: how long a payer's approval holds, and what a denial asks next.

A policy's ``[authorization]`` table (:class:`AuthorizationTerms`) says how long an approval is
valid and within what time a denial's peer-to-peer review must be completed.  An
``authorization`` event on record is the payer's decision; :func:`standing` reads the latest one
that covers a procedure (its kind, every step of it; its levels, where it names them) on a date.
Authorization never changes a step's status: it is reported beside it, and an approval bounds
the window (``until``).
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from attrs import frozen
from pendulum import Date

from ._events import Authorization, AuthorizationStatus, ProcedureKind
from ._time import Duration, day_before


@frozen(kw_only=True)
class AuthorizationTerms:
    """A policy's ``[authorization]`` table.

    ``valid_for``: an approval is valid on D while D < valid_from + valid_for (so "90 days from
    the date of authorization", that date being day 0, is valid through its 89th day after).
    ``peer_to_peer_within``: after a denial dated A, the review is due by A + this.
    """

    valid_for: Duration
    cite: str
    peer_to_peer_within: Duration | None = None
    peer_to_peer_cite: str | None = None
    text: str | None = None


class AuthorizationState(enum.StrEnum):
    NONE = "none"
    APPROVED = "approved"
    EXPIRED = "expired"
    DENIED = "denied"


@frozen(kw_only=True)
class AuthorizationResult:
    """Where authorization stands for a step on a date (the contract's ``Authorization``).

    ``valid_from``/``valid_through``: the approval's window (for ``approved`` and ``expired``).
    ``peer_to_peer_by``: after a denial, the last day to complete the peer-to-peer review.
    ``message`` says it in plain words, with the dates and the policy section.
    """

    status: AuthorizationState
    valid_from: Date | None = None
    valid_through: Date | None = None
    peer_to_peer_by: Date | None = None
    reference: str | None = None
    message: str = ""
    citation: str = ""


def window(auth: Authorization, terms: AuthorizationTerms) -> tuple[Date, Date]:
    """An approval's first and last valid days (the event's own, else the policy's validity)."""
    start = auth.valid_from or auth.date
    last = auth.valid_through or day_before(terms.valid_for.after(start))
    return start, last


class Filed:
    """An episode's authorizations, grouped by the procedure and the levels they name (each
    group in the order recorded, which is date order): where a request stands is found by
    bisection in each group that covers it, not by reading every authorization."""

    __slots__ = ("_groups",)

    def __init__(self, authorizations: Iterable[Authorization]) -> None:
        #: By procedure and levels named (``None``: every level): each one's date and place
        #: among them all, and the authorizations.
        self._groups: dict[
            tuple[ProcedureKind, frozenset[str] | None], tuple[list[tuple[Date, int]], list[Authorization]]
        ] = {}
        for i, a in enumerate(authorizations):
            named = None if a.levels is None else frozenset(a.levels)
            keys, found = self._groups.setdefault((a.procedure, named), ([], []))
            keys.append((a.date, i))
            found.append(a)

    def around(
        self, kind: ProcedureKind, levels: Sequence[str], on: Date
    ) -> tuple[Authorization | None, Authorization | None]:
        """Of those that cover ``kind`` at ``levels``: the latest on or before ``on`` (of a
        day's, the last recorded), and the first after it."""
        wanted = frozenset(levels)
        before: tuple[tuple[Date, int], Authorization] | None = None
        after: tuple[tuple[Date, int], Authorization] | None = None
        for (of, named), (keys, found) in self._groups.items():
            if of is not kind or (named is not None and not wanted <= named):
                continue
            i = bisect_right(keys, on, key=_day)
            if i and (before is None or keys[i - 1] > before[0]):
                before = (keys[i - 1], found[i - 1])
            if i < len(keys) and (after is None or keys[i] < after[0]):
                after = (keys[i], found[i])
        return (before[1] if before else None), (after[1] if after else None)


def _day(key: tuple[Date, int]) -> Date:
    return key[0]


def standing(
    filed: Filed,
    terms: AuthorizationTerms,
    kind: ProcedureKind,
    levels: Sequence[str],
    on: Date,
    cite: str = "",
) -> AuthorizationResult:
    """Where authorization stands on ``on`` for ``kind`` at ``levels`` (``()``: any level).

    The latest decision on or before ``on`` that covers the procedure decides; a proposal dated
    before an approval's first valid day or after its last is told so.
    """
    auth, later = filed.around(kind, levels, on)
    citation = f"{cite} {terms.cite}".strip()
    if auth is None:
        before = f" ({later.status} on {later.date}, after {on})" if later is not None else ""
        return AuthorizationResult(
            status=AuthorizationState.NONE,
            message=f"no authorization for {kind} on or before {on}{before}; "
            f"an approval is valid for {terms.valid_for}",
            citation=citation,
        )
    ref = f" ({auth.reference})" if auth.reference else ""
    if auth.status is AuthorizationStatus.DENIED:
        within = terms.peer_to_peer_within
        by = within.after(auth.date) if within is not None else None
        p2p_cite = f"{cite} {terms.peer_to_peer_cite or terms.cite}".strip()
        tail = f"; peer-to-peer review to be completed by {by} ({p2p_cite})" if by is not None else ""
        late = f", past on {on}" if by is not None and on > by else ""
        return AuthorizationResult(
            status=AuthorizationState.DENIED,
            peer_to_peer_by=by,
            reference=auth.reference,
            message=f"{kind} denied on {auth.date}{ref}{tail}{late}",
            citation=p2p_cite if by is not None else citation,
        )
    start, last = window(auth, terms)
    span = f"valid {start} through {last}"
    if on > last:
        return AuthorizationResult(
            status=AuthorizationState.EXPIRED,
            valid_from=start,
            valid_through=last,
            reference=auth.reference,
            message=f"{kind} approved on {auth.date}{ref}, {span}: expired on {on}; a new one is needed",
            citation=citation,
        )
    early = f"; {on} is before its first valid day" if on < start else ""
    return AuthorizationResult(
        status=AuthorizationState.APPROVED,
        valid_from=start,
        valid_through=last,
        reference=auth.reference,
        message=f"{kind} approved on {auth.date}{ref}, {span}{early}",
        citation=citation,
    )
