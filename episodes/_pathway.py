"""The facet pathway's vocabulary, and the one ``transitions`` machine for every episode.

This module owns the pathway's words: the steps and the procedure each is a
step of, the order of a kind's steps (``step_for``), the states, the moves
between them with their guard, and the next facet step that judges a block.  Every other module,
tests included, imports them from here.

The machine is defined once, at import, with no model attached.  A query
replays an episode's procedures on a throwaway :class:`_Walker` (a two-slot
object) through the machine's own events, so nothing is kept after the query
and no ``Machine`` is ever built per episode.  Replays are memoised on the
sequence of moves and the guard's answer for the latest block, which is all
the state depends on: most of a clinic's episodes share a handful of keys,
so the machine runs rarely.

History is replayed leniently: every recorded procedure moves the state,
whether or not it met the policy (the audit reports that separately).
"""

from __future__ import annotations

import enum
from functools import lru_cache
from typing import Literal, get_args

from transitions import Machine

from ._events import ProcedureKind

StepName = Literal[
    "mbb1",
    "mbb2",
    "mbb_subsequent",
    "rfa",
    "repeat_rfa",
    "ia_facet",
    "pulsed_rfa",
    "esi",
    "facet_cyst_aspiration",
]

#: Every step, in the order a reader meets them (reports list steps in this order).
STEPS: tuple[StepName, ...] = get_args(StepName)

#: The procedure each step is a step of.
PROCEDURE_OF_STEP: dict[str, ProcedureKind] = {
    "mbb1": ProcedureKind.MBB,
    "mbb2": ProcedureKind.MBB,
    "mbb_subsequent": ProcedureKind.MBB,
    "rfa": ProcedureKind.RFA,
    "repeat_rfa": ProcedureKind.RFA,
    "esi": ProcedureKind.ESI,
    "ia_facet": ProcedureKind.IA_FACET,
    "pulsed_rfa": ProcedureKind.PULSED_RFA,
    "facet_cyst_aspiration": ProcedureKind.FACET_CYST_ASPIRATION,
}

#: The procedures of the facet pathway: a plan always speaks of their next step, covered or not.
FACET_PROCEDURES = (ProcedureKind.MBB, ProcedureKind.RFA)

#: The steps whose levels are, unless a rule says otherwise, those of the latest diagnostic block
#: (a second block repeats the first; an ablation treats what the blocks located).
BLOCK_LEVEL_STEPS = frozenset(("mbb2", "rfa"))

#: The step a procedure of a kind is, by how many of that kind came before it.
_COUNTED_STEPS: dict[ProcedureKind, tuple[StepName, ...]] = {
    ProcedureKind.MBB: ("mbb1", "mbb2", "mbb_subsequent"),
    ProcedureKind.RFA: ("rfa", "repeat_rfa"),
}


def step_for(kind: ProcedureKind, done_before: int) -> str:
    """The step a procedure of ``kind`` is when ``done_before`` of its kind precede it."""
    steps = _COUNTED_STEPS.get(kind)
    if steps is None:
        return kind.value
    return steps[min(done_before, len(steps) - 1)]


class State(enum.StrEnum):
    CONSERVATIVE_CARE = "conservative_care"
    MBB1 = "mbb1"
    MBB2 = "mbb2"
    RFA = "rfa"
    REPEAT_RFA = "repeat_rfa"
    FACET_NEGATIVE = "facet_negative"


class Move(enum.StrEnum):
    """The machine's triggers."""

    BLOCK = "block"  # a diagnostic medial branch block (or diagnostic facet injection)
    ABLATE = "ablate"  # a radiofrequency ablation


#: The facet step whose relief rules judge a block, by the block's own step: the guard of the
#: move that block makes.
JUDGED_BY: dict[str, StepName] = {"mbb1": "mbb2", "mbb2": "rfa", "mbb_subsequent": "rfa"}

#: The guard on a block's moves: the block's documented relief fails a relief rule of the next
#: facet step (``JUDGED_BY``), so the facet pathway closes.
RELIEF_FAILS = "relief_fails"


def _t(move: Move, source: State | list[State], dest: State, guard: str | None = None) -> dict[str, object]:
    # transitions reads Enum members by name; the machine speaks the plain values
    sources = [source] if isinstance(source, State) else source
    t: dict[str, object] = {"trigger": move.value, "source": [s.value for s in sources], "dest": dest.value}
    if guard is not None:
        t["conditions"] = guard
    return t


_S = State
_BLOCKED_BEFORE = [_S.MBB1, _S.MBB2, _S.FACET_NEGATIVE]
#: The moves between states, as transitions reads them.  A trigger's transitions are tried in
#: order: a block whose relief fails its guard closes the pathway, any other moves on.
TRANSITIONS = [
    _t(Move.BLOCK, _S.CONSERVATIVE_CARE, _S.FACET_NEGATIVE, RELIEF_FAILS),
    _t(Move.BLOCK, _S.CONSERVATIVE_CARE, _S.MBB1),
    _t(Move.BLOCK, _BLOCKED_BEFORE, _S.FACET_NEGATIVE, RELIEF_FAILS),
    _t(Move.BLOCK, _BLOCKED_BEFORE, _S.MBB2),
    _t(Move.BLOCK, _S.RFA, _S.RFA),
    _t(Move.BLOCK, _S.REPEAT_RFA, _S.REPEAT_RFA),
    _t(Move.ABLATE, [_S.CONSERVATIVE_CARE, *_BLOCKED_BEFORE], _S.RFA),
    _t(Move.ABLATE, [_S.RFA, _S.REPEAT_RFA], _S.REPEAT_RFA),
]

#: The one machine, for every episode: defined once, with no model.
MACHINE = Machine(
    model=None,
    states=[s.value for s in State],
    initial=State.CONSERVATIVE_CARE.value,
    auto_transitions=False,
    transitions=TRANSITIONS,
)

#: The move each procedure kind makes; the others leave the facet pathway alone.
MOVES: dict[ProcedureKind, Move] = {ProcedureKind.MBB: Move.BLOCK, ProcedureKind.RFA: Move.ABLATE}


class _Walker:
    """The machine's model for one replay: the state, and what the guard reads.

    Only the latest block's guard can leave the pathway closed (a later block moves on from
    ``facet_negative``), so the replay asks the guard of that block alone: ``closes`` says
    whether its relief fails, and ``latest`` is set while it is replayed.
    """

    __slots__ = ("closes", "latest", "state")

    def __init__(self, closes: bool) -> None:
        self.state: str = State.CONSERVATIVE_CARE.value
        self.closes = closes
        self.latest = False

    def relief_fails(self) -> bool:
        """The guard (``RELIEF_FAILS``) of the block being replayed."""
        return self.latest and self.closes


@lru_cache(maxsize=4096)
def replay(moves: tuple[Move, ...], closes: bool = False) -> State:
    """The state after ``moves``, walked through the machine; ``closes``: the latest block's
    relief fails its guard.  Pure, so memoised: a clinic's episodes share a handful of keys."""
    walker = _Walker(closes)
    last_block = max((i for i, m in enumerate(moves) if m is Move.BLOCK), default=-1)
    for i, move in enumerate(moves):
        walker.latest = i == last_block
        MACHINE.events[move.value].trigger(walker)
    return State(walker.state)
