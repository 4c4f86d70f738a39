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
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

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


def covers(auth: Authorization, kind: ProcedureKind, levels: Sequence[str]) -> bool:
    """``auth`` is for ``kind`` and, where it names levels, for every one of ``levels``."""
    if auth.procedure is not kind:
        return False
    return auth.levels is None or all(lv in auth.levels for lv in levels)


def window(auth: Authorization, terms: AuthorizationTerms) -> tuple[Date, Date]:
    """An approval's first and last valid days (the event's own, else the policy's validity)."""
    start = auth.valid_from or auth.date
    last = auth.valid_through or day_before(terms.valid_for.after(start))
    return start, last


def _date(auth: Authorization) -> Date:
    return auth.date


def _back(items: Sequence[Authorization], end: int) -> Iterator[Authorization]:
    """``items[:end]``, from the last back."""
    return (items[i] for i in range(end - 1, -1, -1))


def by_kind(authorizations: Iterable[Authorization]) -> dict[ProcedureKind, tuple[Authorization, ...]]:
    """Authorizations by the procedure they are for, each kind's in date order (as given)."""
    found: dict[ProcedureKind, list[Authorization]] = {}
    for a in authorizations:
        found.setdefault(a.procedure, []).append(a)
    return {kind: tuple(auths) for kind, auths in found.items()}


def standing(
    authorizations: Sequence[Authorization],
    terms: AuthorizationTerms,
    kind: ProcedureKind,
    levels: Sequence[str],
    on: Date,
    cite: str = "",
) -> AuthorizationResult:
    """Where authorization stands on ``on`` for ``kind`` at ``levels`` (``()``: any level).

    The latest decision on or before ``on`` that covers the procedure decides; a proposal dated
    before an approval's first valid day or after its last is told so.  ``authorizations``
    are in date order (those of ``kind``, or more): they are read from ``on`` back, and
    forward, only as far as the first that covers the procedure.
    """
    at = bisect_right(authorizations, on, key=_date)  # those before ``at`` are on or before ``on``
    auth = next((a for a in _back(authorizations, at) if covers(a, kind, levels)), None)
    citation = f"{cite} {terms.cite}".strip()
    if auth is None:
        later = next((a for a in islice(authorizations, at, None) if covers(a, kind, levels)), None)
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
