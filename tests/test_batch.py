"""Planning many episodes at once."""

from pathlib import Path

import pendulum

import policies
from episodes import EpisodeError, load_episode, next_eligible, next_eligible_many

EXAMPLE = (Path(__file__).parent.parent / "docs" / "examples" / "lumbar-facet.json").read_text()
ON = pendulum.date(2026, 4, 10)


def test_many_plans_each_and_isolates_bad_data() -> None:
    """Texts, dicts and episodes are planned in order; a bad one yields its error and the batch goes on."""
    policy = policies.load("centene-facet")
    bad = {"patient_id": "x", "region": "lumbar", "events": [{"type": "exam"}]}
    results = list(next_eligible_many([EXAMPLE, bad, "{", load_episode(EXAMPLE)], policy, ON))
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[0].plan == next_eligible(load_episode(EXAMPLE), policy, ON)
    assert isinstance(results[1].error, EpisodeError)
    assert results[1].error.index == 0
    assert results[1].error.field == "date"
    assert results[1].patient_id == "x"
    assert results[2].patient_id is None
    assert results[3].plan == results[0].plan


def test_many_is_lazy() -> None:
    """Nothing is planned before it is asked for: a generator source is read one at a time."""
    policy = policies.load("centene-facet")
    taken: list[int] = []

    def source():  # type: ignore[no-untyped-def]
        for i in range(3):
            taken.append(i)
            yield load_episode(EXAMPLE)

    it = next_eligible_many(source(), policy, ON)
    assert taken == []
    first = next(it)
    assert taken == [0]
    assert isinstance(first.plan.state, str)
