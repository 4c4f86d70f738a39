"""The worked example of seed 004_f8061c0717cfeee2: a determination, kept as an episode.

docs/examples/seed-004-case.json encodes the case: lumbar pain radiating to the left hip and
buttock (``radiating: true``), bilateral L5-S1 transforaminal ESIs with no significant relief
(one bilateral session, 10%), an MRI with no disc extrusion (no finding listed), physical
therapy and NSAIDs tried and failed with no durations recorded, and an exam on which ADL
limitation and facet signs are uncertain (null); the pitfall "the absence of radiculopathy on
examination" is read as ``radicular_signs: false``.  The seed gives no dates: the ones in the
file are illustrative, the proposal is dated 2025-11-26 (the seed's last update).

"No durations recorded": the wire format has no "length unknown".  A course with no ``end``
is an open course, running to the evaluated date, which would credit months of care the record
does not show.  So each course is recorded on one day (``end`` = ``start``): tried and failed,
0 days documented.  Any duration criterion is then unmet (not unknown): the record documents
no length, and time alone will not add one.

The requested CPT 64493 and 64494 are a therapeutic lumbar facet injection at two levels: a
proposal of ``ia_facet`` at L4-L5 and L5-S1, bilateral.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import policies
from episodes import dump_episode, evaluate, load_episode, next_eligible
from episodes.testing import criterion as crit
from episodes.testing import day, proposal

CASE = Path(__file__).parent.parent / "docs" / "examples" / "seed-004-case.json"
ON = day("2025-11-26")
PROPOSAL = proposal("ia_facet", ON, ["L4-L5", "L5-S1"], "bilateral")
#: The bundled policies that address the lumbar region and ia_facet.
LUMBAR = ["centene-facet", "cms-l38773", "sample-pa-64493"]

#: Under each, what the plan's ``mbb`` entry names as missing: rule -> status.
MISSING = {
    "centene-facet": {
        "adl_impairment": "unknown",
        "therapy": "unmet",
        "nsaid": "unmet",
        "activity_modification": "unmet",
        "facet_findings": "unknown",
    },
    "cms-l38773": {
        "pain_scale": "unknown",
        "disability_scale": "unmet",
    },
    "sample-pa-64493": {
        "physical_therapy": "unmet",
        "supervised_exercise": "unmet",
        "manual_therapy_and_modalities": "unmet",
        "pain_education": "unmet",
        "history_and_physical": "unmet",
        "xray": "unmet",
        "treatment_logs": "unmet",
        "severity": "unknown",
        "failed_physical_therapy": "unmet",
        "consultations": "unmet",
    },
}


def episode():
    return load_episode(CASE.read_text())


def test_case_file_is_a_lumbar_episode_that_round_trips():
    """The case file loads as a lumbar episode/1 and dump/load loses nothing."""
    ep = episode()
    assert ep.region == "lumbar"
    assert load_episode(dump_episode(ep)).events == ep.events
    kinds = [type(e).__name__ for e in ep.events]
    assert kinds.count("Care") == 2
    assert all(c.end == c.start for c in ep.events if type(c).__name__ == "Care")


def test_the_lumbar_ia_facet_policies_are_those_expected():
    """centene-facet, cms-l38773 and sample-pa-64493 address the lumbar region and ia_facet."""
    chosen = [
        pid
        for pid in policies.available()
        if "lumbar" in policies.load(pid).regions and policies.load(pid).rules("ia_facet")
    ]
    assert chosen == LUMBAR


@pytest.mark.parametrize("pid", LUMBAR)
def test_therapeutic_facet_injection_is_denied(pid):
    """The requested ia_facet at L4-L5 and L5-S1 is denied under each lumbar policy."""
    d = evaluate(episode(), policies.load(pid), PROPOSAL)
    assert (d.procedure, d.step, d.status, d.date) == ("ia_facet", "ia_facet", "denied", ON)
    assert any(c.status == "unmet" for c in d.criteria)


def test_denial_reasons_per_policy():
    """Centene does not cover it; CMS wants two 80% diagnostic blocks; the sample PA its records."""
    ep = episode()
    centene = evaluate(ep, policies.load("centene-facet"), PROPOSAL)
    assert [c.rule for c in centene.unmet()] == ["not_covered"]
    cms = evaluate(ep, policies.load("cms-l38773"), PROPOSAL)
    assert [c.rule for c in cms.unmet()] == ["positive_blocks", "rfa_not_candidate"]
    assert "0 of the 2 required" in crit(cms, "positive_blocks").message
    sample = evaluate(ep, policies.load("sample-pa-64493"), PROPOSAL)
    assert {c.rule: c.status.value for c in sample.unmet()} == MISSING["sample-pa-64493"]


@pytest.mark.parametrize("pid", sorted(set(policies.available()) - set(LUMBAR)))
def test_neck_policies_deny_it_too(pid):
    """Policies of the neck do not address the region: the proposal is denied there as well."""
    assert evaluate(episode(), policies.load(pid), PROPOSAL).status == "denied"


@pytest.mark.parametrize("pid", LUMBAR)
def test_plan_mbb_entry_names_what_is_missing(pid):
    """The plan's mbb entry is a first block, blocked, naming exactly what the record lacks."""
    p = next_eligible(episode(), policies.load(pid), as_of=ON)
    assert p.state == "conservative_care"  # the failed ESI is no diagnostic block
    mbb = p["mbb"]
    assert (mbb.step, mbb.status, mbb.earliest) == ("mbb1", "blocked", None)
    assert {c.rule: c.status.value for c in mbb.unmet()} == MISSING[pid]


def test_missing_documentation_names_the_fields():
    """Unknowns name the null exam fields; unmet care names its 0 documented days."""
    ep = episode()
    centene = next_eligible(ep, policies.load("centene-facet"), as_of=ON)["mbb"]
    assert "facet_signs not documented" in crit(centene, "facet_findings").message
    assert "adl_impairment not documented" in crit(centene, "adl_impairment").message
    assert "0 days" in crit(centene, "therapy").message
    assert "0 days" in crit(centene, "nsaid").message
    assert crit(centene, "therapy").resolves_on is None
    cms = next_eligible(ep, policies.load("cms-l38773"), as_of=ON)["mbb"]
    assert "nrs not documented" in crit(cms, "pain_scale").message
    assert crit(cms, "conservative_care").status == "met"  # the LCD sets no duration


# --- the request as it arrived: in codes -----------------------------------------------------
#: "CPT 64493 and 64494, bilateral, for M47.816": the case file records the diagnosis.
CODED = {
    "codes": ["64493", "64494"],
    "intent": "therapeutic",
    "date": "2025-11-26",
    "levels": ["L4-L5", "L5-S1"],
    "side": "bilateral",
}


@pytest.mark.parametrize("pid", policies.available())
def test_the_request_in_codes_is_denied_under_every_policy(pid):
    """64493 + 64494, therapeutic, is the ia_facet proposal: denied, and requested as billed."""
    d = evaluate(episode(), policies.load(pid), CODED)
    assert (d.procedure, d.step, d.status, d.levels, d.side) == (
        "ia_facet",
        "ia_facet",
        "denied",
        ("L4-L5", "L5-S1"),
        "bilateral",
    )
    assert [str(c) for c in d.codes] == ["64493-50", "64494-50"]
    assert d == evaluate(episode(), policies.load(pid), PROPOSAL)


def test_the_diagnosis_supports_coverage_under_centene():
    """M47.816 (lumbar spondylosis) is in Centene's table: the denial is for V alone."""
    d = evaluate(episode(), policies.load("centene-facet"), CODED)
    assert crit(d, "diagnosis").status == "met"
    assert [c.rule for c in d.unmet()] == ["not_covered"]


@pytest.mark.parametrize("pid", LUMBAR)
def test_the_plan_names_the_diagnostic_block_to_request_in_codes(pid):
    """The plan's mbb entry (a first diagnostic block, any level) requests 64493: one level,
    no side modifier; the sample PA reports that no authorization is on record."""
    mbb = next_eligible(episode(), policies.load(pid), as_of=ON)["mbb"]
    assert [str(c) for c in mbb.codes] == ["64493"]
    auth = mbb.authorization
    if pid == "sample-pa-64493":
        assert auth.status == "none"
    else:
        assert auth is None
