"""The documentation says what the code does."""

import re
import tomllib
from pathlib import Path

import pytest

import policies
from episodes._rules import KINDS

DOCS = Path(__file__).parent.parent / "docs"


def test_every_kind_is_documented() -> None:
    """docs/policy-files.md has a section for every criterion kind the engine registers."""
    text = (DOCS / "policy-files.md").read_text()
    documented = set(re.findall(r"^#### `(\w+)`$", text, flags=re.M))
    assert documented == set(KINDS)


def test_the_example_policy_loads(tmp_path: Path) -> None:
    """The plan's own policy in docs/policy-files.md loads as it is written."""
    text = (DOCS / "policy-files.md").read_text()
    block = text.split("## A plan's own policy", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    tomllib.loads(block)
    path = tmp_path / "acme-facet.toml"
    path.write_text(block)
    policy = policies.load_file(path)
    assert policy.id == "acme-facet"
    assert [r.id for r in policy.rules("mbb2") or ()] == [
        "pain_duration",
        "therapy",
        "interval",
        "relief",
        "one_per_visit",
    ]


def test_comparison_page_is_current() -> None:
    """docs/policies.md is what `episodes policies --compare` generates from the policy files now.

    Regenerate with: episodes policies --compare > docs/policies.md
    """
    from episodes._report import compare_markdown

    generated = compare_markdown([policies.load(i) for i in policies.available()])
    assert (DOCS / "policies.md").read_text() == generated


def test_the_readme_example_runs_and_says_what_it_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """README's Python example runs from the project's root, on its fixed date, and each value
    its comments show is what it gives."""
    root = DOCS.parent
    text = (root / "README.md").read_text()
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(root)
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    plan, decision = scope["plan"], scope["decision"]
    assert (plan.state, plan["mbb"].status, str(plan["mbb"].earliest)) == ("mbb1", "waiting", "2026-04-20")  # type: ignore[attr-defined,index]
    assert decision.status == "approved"  # type: ignore[attr-defined]


def test_every_event_field_is_in_the_wire_format_reference() -> None:
    """docs/wire-format.md has a section for every event type of EVENT_TYPES, and each field of
    its class is a row of that section's table."""
    import attrs

    from episodes._events import EVENT_TYPES

    text = (DOCS / "wire-format.md").read_text()
    sections = dict(re.findall(r"^### `(\w+)`\n(.*?)(?=^### |\Z)", text, flags=re.M | re.S))
    assert set(sections) == set(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        rows = set(re.findall(r"^\| `(\w+)` \|", sections[name], flags=re.M))
        assert {a.name for a in attrs.fields(cls)} == rows, name
