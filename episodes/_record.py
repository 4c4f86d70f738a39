"""What a query reads: an episode's events up to a date, by type, indexed once.

A :class:`Cut` is what the first ``n`` events of an episode say, with a bucket
for every event type of ``EVENT_TYPES`` (the one list of event types): a new
event type gets its bucket here without a line of this module changing.  A
:class:`Record` is a cut read on a date.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import reduce
from itertools import chain, islice
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, overload

import attrs
from pendulum import Date

from ._events import (
    EVENT_TYPES,
    Diagnosis,
    Event,
    Exam,
    Outcome,
    Procedure,
    ProcedureKind,
    Region,
    SymptomOnset,
)
from ._pathway import MOVES, Move, step_for

T = TypeVar("T")
E = TypeVar("E")
K = TypeVar("K", bound=Hashable)
S = TypeVar("S")


class Documented(NamedTuple):
    """What a procedure's outcomes document, all told: its relief (the highest documented;
    ``None`` with no outcome), whether one shows functional improvement, and whether one
    leaves it undocumented.  Added to one outcome at a time (an audit's tallies do so as the
    outcomes come into view)."""

    relief: float | None = None
    improved: bool = False
    unsaid: bool = False

    def add(self, o: Outcome) -> Documented:
        relief = o.relief_percent if self.relief is None else max(self.relief, o.relief_percent)
        fi = o.functional_improvement
        return Documented(relief, self.improved or fi is True, self.unsaid or fi is None)


def documented(outcomes: Iterable[Outcome]) -> Documented:
    """What ``outcomes`` document, all told (``Documented.add`` over them, in one loop)."""
    relief: float | None = None
    improved = unsaid = False
    for o in outcomes:
        if relief is None or o.relief_percent > relief:
            relief = o.relief_percent
        fi = o.functional_improvement
        improved = improved or fi is True
        unsaid = unsaid or fi is None
    return Documented(relief, improved, unsaid)


#: What a procedure adds to a tally, given what its outcomes in the cut document: keys, each
#: counted once.
Counts = Callable[[Procedure, Documented], Iterable[K]]


class Choice(Protocol):
    """Which procedures a rule reads (``Of``): choices with one ``key`` pick the same ones."""

    @property
    def key(self) -> str:
        """Names the choice (a string: its hash is kept)."""
        ...

    def picks(self, p: Procedure, steps: Mapping[str, str]) -> bool:
        """Whether it picks ``p`` (``steps``: each procedure's step, by id)."""
        ...


class Shared(Protocol):
    """What an audit's cuts share (``episodes._audit.AuditCuts``): each works out from the
    episode's events once, and each cut (its first ``k`` procedures, ``n`` events) takes its
    part."""

    def select(self, choice: Choice, k: int) -> Sequence[Procedure]: ...
    def days(self, choice: Choice, k: int) -> Sequence[Date]: ...
    def tally(self, choice: Choice, name: Hashable, counts: Counts[K], k: int, n: int) -> Mapping[K, int]: ...
    def events(self, pick: Pick[E], n: int) -> Sequence[E]: ...
    def count(
        self, pick: Pick[E], name: str, counts: Callable[[E], Iterable[K]], n: int
    ) -> Mapping[K, int]: ...
    def scan(self, pick: Pick[E], name: str, step: Callable[[S, E], S], start: S, n: int) -> S: ...


@attrs.frozen
class Cut:
    """What an episode's first ``n`` events say: each event type's events, in date order, and
    what the procedures among them add up to (each one's step, the pathway's moves, counts).

    A cut depends on nothing but those events, so an episode keeps its latest one
    (:meth:`Episode.cut`), and a cut keeps what rules work out from its events: procedures an
    ``Of`` picks (:meth:`select`), their days (:meth:`days`) and what they add up to with
    their outcomes (:meth:`tally`); other events a :class:`Pick` picks (:meth:`events`),
    counted (:meth:`count`) or folded (:meth:`scan`).
    """

    n: int
    #: The events of each type of ``EVENT_TYPES``, outcomes included.
    by_type: Mapping[type, Sequence[Any]]
    #: Each procedure's outcomes, by procedure id.
    outcomes: Mapping[str, tuple[Outcome, ...]]
    #: Each procedure's step, by procedure id.
    steps: dict[str, str]
    moves: Sequence[Move]
    #: Procedures of each kind.
    counts: dict[ProcedureKind, int]
    onset: Date | None
    #: For an audit's cuts, what they share (:class:`Shared`).  ``None`` for a cut of its own,
    #: which keeps what it works out in ``kept``.
    shared: Shared | None = attrs.field(default=None, eq=False, repr=False)
    kept: dict[Hashable, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def select(self, choice: Choice) -> Sequence[Procedure]:
        """The cut's procedures ``choice`` picks, in date order."""
        if self.shared is not None:
            return self.shared.select(choice, len(self.by_type[Procedure]))
        found: tuple[Procedure, ...] | None = self.kept.get(choice.key)
        if found is None:
            steps, picks = self.steps, choice.picks
            found = self.kept[choice.key] = tuple([p for p in self.by_type[Procedure] if picks(p, steps)])
        return found

    def days(self, choice: Choice) -> Sequence[Date]:
        """The days of the procedures ``choice`` picks, each once, in order."""
        if self.shared is not None:
            return self.shared.days(choice, len(self.by_type[Procedure]))
        key = (choice.key, "days")
        found: tuple[Date, ...] | None = self.kept.get(key)
        if found is None:
            found = self.kept[key] = tuple(dict.fromkeys(p.date for p in self.select(choice)))
        return found

    def tally(self, choice: Choice, name: Hashable, counts: Counts[K]) -> Mapping[K, int]:
        """What the procedures ``choice`` picks add up to: how many times ``counts`` gives each
        key for them, each with its outcomes in the cut (a key never given is not there).
        ``name`` names the tally (the same name, the same ``counts``).  Not to be changed: the
        cut keeps it."""
        if self.shared is not None:
            return self.shared.tally(choice, name, counts, len(self.by_type[Procedure]), self.n)
        key = (choice.key, name)
        found: dict[K, int] | None = self.kept.get(key)
        if found is None:
            outcomes = self.outcomes
            found = self.kept[key] = count_keys(
                self.select(choice), lambda p: counts(p, documented(outcomes.get(p.id, ())))
            )
        return found

    def documented(self, pid: str) -> Documented:
        """What the procedure's outcomes in the cut document, all told (kept, for a cut of its
        own: a plan's rules ask it of the latest block again and again)."""
        if self.shared is not None:
            return documented(self.outcomes.get(pid, ()))
        found: Documented | None = self.kept.get(("documented", pid))
        if found is None:
            found = self.kept["documented", pid] = documented(self.outcomes.get(pid, ()))
        return found

    def events(self, pick: Pick[E]) -> Sequence[E]:
        """The cut's events ``pick`` picks, in order."""
        if self.shared is not None:
            return self.shared.events(pick, self.n)
        found: tuple[E, ...] | None = self.kept.get((pick.cls, pick.key))
        if found is None:
            among = self.events(pick.among) if pick.among is not None else self.by_type[pick.cls]
            found = self.kept[pick.cls, pick.key] = tuple(filter(pick.takes, among))
        return found

    def count(self, pick: Pick[E], name: str, counts: Callable[[E], Iterable[K]]) -> Mapping[K, int]:
        """How many times ``counts`` gives each key for the events ``pick`` picks (``name``
        names ``counts``).  Not to be changed: the cut keeps it."""
        if self.shared is not None:
            return self.shared.count(pick, name, counts, self.n)
        found: dict[K, int] | None = self.kept.get((pick.cls, pick.key, "count", name))
        if found is None:
            found = self.kept[pick.cls, pick.key, "count", name] = count_keys(self.events(pick), counts)
        return found

    def scan(self, pick: Pick[E], name: str, step: Callable[[S, E], S], start: S) -> S:
        """``step`` applied to ``start`` and each of the events ``pick`` picks, in order: what
        they add up to (``name`` names ``step`` and ``start``)."""
        if self.shared is not None:
            return self.shared.scan(pick, name, step, start, self.n)
        found: S | None = self.kept.get((pick.cls, pick.key, "scan", name))
        if found is None:
            found = self.kept[pick.cls, pick.key, "scan", name] = reduce(step, self.events(pick), start)
        return found


@attrs.frozen
class Pick(Generic[E]):
    """Which of a cut's events a rule reads: those of type ``cls`` that ``takes`` takes (among
    those ``among`` picks, if given).  ``key`` names it among picks of its type: picks with one
    key take the same."""

    cls: type[E]
    key: str
    takes: Callable[[E], bool] = attrs.field(eq=False)
    among: Pick[E] | None = None


def count_keys(items: Iterable[T], counts: Callable[[T], Iterable[K]]) -> dict[K, int]:
    """How many times ``counts`` gives each key for ``items``."""
    found: dict[K, int] = {}
    for item in items:
        for key in counts(item):
            found[key] = found.get(key, 0) + 1
    return found


def add_keys(tally: dict[K, int], keys: Iterable[K], by: int) -> None:
    """Count ``keys`` in ``tally`` (``by``: 1 to add them, -1 to take them back)."""
    for key in keys:
        n = tally.get(key, 0) + by
        if n:
            tally[key] = n
        else:
            del tally[key]


class Prefix(Sequence[T]):
    """The first ``n`` of a list's items, but those at the places ``gaps`` (in order): a view.

    An audit's cuts are prefixes of one pass over the episode: a view costs the same for 5
    events as for 5,000, where a copy for each cut would grow an audit as the square of its
    events.
    """

    __slots__ = ("_gaps", "_items", "_n")

    def __init__(self, items: list[T], n: int, gaps: Sequence[int] = ()) -> None:
        self._items, self._n, self._gaps = items, n, gaps

    def __len__(self) -> int:
        return self._n - len(self._gaps)

    def __iter__(self) -> Iterator[T]:
        items, n, gaps = self._items, self._n, self._gaps
        if not gaps:
            return islice(items, n)
        ends = (*gaps, n)
        starts = (0, *(g + 1 for g in gaps))
        return chain.from_iterable(islice(items, a, b) for a, b in zip(starts, ends, strict=True))

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            span = range(len(self))[i]
            if not self._gaps and span.step == 1:
                return tuple(self._items[span.start : span.stop])
            return tuple(self)[i]
        size = len(self)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("index out of range")
        for g in self._gaps:  # each gap at or before the place moves it one on
            if g > i:
                break
            i += 1
        return self._items[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Prefix({list(self)!r})"


def make_cut(events: Sequence[Event], n: int, audited: Procedure | None = None) -> Cut:
    """The cut of the first ``n`` of ``events`` (in date order).

    With ``audited`` (a recorded procedure), what stood before it: the procedure itself, the
    procedures recorded after it on its day and its own outcomes are left out.
    """
    kept = events[:n]
    if audited is not None:
        at = next((i for i, e in enumerate(kept) if e is audited), n)
        kept = [
            e
            for i, e in enumerate(kept)
            if not (
                i == at
                or (i > at and type(e) is Procedure)
                or (type(e) is Outcome and e.procedure_id == audited.id)
            )
        ]
    buckets: dict[type, list[Any]] = {cls: [] for cls in EVENT_TYPES.values()}
    for event in kept:
        buckets[type(event)].append(event)
    outcomes: dict[str, list[Outcome]] = {}
    for o in buckets[Outcome]:
        outcomes.setdefault(o.procedure_id, []).append(o)
    counts: dict[ProcedureKind, int] = {}
    steps: dict[str, str] = {}
    moves: list[Move] = []
    for p in buckets[Procedure]:
        done = counts.get(p.procedure, 0)
        steps[p.id] = step_for(p.procedure, done)
        counts[p.procedure] = done + 1
        move = MOVES.get(p.procedure)
        if move is not None:
            moves.append(move)
    return Cut(
        n=n,
        by_type={cls: tuple(found) for cls, found in buckets.items()},
        outcomes={k: tuple(v) for k, v in outcomes.items()},
        steps=steps,
        moves=tuple(moves),
        counts=counts,
        onset=min((o.date for o in buckets[SymptomOnset]), default=None),
    )


@attrs.frozen
class Record:
    """An episode as it stood on ``on``: every event dated on or before it, by type."""

    region: Region
    on: Date
    cut: Cut

    def of(self, cls: type[E]) -> Sequence[E]:
        """The events of one type, in date order."""
        return self.cut.by_type[cls]

    # The buckets rules read directly, by name (the rest they read through picks).
    @property
    def exams(self) -> Sequence[Exam]:
        return self.cut.by_type[Exam]

    @property
    def diagnoses(self) -> Sequence[Diagnosis]:
        return self.cut.by_type[Diagnosis]

    @property
    def procedures(self) -> Sequence[Procedure]:
        return self.cut.by_type[Procedure]

    @property
    def steps(self) -> dict[str, str]:
        return self.cut.steps

    @property
    def moves(self) -> Sequence[Move]:
        return self.cut.moves

    @property
    def onset(self) -> Date | None:
        return self.cut.onset

    def count(self, kind: ProcedureKind) -> int:
        return self.cut.counts.get(kind, 0)

    def relief(self, procedure: Procedure) -> float | None:
        """The procedure's relief: the highest ``relief_percent`` among its outcomes."""
        return self.documented(procedure).relief

    def documented(self, procedure: Procedure) -> Documented:
        """What the procedure's outcomes document, all told."""
        return self.cut.documented(procedure.id)

    def outcomes_of(self, procedure: Procedure) -> tuple[Outcome, ...]:
        return self.cut.outcomes.get(procedure.id, ())
