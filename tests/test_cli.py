"""The command line: tables for a person, JSON for a program, exit 2 on bad input."""

import json
from pathlib import Path

import pytest

from episodes import dump_episode
from episodes._cli import main
from episodes.fhir import load_bundle

EXAMPLE = str(Path(__file__).parent.parent / "docs" / "examples" / "lumbar-facet.json")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_next_eligible_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The plan table names the state, each procedure's step, status and earliest date, and why."""
    code, out, _ = run(capsys, "next-eligible", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10")
    assert code == 0
    assert "pathway state: mbb1" in out
    assert "mbb         mbb2        waiting  2026-04-20" in out
    assert "previous mbb on 2026-04-06" in out
    assert "[Centene CP.MP.171 I.A.1]" in out


def test_next_eligible_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--json gives the plan as data: dates as YYYY-MM-DD, statuses as strings."""
    code, out, _ = run(
        capsys, "next-eligible", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-20", "--json"
    )
    assert code == 0
    plan = json.loads(out)
    assert plan["state"] == "mbb1"
    assert plan["entries"]["mbb"]["status"] == "eligible"
    assert plan["entries"]["mbb"]["earliest"] == "2026-04-20"
    rules = {c["rule"]: c for c in plan["entries"]["mbb"]["criteria"]}
    assert rules["interval"]["citation"] == "Centene CP.MP.171 I.A.1"


def test_evaluate_with_flags_and_with_json_proposal(capsys: pytest.CaptureFixture[str]) -> None:
    """A proposal one day early is denied; on the day it is approved (flags or a JSON proposal)."""
    code, out, _ = run(
        capsys,
        "evaluate",
        EXAMPLE,
        "--policy",
        "centene-facet",
        "--procedure",
        "mbb",
        "--date",
        "2026-04-19",
        "--levels",
        "L4-L5,L5-S1",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["status"] == "denied"
    proposal = json.dumps({"procedure": "mbb", "date": "2026-04-20", "levels": ["L4-L5"], "side": "left"})
    code, out, _ = run(capsys, "evaluate", EXAMPLE, "--policy", "centene-facet", "--proposal", proposal)
    assert code == 0
    assert "2026-04-20  mbb        mbb2  -   approved" in out


def test_audit_and_policies(capsys: pytest.CaptureFixture[str]) -> None:
    """audit lists each recorded procedure's decision; policies lists ids and shows one."""
    code, out, _ = run(capsys, "audit", EXAMPLE, "--policy", "centene-facet")
    assert code == 0
    assert "2026-04-06  mbb        mbb1  b1  approved" in out
    code, out, _ = run(capsys, "policies")
    assert code == 0
    assert "centene-facet" in out
    code, out, _ = run(capsys, "policies", "centene-facet")
    assert code == 0
    assert "interval: at least 2 weeks after the previous mbb [Centene CP.MP.171 I.A.1]" in out
    assert "not encoded:" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("next-eligible", "absent.json", "--policy", "centene-facet"), "absent.json: cannot read"),
        (("next-eligible", EXAMPLE, "--policy", "no-such-policy"), "no bundled policy"),
        (("evaluate", EXAMPLE, "--policy", "centene-facet", "--procedure", "mbb"), "--date, --levels"),
        (
            ("evaluate", EXAMPLE, "--policy", "centene-facet", "--proposal", '{"procedure": "mbb"}'),
            "field 'date': missing required field",
        ),
    ],
)
def test_bad_input_exits_2_with_the_error_on_stderr(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    """Bad input: exit status 2, the error on stderr, nothing on stdout."""
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert message in err


def test_bad_episode_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A bad event: exit 2, and the error names the event's index and field."""
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"patient_id": "p", "region": "lumbar", "events": [{"type": "exam", "date": "x"}]})
    )
    code, _, err = run(capsys, "next-eligible", str(bad), "--policy", "centene-facet")
    assert code == 2
    assert "event 0, field 'date'" in err
    assert "'p'" not in err  # no patient id in an error


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed --as-of is refused by the parser with exit 2."""
    with pytest.raises(SystemExit) as exit_:
        main(["next-eligible", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-02-30"])
    assert exit_.value.code == 2
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_an_eligible_row_says_what_closes_its_window() -> None:
    """Under sample-pa-64493 a first block is eligible until the nerve root injection of
    Dec 1 ages out (through Feb 28): the table's until names the rule that closes it."""
    from episodes import next_eligible
    from episodes._report import plan_text
    from tests.test_sample_pa import AS_OF, POLICY, ready

    ep = ready().build()
    plan = next_eligible(ep, POLICY, as_of=AS_OF)
    assert plan["mbb"].status == "eligible"
    row = next(line for line in plan_text(plan, ep).splitlines() if line.startswith("mbb "))
    assert "2026-02-28 (recent_procedure)" in row
    assert row.split()[-2:] == ["any", "64493"]  # no level rule for a first block: one level's code


def test_diagram_writes_mermaid(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``episodes diagram --policy ID`` prints mermaid text; ``-o`` writes it to a file."""
    code, out, _ = run(capsys, "diagram", "--policy", "cms-l38773")
    assert code == 0
    assert out.splitlines()[:4] == [
        "---",
        "cms-l38773: Facet Joint Interventions for Pain Management",
        "---",
        "stateDiagram-v2",
    ]
    target = tmp_path / "cms.mmd"
    assert run(capsys, "diagram", "--policy", "cms-l38773", "-o", str(target))[0] == 0
    assert target.read_text().rstrip("\n") == out.rstrip("\n")


def test_evaluate_with_codes_and_intent(capsys: pytest.CaptureFixture[str]) -> None:
    """``--codes 64493,64494`` is a second block (codes in the table and the JSON);
    ``--intent therapeutic`` an ia_facet; a cervical code is bad input (exit 2) naming the field."""
    base = (
        "evaluate",
        EXAMPLE,
        "--policy",
        "centene-facet",
        "--date",
        "2026-04-20",
        "--levels",
        "L4-L5,L5-S1",
    )
    code, out, _ = run(capsys, *base, "--codes", "64493,64494")
    assert code == 0
    assert "2026-04-20  mbb        mbb2  -   approved  64493-50 64494-50" in out
    code, out, _ = run(capsys, *base, "--codes", "64493,64494", "--intent", "therapeutic", "--json")
    data = json.loads(out)
    assert (data["procedure"], data["status"], data["side"]) == ("ia_facet", "denied", "bilateral")
    assert data["codes"] == [
        {"code": "64493", "units": 1, "modifiers": ["50"]},
        {"code": "64494", "units": 1, "modifiers": ["50"]},
    ]
    assert data["authorization"] is None
    code, _, err = run(capsys, *base, "--codes", "64490,64491")
    assert code == 2
    assert "field 'codes[0]'" in err
    assert "cervical or thoracic code; the region is lumbar" in err


def test_authorization_in_the_table_and_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    """Under sample-pa-64493 every entry reports its authorization: none on record here."""
    code, out, _ = run(
        capsys, "next-eligible", EXAMPLE, "--policy", "sample-pa-64493", "--as-of", "2026-04-10"
    )
    assert code == 0
    assert "authorization: none: no authorization for mbb on or before 2026-04-10" in out
    code, out, _ = run(
        capsys, "next-eligible", EXAMPLE, "--policy", "sample-pa-64493", "--as-of", "2026-04-10", "--json"
    )
    auth = json.loads(out)["entries"]["mbb"]["authorization"]
    assert (auth["status"], auth["citation"]) == ("none", "Sample PA 64493 Authorization Details 1")


def test_project_and_compare(capsys: pytest.CaptureFixture[str]) -> None:
    """``episodes project`` lists the projected steps and why they end; ``--relief`` outside
    0-100 is bad input; ``episodes compare`` names the first policy to an ablation."""
    code, out, _ = run(capsys, "project", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10")
    assert code == 0
    assert "2026-04-20  mbb        mbb2" in out
    assert out.rstrip().endswith(
        "\n\nassumed: 90% relief with functional improvement documented on each step's day\n\n"
        "ends: the facet pathway is projected through its last step of each kind (a further repeat "
        "comes under the same rules) (Centene CP.MP.171)"
    )
    code, out, _ = run(
        capsys, "project", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10", "--relief", "80"
    )
    assert "\nassumed: 80% relief with functional improvement documented on each step's day\n" in out
    for command in (["project", EXAMPLE, "--policy", "centene-facet"], ["compare", EXAMPLE]):
        with pytest.raises(SystemExit) as exit_:
            main([*command, "--relief", "120"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert err.strip().endswith("error: argument --relief: expected a percent from 0 to 100, got '120'")
    code, out, _ = run(capsys, "compare", EXAMPLE, "--as-of", "2026-04-10")
    assert code == 0
    assert out.startswith("first to an ablation: centene-facet on 2026-04-21")
    code, out, _ = run(
        capsys, "project", EXAMPLE, "--policy", "centene-facet", "--as-of", "2026-04-10", "--json"
    )
    assert json.loads(out)["steps"][1]["step"] == "rfa"


def test_compare_and_timeline_read_fhir_bundles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``compare`` and ``timeline`` take ``--fhir`` as the other commands do: the bundle's
    episode compared is the one ``load_bundle`` reads."""
    bundle = str(Path(__file__).parent / "data" / "fhir" / "lumbar-blocks-ablation.json")
    code, out, _ = run(capsys, "compare", bundle, "--fhir", "--as-of", "2026-06-01")
    assert code == 0
    as_json = tmp_path / "episode.json"
    as_json.write_text(dump_episode(load_bundle(Path(bundle).read_text())))
    assert run(capsys, "compare", str(as_json), "--as-of", "2026-06-01") == (0, out, "")
    svg = tmp_path / "t.svg"
    assert main(["timeline", bundle, "--fhir", "--policy", "centene-facet", "-o", str(svg)]) == 0
    assert svg.read_bytes().startswith(b"<?xml")
