"""Prior authorization (sample-pa-64493, Authorization Details): 90 days valid, peer-to-peer in 30."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import policies
from episodes import ProcedureKind
from episodes._authorization import AuthorizationState, AuthorizationTerms, Filed, standing
from episodes._events import Authorization
from episodes.testing import day

TERMS = policies.load("sample-pa-64493").authorization
A = day("2026-01-31")
MBB = ProcedureKind.MBB


def approved(**extra: object) -> Authorization:
    return Authorization(id="a1", procedure="mbb", date=A, status="approved", **extra)  # type: ignore[arg-type]


def at(auths: list[Authorization], on: str, levels: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    assert isinstance(TERMS, AuthorizationTerms)
    return standing(Filed(auths), TERMS, MBB, levels, day(on), "Sample PA 64493")


def test_the_policy_encodes_its_authorization_details() -> None:
    """90 days valid, 30 days for the peer-to-peer review, each citing its part."""
    assert TERMS is not None
    assert (str(TERMS.valid_for), TERMS.cite) == ("90 days", "Authorization Details 1")
    assert (str(TERMS.peer_to_peer_within), TERMS.peer_to_peer_cite) == ("30 days", "Authorization Details 2")
    assert policies.load("centene-facet").authorization is None


def test_the_90th_day_is_valid_and_the_91st_is_not() -> None:
    """Approved on Jan 31 (day 0): day 89 (Apr 30, the 90th day) valid; May 1 (A + 90) expired."""
    last = at([approved()], "2026-04-30")
    assert last.status is AuthorizationState.APPROVED
    assert (last.valid_from, last.valid_through) == (A, day("2026-04-30"))
    after = at([approved()], "2026-05-01")
    assert after.status is AuthorizationState.EXPIRED
    assert "expired on 2026-05-01" in after.message
    assert at([approved()], "2026-01-31").status is AuthorizationState.APPROVED


def test_a_denial_gives_the_30th_day_for_peer_to_peer() -> None:
    """Denied on Jan 31: the review is due by Mar 2 (A + 30 days, across February)."""
    denied = Authorization(id="a1", procedure="mbb", date=A, status="denied")  # type: ignore[arg-type]
    r = at([denied], "2026-03-02")
    assert r.status is AuthorizationState.DENIED
    assert r.peer_to_peer_by == day("2026-03-02")
    assert "by 2026-03-02" in r.message
    assert "Authorization Details 2" in r.citation
    assert "past on" not in r.message
    assert "past on 2026-03-03" in at([denied], "2026-03-03").message


def test_the_events_own_window_and_levels() -> None:
    """valid_from/valid_through given on the event win; levels named limit what is covered."""
    own = approved(valid_from=day("2026-02-10"), valid_through="2026-03-10", levels=["L4-L5"])
    assert at([own], "2026-03-10", ("L4-L5",)).status is AuthorizationState.APPROVED
    assert at([own], "2026-03-11", ("L4-L5",)).status is AuthorizationState.EXPIRED
    assert "before its first valid day" in at([own], "2026-02-09", ("L4-L5",)).message
    assert at([own], "2026-03-01", ("L4-L5", "L5-S1")).status is AuthorizationState.NONE


def test_the_latest_decision_decides_and_other_kinds_do_not_count() -> None:
    """A denial then an approval: approved.  An RFA authorization says nothing of a block."""
    denied = Authorization(id="a0", procedure="mbb", date=day("2026-01-10"), status="denied")  # type: ignore[arg-type]
    assert at([denied, approved()], "2026-02-01").status is AuthorizationState.APPROVED
    rfa = Authorization(id="a2", procedure="rfa", date=A, status="approved")  # type: ignore[arg-type]
    assert at([rfa], "2026-02-01").status is AuthorizationState.NONE
    before = at([approved()], "2026-01-30")
    assert before.status is AuthorizationState.NONE
    assert "approved on 2026-01-31, after 2026-01-30" in before.message


_AUTH = st.builds(
    lambda n, kind, levels, status: (n, kind, levels, status),
    st.integers(0, 120),
    st.sampled_from(("mbb", "rfa")),
    st.sampled_from((None, ("L4-L5",), ("L5-S1",), ("L4-L5", "L5-S1"))),
    st.sampled_from(("approved", "denied")),
)


@given(
    drawn=st.lists(_AUTH, max_size=12),
    on=st.integers(0, 130),
    levels=st.sampled_from(((), ("L4-L5",), ("L4-L5", "L5-S1"))),
)
def test_the_latest_that_covers_decides_among_any(
    drawn: list[tuple[int, str, tuple[str, ...] | None, str]], on: int, levels: tuple[str, ...]
) -> None:
    """Among authorizations of every kind and level, in date order: the one that decides is the
    latest on or before the date that covers the procedure (of a day's, the last recorded), the
    one told of after it the first that covers it; and where the procedure stands is what the
    covering ones alone say."""
    auths = [
        Authorization(
            id=f"a{i}",
            procedure=kind,
            date=A.add(days=n),
            status=status,
            levels=lv,
        )
        for i, (n, kind, lv, status) in enumerate(sorted(drawn, key=lambda x: x[0]))
    ]
    when = A.add(days=on)
    covering = [a for a in auths if a.procedure is MBB and (a.levels is None or set(levels) <= set(a.levels))]
    latest = [a for a in covering if a.date <= when]
    later = [a for a in covering if a.date > when]
    assert Filed(auths).around(MBB, levels, when) == (
        latest[-1] if latest else None,
        later[0] if later else None,
    )
    assert at(auths, str(when), levels) == at(covering, str(when), levels)
