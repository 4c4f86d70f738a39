"""Hostile input: valid episodes, proposals and policy files, mutated, through every front door.

Only the library's own errors may come out, a refusal never shows a patient id, Python's
words or a long value, and whatever is accepted survives the round trip.  Bounded here (the
hypothesis profile); ``python tests/benchmarks/fuzz.py`` runs it long, by hand.
"""

from __future__ import annotations

import contextlib
import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import policies
from episodes import EpisodeError, load_episode
from episodes.testing.fuzz import Escaped, check_episode, check_policy, clean, mutate
from episodes.testing.strategies import episode_dicts, proposals

POLICY_FILES = {
    i: tomllib.loads(resources.files("policies").joinpath(f"{i}.toml").read_text(encoding="utf-8"))
    for i in policies.available()
}


def picker(data: st.DataObject) -> Any:
    return lambda n: data.draw(st.integers(0, n - 1)) if n > 1 else 0


@given(episode_dicts(region="lumbar", max_events=20), proposals("lumbar"), st.data())
def test_mutated_episodes_and_proposals_meet_only_our_errors(
    episode: dict[str, Any], proposal: dict[str, Any], data: st.DataObject
) -> None:
    """A mutated episode is refused with an EpisodeError, or accepted and then planned,
    audited, proposed to and round-tripped under every policy without another exception."""
    pick = picker(data)
    check_episode(mutate(episode, pick), mutate(proposal, pick, times=1), "2026-06-01")


@pytest.mark.parametrize("policy_id", policies.available())
@given(data=st.data())
def test_mutated_policy_files_meet_only_policy_errors(policy_id: str, data: st.DataObject) -> None:
    """A bundled policy file, mutated, loads or is refused with a PolicyError."""
    check_policy(mutate(POLICY_FILES[policy_id], picker(data)))


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_any_bytes_or_text_meet_only_episode_errors(raw: bytes | str) -> None:
    """Whatever the bytes or text, load_episode refuses with an EpisodeError (or reads it)."""
    with contextlib.suppress(EpisodeError):
        load_episode(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 5000,
        b"\xff\xfe{\x00}\x00",  # UTF-16
        '{"patient_id": "p", "region": "lumbar", "events": [' + "[" * 3000 + "]" * 3000 + "]}",
        '{"patient_id": "p", "region": "lumbar", "events": '
        '[{"type": "exam", "date": "2026-01-01", "nrs": 1e309}]}',
    ],
)
def test_the_reported_crashes_are_refusals(raw: str | bytes) -> None:
    """The inputs that crashed the first version (deep nesting, UTF-16, an infinite number)."""
    with pytest.raises(EpisodeError):
        load_episode(raw)


def test_the_checks_catch_an_escape(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fuzz checks themselves fail on what they must catch (else they prove nothing): a
    message with the patient id, Python's words or a long value, and a foreign exception."""
    with pytest.raises(Escaped, match="patient id"):
        clean("event 1: bad (got 'p-SECRET')", "p-SECRET")
    with pytest.raises(Escaped, match="Python"):
        clean("event 1: unhashable type: 'list'", None)
    with pytest.raises(Escaped, match="longer"):
        clean("x" * 200, None)

    def broken(data: Any) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("episodes.testing.fuzz.load_episode", broken)
    with pytest.raises(Escaped, match="KeyError"):
        check_episode({}, {}, "2026-01-01")


def test_a_patient_id_is_never_shown() -> None:
    """A malformed patient id, or a mistyped key holding one, is refused without its value."""
    for data in (
        {"patient_id": ["p-SECRET-1"], "region": "lumbar"},
        {"patient_id": "p", "patientId": "p-SECRET-1", "region": "lumbar"},
        {
            "patient_id": "p",
            "region": "lumbar",
            "events": [{"type": "exam", "date": "2026-01-01", "patientId": "p-SECRET-1"}],
        },
    ):
        with pytest.raises(EpisodeError) as info:
            load_episode(data)
        assert "SECRET" not in str(info.value)
