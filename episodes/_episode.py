"""The episode: one patient, one spinal region, and the dated record of it."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any

import attrs
from pendulum import Date

from ._errors import DuplicateEventId, InvalidEvent
from ._events import (
    EVENT_TYPES,
    Authorization,
    Condition,
    Event,
    Imaging,
    Outcome,
    Procedure,
    Region,
    region_of,
)
from ._record import Cut, Record, make_cut
from ._wire import FORMAT, converter, parse_document, structure_event, unstructure_event


@attrs.define(slots=True, eq=False, repr=False)
class Episode:
    """One patient's treatment of one spinal region.

    Events are kept in date order, same-day events in the order they were
    recorded.  :meth:`record` checks a whole batch before it keeps any of it:
    a bad event raises an :class:`~episodes.EpisodeError` and the episode is
    unchanged.  An event that breaks a policy is still recorded; the audit
    reports it.
    """

    patient_id: str
    region: Region = attrs.field(converter=Region)
    _events: list[Event] = attrs.field(factory=list, alias="_events")
    _ids: set[str] = attrs.field(factory=set, alias="_ids")
    #: Bumped by every ``record()``: a caller caching plans can key them on it.
    version: int = attrs.field(default=0, init=False)
    #: The latest cut (see :meth:`cut`); ``record()`` drops it.
    _cut: Cut | None = attrs.field(default=None, init=False, eq=False)

    @property
    def events(self) -> tuple[Event, ...]:
        """The events, in date order."""
        return tuple(self._events)

    def cut(self, on: Date, audited: Procedure | None = None) -> Cut:
        """What the events dated on or before ``on`` say, by type (see :class:`~episodes._record.Cut`).

        A cut depends only on how many events precede the date, so the latest one is kept
        until :meth:`record` changes the episode: a plan, and a proposal after the last
        event, take the whole history, and every query after the first reads it without a
        pass.  With ``audited`` (a recorded procedure), what stood before it; that is not kept.
        """
        n = bisect_right(self._events, on, key=_WHEN)
        if audited is not None:
            return make_cut(self._events, n, audited)
        kept = self._cut
        if kept is None or kept.n != n:
            kept = self._cut = make_cut(self._events, n)
        return kept

    def record(self, *events: Event | Mapping[str, Any] | Iterable[Event | Mapping[str, Any]]) -> Episode:
        """Add events (objects or wire-format dicts, or lists of them); returns the episode."""
        batch: list[Any] = []
        for item in events:
            if isinstance(item, list | tuple):
                batch.extend(item)
            else:
                batch.append(item)  # checked, with its index, in _check
        checked = self._check(batch)
        # A stable sort of the kept events then the batch: same-day events stay in the order
        # they were recorded (timsort merges the two sorted runs in one pass).
        self._events = sorted([*self._events, *checked], key=_WHEN)
        self._ids.update(e.id for e in checked if type(e) in _WITH_IDS)  # type: ignore[union-attr]
        self._cut = None
        self.version += 1
        return self

    def _check(self, batch: list[Any]) -> list[Event]:
        """Every event of the batch as an object, or the first error; changes nothing."""
        out: list[Event] = []
        ids = set(self._ids)
        procedures = {e.id: e for e in self._events if type(e) is Procedure}
        outcomes: list[tuple[int, Outcome]] = []
        for i, raw in enumerate(batch):
            # ``type(raw) is dict`` first: JSON gives dicts, and the Mapping check is several times slower.
            if type(raw) is dict or isinstance(raw, Mapping):
                event = structure_event(raw, i)
            elif type(raw) in _EVENT_CLASSES:
                event = raw
            else:
                raise InvalidEvent(i, None, raw, "an event must be a JSON object or an event object")
            if type(event) in _WITH_IDS:
                if event.id in ids:  # type: ignore[union-attr]
                    raise DuplicateEventId(i, "id", event.id, "duplicate event id")  # type: ignore[union-attr]
                ids.add(event.id)  # type: ignore[union-attr]
                if type(event) is Procedure:
                    procedures[event.id] = event
            elif type(event) is Outcome:
                outcomes.append((i, event))  # checked once the whole batch's procedures are known
            if type(event) in _WITH_LEVELS:
                self._check_levels(event.levels, i)  # type: ignore[union-attr]
            out.append(event)
        for i, outcome in outcomes:
            done = procedures.get(outcome.procedure_id)
            if done is None:
                raise InvalidEvent(i, "procedure_id", outcome.procedure_id, "names no recorded procedure")
            if outcome.date < done.date:
                raise InvalidEvent(i, "date", outcome.date.isoformat(), "outcome dated before its procedure")
        return out

    def _check_levels(self, levels: tuple[str, ...] | None, index: int) -> None:
        for j, level in enumerate(levels or ()):
            if region_of(level) is not self.region:
                raise InvalidEvent(index, f"levels[{j}]", level, f"level is not {self.region.value}")

    def __getstate__(self) -> dict[str, Any]:
        # The record cut is the queries' cache: a pickle (or a copy) leaves it behind.
        return {a.name: getattr(self, a.name) for a in attrs.fields(Episode) if a.name != "_cut"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_cut", None)

    def __repr__(self) -> str:
        # No patient id: reprs end up in logs.
        return f"<Episode {self.region.value}, {len(self._events)} events>"


_EVENT_CLASSES = frozenset(EVENT_TYPES.values())
_WHEN = attrgetter("when")
#: The event classes with levels (checked against the episode's region).
_WITH_LEVELS = frozenset({Procedure, Imaging, Condition, Authorization})
#: The event classes with an ``id``, unique in the episode.
_WITH_IDS = frozenset({Procedure, Authorization})


def load_episode(data: str | bytes | Mapping[str, Any]) -> Episode:
    """An episode from its JSON text or the parsed dict."""
    patient_id, region, raw_events = parse_document(data)
    return Episode(patient_id, region).record(raw_events)


def dump_episode(episode: Episode, *, indent: int | None = 2) -> str:
    """The episode as JSON text (``load_episode`` reads it back unchanged)."""
    return json.dumps(episode_to_dict(episode), indent=indent)


def episode_to_dict(episode: Episode) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "patient_id": episode.patient_id,
        "region": episode.region.value,
        "events": [unstructure_event(e) for e in episode.events],
    }


def build_record(episode: Episode, on: Date, *, audited: Procedure | None = None) -> Record:
    """The record of ``episode`` as it stood on ``on``; with ``audited`` (a recorded procedure),
    what stood before it (see :func:`~episodes._record.make_cut`)."""
    return Record(episode.region, on, episode.cut(on, audited))


__all__ = ["Episode", "converter", "dump_episode", "load_episode"]
