"""The bundled policies: each loads by id, covers what shared/policies.md says, and cites."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import policies
from episodes._rules import Criterion

BUNDLED = {
    "centene-facet": (
        "Centene CP.MP.171",
        {"cervical", "lumbar"},
        {"mbb1", "mbb2", "mbb_subsequent", "rfa", "repeat_rfa", "pulsed_rfa", "ia_facet"},
    ),
    "cohere-neck-pain": (
        "Cohere Neck Pain V3.0",
        {"cervical", "thoracic"},
        {"mbb1", "mbb2", "mbb_subsequent", "rfa", "repeat_rfa", "esi", "ia_facet", "facet_cyst_aspiration"},
    ),
    "sample-pa-64493": (
        "Sample PA 64493",
        {"lumbar"},
        {"mbb1", "mbb2", "mbb_subsequent", "ia_facet"},
    ),
    "cervical-facet-64490": (
        "CPT 64490/64491 Assessment",
        {"cervical", "thoracic"},
        {"mbb1", "mbb2", "rfa", "ia_facet"},
    ),
    "cms-l38773": (
        "CMS LCD L38773",
        {"cervical", "thoracic", "lumbar"},
        {"mbb1", "mbb2", "mbb_subsequent", "ia_facet", "rfa", "repeat_rfa", "pulsed_rfa"},
    ),
}
#: The policies encoded with this issue (centene-facet is the model file).
NEW = ["cohere-neck-pain", "sample-pa-64493", "cervical-facet-64490", "cms-l38773"]


def walk(criteria: tuple[Criterion, ...]) -> Iterator[Criterion]:
    """Every criterion, with those nested in either-or and applies-if criteria."""
    for c in criteria:
        yield c
        yield from walk(getattr(c, "criteria", ()))


def test_available_lists_all_five():
    """policies.available() gives the five bundled ids, sorted."""
    assert policies.available() == tuple(sorted(BUNDLED))


@pytest.mark.parametrize("pid", sorted(BUNDLED))
def test_each_bundled_policy_loads_by_id(pid):
    """Each policy loads by its id (the file's stem), with its citation, regions and steps."""
    policy = policies.load(pid)
    citation, regions, steps = BUNDLED[pid]
    assert policy.id == pid
    assert policy.citation == citation
    assert {r.value for r in policy.regions} == regions
    assert set(policy.steps) == steps
    for name in ("title", "payer", "version", "source"):
        assert getattr(policy, name).strip(), name


@pytest.mark.parametrize("pid", sorted(BUNDLED))
def test_every_criterion_cites_its_section(pid):
    """Every criterion of every step (nested too) has a non-empty cite; rules cite the policy."""
    policy = policies.load(pid)
    for step in policy.steps:
        rules = policy.rules(step)
        assert rules, step
        ids = [r.id for r in rules]
        assert len(ids) == len(set(ids)), (step, ids)
        for rule in rules:
            assert rule.citation.startswith(f"{policy.citation} "), (step, rule.id)
            for c in walk((rule.criterion,)):
                assert c.cite.strip(), (step, rule.id)


@pytest.mark.parametrize("pid", NEW)
def test_every_top_level_criterion_quotes_the_policy(pid):
    """Each criterion a step applies carries `text`: the policy's words beside the message."""
    policy = policies.load(pid)
    for step in policy.steps:
        for rule in policy.rules(step) or ():
            assert (rule.criterion.text or "").strip(), (pid, step, rule.id)


@pytest.mark.parametrize(
    ("pid", "phrases"),
    [
        ("sample-pa-64493", ["90 days", "30 days"]),
        ("cohere-neck-pain", ["12 weeks of conservative care prior to MBB"]),
        ("cms-l38773", ["individual basis", "2 years"]),
        ("cervical-facet-64490", ["informed consent"]),
    ],
)
def test_not_encoded_names_what_is_left_out(pid, phrases):
    """not_encoded lists what the policy says that is not encoded (shared/policies.md)."""
    text = " ".join(policies.load(pid).not_encoded)
    for phrase in phrases:
        assert phrase in text


def test_steps_that_take_the_first_block_criteria():
    """Steps said to take the mbb1 criteria include every mbb1 rule, in order, first."""
    cases = {
        "cohere-neck-pain": ["mbb2", "mbb_subsequent"],
        "cervical-facet-64490": ["mbb2", "ia_facet"],
        "sample-pa-64493": ["mbb2", "mbb_subsequent", "ia_facet"],
        "cms-l38773": ["mbb2"],
    }
    for pid, steps in cases.items():
        policy = policies.load(pid)
        own = [r.id for r in policy.rules("mbb1") if r.criterion not in policy.common]
        for step in steps:
            ids = [r.id for r in policy.rules(step)]
            assert ids[: len(own)] == own, (pid, step)
