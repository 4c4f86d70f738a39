"""The policy loader: bundled ids, a user's file, and every mistake reported with its path."""

from pathlib import Path

import pytest

import policies

GOOD = """
id = "plan-x"
title = "Plan X facet policy"
payer = "Plan X"
version = "1"
effective = 2026-01-01
source = "Plan X medical policy 12"
citation = "Plan X MP-12"
regions = ["lumbar"]

[[steps.mbb1.criteria]]
kind = "pain_duration"
duration = "3 months"
cite = "1.a"

[steps.mbb2]
includes = ["mbb1"]

[[steps.mbb2.criteria]]
kind = "relief"
percent = 80
compare = "more_than"
cite = "1.b"
"""


def write(tmp_path: Path, text: str, name: str = "plan.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_ids_load_and_are_cached() -> None:
    """Every bundled id loads, its id is its file's name, and a second load is the same object."""
    for pid in policies.available():
        policy = policies.load(pid)
        assert policy.id == pid
        assert policies.load(pid) is policy


def test_unknown_bundled_id() -> None:
    """An unknown id is a PolicyError (and a LookupError) that lists what is available."""
    with pytest.raises(policies.UnknownPolicy) as err:
        policies.load("no-such-policy")
    assert isinstance(err.value, LookupError)
    assert "centene-facet" in str(err.value)


def test_users_own_file_loads(tmp_path: Path) -> None:
    """A plan's own file loads with no code: its steps, includes and comparisons as written."""
    policy = policies.load_file(write(tmp_path, GOOD))
    assert policy.id == "plan-x"
    assert [r.id for r in policy.rules("mbb2") or ()] == ["pain_duration", "relief"]
    relief = (policy.rules("mbb2") or ())[1].criterion
    assert relief.describe() == "previous mbb: relief more than 80%"
    assert policy.cite("1.b") == "Plan X MP-12 1.b"


def test_every_mistake_listed_at_once_with_its_path(tmp_path: Path) -> None:
    """Unknown kind, unknown step, wrong type, percent out of range, missing citation, unknown field:
    all reported in one error, each with the file and the field path."""
    bad = (
        GOOD
        + """
[[steps.mbb1.criteria]]
kind = "teleport"
cite = "2"

[[steps.mbb1.criteria]]
kind = "relief"
percent = 175
cite = "3"

[[steps.mbb1.criteria]]
kind = "level_count"
max = "3"
cite = "4"

[[steps.mbb1.criteria]]
kind = "interval"
after = { procedures = ["mbb"] }
duration = "2 weeks"

[[steps.mbb1.criteria]]
kind = "not_covered"
cite = "5"
percnt = 3

[[steps.mbb7.criteria]]
kind = "not_covered"
cite = "6"
"""
    )
    with pytest.raises(policies.PolicyError) as err:
        policies.load_file(write(tmp_path, bad))
    problems = err.value.problems
    text = str(err.value)
    assert text.startswith("plan.toml: 6 problems")
    expected = [
        "$.steps.mbb1.criteria[1]: unknown criterion kind 'teleport'",
        "$.steps.mbb1.criteria[2].percent: expected a percent from 0 to 100, got 175",
        "$.steps.mbb1.criteria[3].max: expected a whole number of at least 1, got '3'",
        "$.steps.mbb1.criteria[4].cite: required field missing",
        "$.steps.mbb1.criteria[5]: unknown field 'percnt'",
        "$.steps.mbb7: unknown step 'mbb7'",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert all(f"plan.toml: {p}" in text for p in problems)


@pytest.mark.parametrize(
    ("snippet", "path", "expected"),
    [
        ("percent = 100.5", "percent", "expected a percent from 0 to 100"),
        ("percent = -1", "percent", "expected a percent from 0 to 100"),
        ('percent = "80"', "percent", "expected a percent from 0 to 100"),
        ('percent = 80\ncompare = "greater"', "compare", "expected one of ['at_least', 'more_than']"),
        ('percent = 80\ncite = ""', "", "cite is empty"),
    ],
)
def test_bad_values(tmp_path: Path, snippet: str, path: str, expected: str) -> None:
    """Each bad value is named by its field path and what was expected."""
    cite = "" if "cite" in snippet else 'cite = "9"\n'
    text = GOOD + f'\n[[steps.rfa.criteria]]\nkind = "relief"\n{cite}{snippet}\n'
    with pytest.raises(policies.PolicyError) as err:
        policies.load_file(write(tmp_path, text))
    where = "$.steps.rfa.criteria[0]" + (f".{path}" if path else "")
    assert any(p.startswith(f"{where}: {expected}") for p in err.value.problems), err.value.problems


def test_percent_boundaries_load(tmp_path: Path) -> None:
    """0 and 100 are percents."""
    for value in (0, 100):
        text = GOOD + f'\n[[steps.rfa.criteria]]\nkind = "relief"\ncite = "9"\npercent = {value}\n'
        assert policies.load_file(write(tmp_path, text)).rules("rfa")


def test_care_durations_are_days_or_weeks(tmp_path: Path) -> None:
    """A course of care is counted in days: "3 months" is refused where a care rule counts."""
    text = (
        GOOD
        + '\n[[steps.rfa.criteria]]\nkind = "care"\nkinds = ["nsaid"]\nduration = "3 months"\ncite = "9"\n'
    )
    with pytest.raises(policies.PolicyError) as err:
        policies.load_file(write(tmp_path, text))
    assert err.value.problems == [
        "$.steps.rfa.criteria[0].duration: a course of care is counted in days or weeks, got '3 months'"
    ]


def test_includes_must_name_a_step(tmp_path: Path) -> None:
    """A step that includes a step the policy lacks is refused, naming both."""
    text = GOOD.replace('includes = ["mbb1"]', 'includes = ["rfa"]')
    with pytest.raises(policies.PolicyError) as err:
        policies.load_file(write(tmp_path, text))
    assert "steps.mbb2.includes: no step 'rfa'" in str(err.value)


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    """A file that is not TOML, or is not there, is a PolicyError naming the file."""
    with pytest.raises(policies.PolicyError, match=r"^plan.toml: not TOML"):
        policies.load_file(write(tmp_path, "id = "))
    with pytest.raises(policies.PolicyError, match="cannot read"):
        policies.load_file(tmp_path / "absent.toml")
