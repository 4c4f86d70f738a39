"""Hostile input for the library's front doors: valid episodes, proposals and policy files,
mutated (a value replaced by any JSON value, a key dropped or added, a list grown or cut).

Used by ``tests/test_fuzz.py`` (hypothesis, bounded) and ``tests/benchmarks/fuzz.py`` (a long
run by hand).  Each check runs one input through every door and raises ``Escaped`` when
anything but the library's own errors comes out, or when a refusal shows what it must not.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

import policies

from .._episode import dump_episode, load_episode
from .._errors import SHOWN, EpisodeError
from .._query import audit, evaluate, next_eligible

#: Values that have broken parsers before: wrong types, edges of ranges, odd text.
HOSTILE: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, 1e308, float("nan"), float("inf"), 10**40, "", " ", "x" * 500,
    "2026-02-30", "2026-02-29", "2028-02-29", "9999-12-31", "1899-12-31", "2200-01-01",
    "20_6-01-01", "2026-01-+1", "2026- 1-01", "２０２６-01-01", "\ud800", "\x00", "L4-L5", "C7-T1",
    "mbb", "lumbar", [], {}, [[]], [None], {"": None}, {"levels[x": 1}, ["L4-L5", "L4-L5"],
    "12 weeks", "9000 years", "1000000000000 days", "0 days",
)  # fmt: skip
#: Keys added where they do not belong: mistyped ones, path-shaped ones, a patient id.
KEYS: tuple[str, ...] = ("patientId", "levels[x", "type", "id", "kind", "", "cite", "extra")


class Escaped(AssertionError):
    """Something other than the library's own error came out, or a refusal said too much."""


def mutate(obj: Any, pick: Callable[[int], int], times: int = 3) -> Any:
    """``obj`` (a JSON-like value) changed ``times`` times; ``pick(n)`` chooses in range(n)."""
    out = copy.deepcopy(obj)
    for _ in range(times):
        out = _once(out, pick)
    return out


def _once(obj: Any, pick: Callable[[int], int]) -> Any:
    if isinstance(obj, dict) and obj and pick(4):
        key = list(obj)[pick(len(obj))]
        what = pick(5)
        if what == 0:
            obj[key] = copy.deepcopy(HOSTILE[pick(len(HOSTILE))])
        elif what == 1:
            del obj[key]
        elif what == 2:
            obj[KEYS[pick(len(KEYS))]] = copy.deepcopy(HOSTILE[pick(len(HOSTILE))])
        else:
            obj[key] = _once(obj[key], pick)
        return obj
    if isinstance(obj, list) and obj and pick(4):
        i = pick(len(obj))
        what = pick(5)
        if what == 0:
            obj[i] = copy.deepcopy(HOSTILE[pick(len(HOSTILE))])
        elif what == 1:
            del obj[i]
        elif what == 2:
            obj.append(copy.deepcopy(obj[pick(len(obj))]))
        else:
            obj[i] = _once(obj[i], pick)
        return obj
    return copy.deepcopy(HOSTILE[pick(len(HOSTILE))])


def clean(message: str, secret: str | None) -> None:
    """Raise ``Escaped`` where a refusal's message shows what it must not."""
    if secret and len(secret) > 3 and secret in message:
        raise Escaped(f"a refusal shows the patient id: {message[:200]}")
    for word in ("Traceback", "NoneType", "unhashable", "object is not", "invalid literal", "instance"):
        if word in message:
            raise Escaped(f"a refusal shows Python's words ({word}): {message[:200]}")
    if "x" * (SHOWN + 1) in message:
        raise Escaped(f"a refusal shows a value longer than {SHOWN} characters: {message[:200]}")


def check_episode(data: Any, proposal: Any, as_of: str) -> str:
    """One mutated episode (and proposal) through every door; ``"refused"`` or ``"accepted"``."""
    # The generated ids ("p-00042"): a hostile value put in their place may rightly be shown
    # where it was also put elsewhere.
    secret = data.get("patient_id") if isinstance(data, dict) else None
    secret = secret if isinstance(secret, str) and secret.startswith("p-") else None
    try:
        episode = load_episode(data)
    except EpisodeError as exc:
        clean(str(exc), secret)
        return "refused"
    except Exception as exc:
        raise Escaped(f"load_episode let out {type(exc).__name__}: {str(exc)[:200]}") from exc
    try:
        for pol in (policies.load(i) for i in policies.available()):
            next_eligible(episode, pol, as_of)
            for decision in audit(episode, pol):
                assert all(c.message for c in decision.criteria)
            try:
                evaluate(episode, pol, proposal)
            except EpisodeError as exc:
                clean(str(exc), secret)
        back = load_episode(dump_episode(episode))
    except Escaped:
        raise
    except Exception as exc:
        raise Escaped(f"a query let out {type(exc).__name__}: {str(exc)[:200]}") from exc
    if back.events != episode.events or back.patient_id != episode.patient_id:
        raise Escaped("the round trip lost something")
    return "accepted"


def check_policy(data: Any) -> str:
    """One mutated policy file (its parsed TOML) through ``policies.parse``."""
    try:
        policies.parse(data, "fuzz.toml")
    except policies.PolicyError as exc:
        clean(str(exc), None)
        return "refused"
    except Exception as exc:
        raise Escaped(f"policies.parse let out {type(exc).__name__}: {str(exc)[:200]}") from exc
    return "accepted"


def seeded(seed: int) -> Callable[[int], int]:
    """A ``pick`` from a seeded random source (the long run by hand)."""
    rng = random.Random(seed)
    return lambda n: rng.randrange(n) if n > 0 else 0


__all__ = ["HOSTILE", "Escaped", "check_episode", "check_policy", "clean", "mutate", "seeded"]
