"""Planning many episodes: a clinic's list each morning, a payer's population overnight."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from attrs import frozen

from ._episode import Episode, load_episode
from ._errors import EpisodeError
from ._events import Region
from ._policy import Policy
from ._query import Plan, next_eligible
from ._time import query_day


@frozen
class Planned:
    """One episode of a batch: its plan, or the error that kept it from being planned.

    ``index`` is the episode's position in the batch; ``patient_id`` is ``None``
    where the episode could not be read far enough to know it; ``region`` is the
    episode's where it was planned.
    """

    index: int
    patient_id: str | None
    plan: Plan | None = None
    error: EpisodeError | None = None
    region: Region | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def next_eligible_many(
    episodes: Iterable[Episode | Mapping[str, Any] | str | bytes],
    policy: Policy,
    as_of: date | str | None = None,
) -> Iterator[Planned]:
    """Plan each episode (an ``Episode``, its wire-format dict or JSON text), lazily.

    The date is read once for the whole batch.  An episode whose data is bad
    yields a :class:`Planned` carrying its :class:`~episodes.EpisodeError`; the
    batch goes on.
    """
    on = query_day(as_of)
    for i, item in enumerate(episodes):
        patient_id = item.patient_id if isinstance(item, Episode) else _patient_id(item)
        try:
            episode = item if isinstance(item, Episode) else load_episode(item)
        except EpisodeError as exc:
            yield Planned(i, patient_id, error=exc)
            continue
        yield Planned(i, episode.patient_id, plan=next_eligible(episode, policy, on), region=episode.region)


def _patient_id(item: Mapping[str, Any] | str | bytes) -> str | None:
    value = item.get("patient_id") if isinstance(item, Mapping) else None
    return value if isinstance(value, str) else None
