"""episodes.fhir: FHIR R4 Bundles in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import policies
from episodes import EpisodeError, evaluate, load_episode, next_eligible
from episodes._episode import episode_to_dict
from episodes.fhir import FhirError, dump_bundle, load_bundle, proposals, read_bundle
from episodes.fhir._tables import EXT
from episodes.testing import strategies

DATA = Path(__file__).parent / "data" / "fhir"
DOCS = Path(__file__).parent.parent / "docs"


def _bundle(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.episodes())
def test_dump_then_load_loses_nothing(episode):
    """Every generated episode written as a Bundle reads back with the same wire dict."""
    assert episode_to_dict(load_bundle(dump_bundle(episode))) == episode_to_dict(episode)


@pytest.mark.parametrize("name", ["lumbar-facet.json", "seed-004-case.json"])
def test_docs_examples_round_trip(name):
    """The docs' example episodes survive dump_bundle and load_bundle."""
    episode = load_episode((DOCS / "examples" / name).read_text("utf-8"))
    assert episode_to_dict(load_bundle(dump_bundle(episode))) == episode_to_dict(episode)


def test_dumped_bundle_is_valid_r4():
    """Each resource dump_bundle writes validates against fhir.resources' models."""
    from fhir.resources.R4B import get_fhir_model_class

    episode = load_episode((DOCS / "examples" / "lumbar-facet.json").read_text("utf-8"))
    bundle = json.loads(dump_bundle(episode))
    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])


def test_lumbar_bundle_reads_as_an_ehr_writes_it():
    """A hand-written EHR bundle (two blocks, an ablation) reads into the events it documents."""
    loaded = read_bundle((DATA / "lumbar-blocks-ablation.json").read_text("utf-8"))
    ep = loaded.episode
    assert (ep.patient_id, ep.region.value) == ("MRN-1001", "lumbar")
    assert [e.procedure for e in ep.events if e.type == "procedure"] == ["mbb", "mbb", "rfa"]
    imaging = next(e for e in ep.events if e.type == "imaging")
    assert imaging.findings == ("facet_arthropathy",)
    assert imaging.levels == ("L4-L5", "L5-S1")
    outcomes = [e for e in ep.events if e.type == "outcome"]
    assert [(o.procedure_id, o.functional_improvement) for o in outcomes] == [("blk1", True), ("blk2", None)]
    assert loaded.skipped == {"Practitioner": 1, "Encounter": 1, "ServiceRequest": 1}
    auth = next(e for e in ep.events if e.type == "authorization")
    assert (auth.status, str(auth.valid_through)) == ("approved", "2026-05-20")


def test_service_request_is_a_proposal_for_evaluate():
    """proposals() lists the ServiceRequest; evaluate() decides it against the loaded episode."""
    text = (DATA / "lumbar-blocks-ablation.json").read_text("utf-8")
    (proposal,) = proposals(text)
    assert (proposal["procedure"], proposal["date"], proposal["side"]) == ("rfa", "2026-09-14", "bilateral")
    decision = evaluate(load_bundle(text), policies.load("centene-facet"), proposal)
    # the bundle records an ablation already: the request is a repeat, waiting on sustained relief
    assert (decision.procedure, decision.step, decision.status) == ("rfa", "repeat_rfa", "pended")
    assert [c.rule for c in decision.unmet()] == ["sustained_relief"]


def test_local_codes_map_an_ehr_s_own_observations():
    """An EHR's local relief code, given in `codes`, reads as relief; without it the resource is skipped."""
    bundle = _bundle("lumbar-blocks-ablation.json")
    for entry in bundle["entry"]:
        r = entry["resource"]
        if r["id"] == "rel1":
            r["code"] = {"coding": [{"system": "urn:ehr:local", "code": "PAINRELIEF%"}]}
    codes = {"codes": [{"system": "urn:ehr:local", "code": "PAINRELIEF%", "means": "relief_percent"}]}
    with_codes = read_bundle(bundle, codes=codes)
    assert sum(e.type == "outcome" for e in with_codes.episode.events) == 2
    without = read_bundle(bundle)
    assert sum(e.type == "outcome" for e in without.episode.events) == 1
    assert without.skipped["Observation"] == 1


def test_local_codes_from_a_toml_file(tmp_path):
    """`codes` may be a TOML file's path: the file docs/fhir.md shows."""
    path = tmp_path / "local.toml"
    path.write_text(
        '[[codes]]\nsystem = "urn:ehr:local"\ncode = "HP"\nmeans = "documentation.history_and_physical"\n'
    )
    bundle = _bundle("lumbar-blocks-ablation.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "hp1":
            entry["resource"]["type"] = {"coding": [{"system": "urn:ehr:local", "code": "HP"}]}
    ep = load_bundle(bundle, codes=path)
    assert [e.item for e in ep.events if e.type == "documentation"] == ["history_and_physical"]


def test_an_unreadable_resource_names_type_id_and_path():
    """A procedure with a level of another region is a FhirError naming Procedure, its id and bodySite."""
    bundle = _bundle("lumbar-blocks-ablation.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "blk2":
            entry["resource"]["bodySite"][0]["coding"][0]["code"] = "C5-C6"
    with pytest.raises(FhirError) as info:
        load_bundle(bundle)
    err = info.value
    assert isinstance(err, EpisodeError)
    assert (err.resource_type, err.resource_id, err.path) == ("Procedure", "blk2", "bodySite")
    assert "MRN-1001" not in str(err)


def test_a_malformed_element_is_caught_by_fhir_validation():
    """A date that is not a FHIR dateTime fails fhir.resources' validation, named by path."""
    bundle = _bundle("lumbar-blocks-ablation.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "rfa1":
            entry["resource"]["performedDateTime"] = "March 2nd"
    with pytest.raises(FhirError) as info:
        load_bundle(bundle)
    assert (info.value.resource_type, info.value.resource_id) == ("Procedure", "rfa1")
    assert info.value.path.startswith("performedDateTime")


@pytest.mark.parametrize(
    ("bad", "path", "said"),
    [
        ("not json", "", "not JSON"),
        ("[]", "resourceType", "expected a FHIR Bundle"),
        ('{"resourceType": "Patient"}', "resourceType", "expected a FHIR Bundle"),
        (b"\xff", "", "not UTF-8 text"),
    ],
)
def test_not_a_bundle_is_a_fhir_error(bad: str | bytes, path: str, said: str) -> None:
    """Text that is not a Bundle fails with FhirError, never another exception, saying why."""
    with pytest.raises(FhirError) as info:
        load_bundle(bad)
    assert (info.value.resource_type, info.value.path) == ("Bundle", path)
    assert said in str(info.value)


def _condition_bundle(code: str) -> dict[str, Any]:
    """A bundle holding one diagnosis and nothing with a level."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Condition",
                    "id": "c",
                    "subject": {"reference": "Patient/x"},
                    "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]},
                    "recordedDate": "2026-01-02",
                }
            }
        ],
    }


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("M47.812", "cervical"),
        ("M47.814", "thoracic"),
        ("M47.816", "lumbar"),
        ("M54.50", "lumbar"),
        ("M54.2", "cervical"),
    ],
)
def test_region_comes_from_the_diagnoses_where_no_level_is_recorded(code, region):
    """With no level recorded, the diagnoses name the region (data/regions.toml); region= wins."""
    assert load_bundle(_condition_bundle(code)).region.value == region
    assert load_bundle(_condition_bundle(code), region="thoracic").region.value == "thoracic"


def test_region_comes_from_levels_or_the_argument():
    """Without a level or a diagnosis naming a region, the region must be given; with region=
    it loads."""
    bundle = _condition_bundle("M54.9")  # dorsalgia, unspecified: no region
    with pytest.raises(FhirError, match="region"):
        load_bundle(bundle)
    assert load_bundle(bundle, region="cervical").region.value == "cervical"


def test_plan_from_a_bundle():
    """next_eligible works on a loaded bundle as on any episode."""
    ep = load_bundle((DATA / "lumbar-blocks-ablation.json").read_text("utf-8"))
    plan = next_eligible(ep, policies.load("centene-facet"), as_of="2026-09-14")
    assert plan.state == "rfa"


def test_seed_004_bundle_is_the_seed_004_case():
    """The seed-004 case as an EHR bundle reads as docs/examples/seed-004-case.json, plus the billed code."""
    got = episode_to_dict(load_bundle((DATA / "seed-004-case.json").read_text("utf-8")))
    want = episode_to_dict(load_episode((DOCS / "examples" / "seed-004-case.json").read_text("utf-8")))
    assert [e.get("codes") for e in got["events"] if e["type"] == "procedure"] == [["64483"]]
    got["events"] = [{k: v for k, v in e.items() if k != "codes"} for e in got["events"]]
    assert got == want


def test_cervical_epidurals_bundle():
    """A transaction bundle: not-done is skipped; apixaban is anticoagulation; levels from text."""
    loaded = read_bundle((DATA / "cervical-epidurals.json").read_text("utf-8"))
    ep = loaded.episode
    assert ep.region.value == "cervical"
    assert loaded.skipped == {"Procedure": 1}
    assert [str(e.date) for e in ep.events if e.type == "procedure"] == ["2026-02-16", "2026-03-30"]
    (cond,) = [e for e in ep.events if e.type == "condition"]
    assert (cond.condition, str(cond.end)) == ("anticoagulation", "2026-02-03")
    (img,) = [e for e in ep.events if e.type == "imaging"]
    assert img.findings == ("disc_herniation",)
    assert img.levels == ("C5-C6",)
    assert next(e for e in ep.events if e.type == "exam").nrs == 8


def test_cli_reads_a_bundle(capsys, tmp_path):
    """`episodes next-eligible BUNDLE --fhir --fhir-codes FILE --json` plans the bundle's episode."""
    from episodes._cli import main

    codes = tmp_path / "local.toml"
    codes.write_text('[[codes]]\nsystem = "urn:ehr:local"\ncode = "X"\nmeans = "relief_percent"\n')
    bundle = str(DATA / "lumbar-blocks-ablation.json")
    argv = ["next-eligible", bundle, "--policy", "centene-facet", "--as-of", "2026-09-14", "--json"]
    assert main([*argv, "--fhir", "--fhir-codes", str(codes)]) == 0
    assert json.loads(capsys.readouterr().out)["state"] == "rfa"
    assert main(argv) == 2  # a Bundle is not an episode/1 document without --fhir
    assert "episodes:" in capsys.readouterr().err


def test_docs_fhir_tables_match_the_data_files():
    """docs/fhir.md shows the code tables as the data files hold them now."""
    from episodes.fhir._tables import markdown

    text = (DOCS / "fhir.md").read_text("utf-8")
    shown = text.split("<!-- tables:begin -->\n", 1)[1].split("<!-- tables:end -->", 1)[0]
    assert shown == markdown()


def test_round_trip_of_the_newer_event_types():
    """Diagnoses, authorizations (each optional field present or absent) and billed codes survive."""
    doc = {
        "patient_id": "p-rt",
        "region": "lumbar",
        "events": [
            {"type": "diagnosis", "code": "M47.816", "date": "2026-01-02", "end": "2026-06-30"},
            {"type": "diagnosis", "code": "Z79.01", "date": "2026-01-03"},
            {
                "type": "authorization",
                "id": "a1",
                "procedure": "mbb",
                "date": "2026-01-05",
                "status": "approved",
            },
            {
                "type": "authorization",
                "id": "a2",
                "procedure": "rfa",
                "date": "2026-01-06",
                "status": "denied",
                "valid_from": "2026-01-07",
                "valid_through": "2026-04-07",
                "levels": ["L4-L5"],
                "reference": "R-9",
            },
            {
                "type": "authorization",
                "id": "a3",
                "procedure": "esi",
                "date": "2026-01-06",
                "status": "approved",
                "valid_through": "2026-02-07",
            },
            {
                "type": "procedure",
                "id": "b1",
                "procedure": "ia_facet",
                "date": "2026-01-10",
                "levels": ["L4-L5"],
                "side": "left",
                "codes": ["64493"],
            },
            {
                "type": "procedure",
                "id": "e1",
                "procedure": "esi",
                "date": "2026-01-12",
                "levels": ["L5-S1"],
                "side": "right",
                "codes": ["64483"],
            },
            {
                "type": "care",
                "care": "nsaid",
                "start": "2026-01-01",
                "response": "partial",
                "not_tolerated": True,
            },
        ],
    }
    episode = load_episode(doc)
    assert episode_to_dict(load_bundle(dump_bundle(episode))) == episode_to_dict(episode)


def test_facet_injection_intent_and_side_from_the_billed_codes():
    """A facet-injection CPT code is mbb by default, ia_facet with our `therapeutic` category; a
    billed modifier gives the side where bodySite has no laterality."""

    def procedure(category):
        r = {
            "resourceType": "Procedure",
            "id": "p1",
            "status": "completed",
            "subject": {"reference": "Patient/x"},
            "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "64493-RT"}]},
            "performedDateTime": "2026-03-03",
            "bodySite": [{"text": "L4-L5"}],
        }
        if category:
            r["category"] = {
                "coding": [
                    {
                        "system": "https://facet-episodes.example/fhir/CodeSystem/episode",
                        "code": "therapeutic",
                    }
                ]
            }
        return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r}]}

    (block,) = load_bundle(procedure(False)).events
    (injection,) = load_bundle(procedure(True)).events
    assert (block.procedure, block.side) == ("mbb", "right")
    assert (injection.procedure, injection.side) == ("ia_facet", "right")


def test_a_finding_coded_twice_is_one_finding():
    """A report whose conclusion codes name a finding twice (in one concept, and in another)
    reads that finding once, and the text is not read when codes say what it shows."""
    bundle = _bundle("lumbar-blocks-ablation.json")
    ours = "https://facet-episodes.example/fhir/CodeSystem/episode"
    twice = {
        "coding": [{"system": ours, "code": "finding.stenosis"}, {"system": ours, "code": "finding.stenosis"}]
    }
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == "mri1":
            entry["resource"]["conclusionCode"] = [twice, {"coding": [twice["coding"][0]]}]
    imaging = next(e for e in load_bundle(bundle).events if e.type == "imaging")
    assert imaging.findings == ("stenosis",)


def test_an_icd_code_means_what_its_longest_known_prefix_means():
    """A code under two listed prefixes means what the longer one means, whatever the order of
    the table's rows: a local Z79.011, listed after the built-in Z79.01, decides Z79.0112."""
    from episodes.fhir._tables import builtin

    icd = builtin().systems["icd10cm"]
    local = [{"system": icd, "code": "Z79.011", "means": "condition.prior_fusion"}]
    codes = builtin().with_local({"codes": local})
    assert codes.lookup(icd, "Z79.0112") == "condition.prior_fusion"
    assert codes.lookup(icd, "Z79.019") == "condition.anticoagulation"
    assert codes.lookup(icd, "Z80") is None


@pytest.mark.parametrize(
    ("resource", "change", "path"),
    [
        # a date read from performedPeriod is refused there, not at performedDateTime
        (
            "rfa1",
            {"performedDateTime": None, "performedPeriod": {"start": "2300-01-01"}},
            "performedPeriod.start",
        ),
        # levels read from the extension are refused there, not at the conclusion
        (
            "mri1",
            {"extension": [{"url": EXT + "levels", "valueString": "L4-L5 Q9-Q10"}]},
            "extension",
        ),
    ],
)
def test_a_refused_value_is_named_where_it_was_read(resource: str, change: dict[str, Any], path: str) -> None:
    bundle = _bundle("lumbar-blocks-ablation.json")
    for entry in bundle["entry"]:
        if entry["resource"]["id"] == resource:
            entry["resource"].update(change)
            entry["resource"] = {k: v for k, v in entry["resource"].items() if v is not None}
    with pytest.raises(FhirError) as info:
        load_bundle(bundle)
    assert (info.value.resource_id, info.value.path) == (resource, path)
