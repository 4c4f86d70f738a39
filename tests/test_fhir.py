"""episodes.fhir: FHIR R4 Bundles in and out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import policies
from episodes import EpisodeError, evaluate, load_episode, next_eligible
from episodes._episode import episode_to_dict
from episodes.fhir import FhirError, dump_bundle, load_bundle, proposals, read_bundle
from episodes.testing import strategies

DATA = Path(__file__).parent / "data" / "fhir"
DOCS = Path(__file__).parent.parent / "docs"


def _bundle(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
