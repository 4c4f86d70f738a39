"""The population worklist: rows per episode and procedure, bad lines kept aside, the same
rows whichever runs it (this process, local processes, a Dask cluster)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest

import policies
from episodes import Status, load_episode, next_eligible
from episodes._cli import main
from episodes.population import (
    COLUMNS,
    PopulationError,
    chunks,
    errors_path,
    input_files,
    plan_lines,
    reason,
    worklist,
)
from episodes.testing.population import population

DOCS = Path(__file__).parent.parent / "docs" / "examples"
EXAMPLE = json.loads((DOCS / "lumbar-facet.json").read_text())
POPULATION = DOCS / "population.jsonl"
ON = pendulum.date(2026, 4, 10)


def line(episode: dict[str, Any]) -> str:
    return json.dumps(episode, separators=(",", ":"))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def lines() -> list[str]:
    """120 episodes for the Centene policy, under treatment on ON, with two bad lines and a blank one."""
    out = [line(d) for d in population(120, 5, ON, ["centene-facet"], distinct=60)]
    out[7] = '{"patient_id": "SECRET-77", "region": "lumbar", "events": [{"type": "exam"}]}'
    out[50] = "{not json"
    out[90] = "   "
    return out


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> Path:
    p = tmp_path_factory.mktemp("pop") / "pop.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_rows_are_the_plans_entries(lines: list[str]) -> None:
    """Each good line gives one row per plan entry, with the plan's step, status and dates."""
    part = plan_lines(lines, "centene-facet", ON)
    policy = policies.load("centene-facet")
    assert part.episodes == 117  # 120 lines, two bad, one blank
    first = next_eligible(load_episode(lines[0]), policy, ON)
    rows = [r for r in part.rows if r[0] == json.loads(lines[0])["patient_id"]]
    assert [r[3] for r in rows] == list(first.entries)
    for r, (proc, e) in zip(rows, first.entries.items(), strict=True):
        assert r[1:8] == (
            json.loads(lines[0])["region"],
            first.state.value,
            proc,
            e.step,
            e.status.value,
            e.earliest,
            e.until,
        )
    assert len(part.rows) == sum(
        len(next_eligible(load_episode(t), policy, ON)) for i, t in enumerate(lines) if i not in (7, 50, 90)
    )


def test_bad_lines_have_their_number_and_no_patient_id(lines: list[str]) -> None:
    """A bad line is reported by its line number (from first_line) with the error, never the patient id."""
    part = plan_lines(lines, "centene-facet", ON, first_line=1, source="pop.jsonl")
    assert [(f, n) for f, n, _ in part.errors] == [("pop.jsonl", 8), ("pop.jsonl", 51)]
    assert "field 'date'" in part.errors[0][2]
    assert "SECRET-77" not in part.errors[0][2]
    assert "not JSON" in part.errors[1][2]
    assert not any(r[0] == "SECRET-77" for r in part.rows)


def test_error_file_withholds_patient_ids_and_unknown_values() -> None:
    """A bad patient id, or an unknown field (of the episode or an event), is named with the
    value's type only: the error file never shows a patient id nor what an unknown key held."""
    bad = [
        {"patient_id": 12345, "region": "lumbar", "events": []},
        {"patient_id": ["PID-4"], "region": "lumbar", "events": []},
        {"patient_id": "PID-1", "region": "lumbar", "events": [], "ssn": "999-99"},
        {
            "patient_id": "PID-2",
            "region": "lumbar",
            "events": [{"type": "exam", "date": "2026-01-01", "x": "PID-2"}],
        },
    ]
    errors = [e for _, _, e in plan_lines([json.dumps(b) for b in bad], "centene-facet", ON).errors]
    assert len(errors) == 4
    for error, field in zip(errors, ("patient_id", "patient_id", "ssn", "x"), strict=True):
        assert f"'{field}'" in error
        assert not any(secret in error for secret in ("12345", "PID-", "999-99"))


def test_bytes_not_utf8_are_a_bad_line() -> None:
    """A line that is not UTF-8 is a bad line (with the byte), not a crash."""
    good = line(EXAMPLE).encode()
    part = plan_lines([good, b'{"patient_id": "\xff"}', good], "centene-facet", ON, first_line=41)
    assert part.episodes == 2
    assert part.errors == [("", 42, "not UTF-8 text (byte 17 of the line)")]


def test_reason_of_a_blocked_step_is_what_blocks_it() -> None:
    """mbb2 waits on the interval (first in the policy) but is blocked by the first block's relief:
    the row names the relief rule; a waiting step names its first criterion not met."""
    low = json.loads(json.dumps(EXAMPLE))
    low["events"][8]["relief_percent"] = 60
    plan = next_eligible(load_episode(low), policies.load("centene-facet"), ON)
    mbb = plan["mbb"]
    assert mbb.status is Status.BLOCKED
    assert [c.rule for c in mbb.unmet()][:2] == ["interval", "relief"]
    rule, message = reason(mbb)
    assert rule == "relief"
    assert "60% relief" in message
    waiting = next_eligible(load_episode(EXAMPLE), policies.load("centene-facet"), ON)["mbb"]
    assert waiting.status is Status.WAITING
    assert reason(waiting)[0] == "interval"
    eligible = next_eligible(load_episode(EXAMPLE), policies.load("centene-facet"), ON.add(days=10))["mbb"]
    assert eligible.status is Status.ELIGIBLE
    assert reason(eligible) == ("", "")


@pytest.mark.parametrize(("within", "kept"), [(9, False), (10, True), (11, True)])
def test_within_keeps_what_opens_by_then(within: int, kept: bool) -> None:
    """The example's second block opens on 2026-04-20, 10 days after ON: kept within 10 days, not 9;
    a blocked step is never kept."""
    part = plan_lines([line(EXAMPLE)], "centene-facet", ON, within)
    assert ("mbb" in [r[3] for r in part.rows]) is kept
    assert all(r[5] != "blocked" for r in part.rows)


def test_chunks_cut_at_newlines(tmp_path: Path) -> None:
    """The input is cut every N bytes at the next newline, into whole lines; a last line without
    its newline is read."""
    p = tmp_path / "x.jsonl"
    p.write_bytes(b"a\nbb\n\nccc\nd")
    parts = list(chunks([(p, "x.jsonl")], 2))
    assert [(c.offset, c.length) for c in parts] == [(0, 5), (5, 5), (10, 1)]
    assert [(c.offset, c.length) for c in chunks([(p, "x.jsonl")], 100)] == [(0, 11)]
    assert [(c.offset, c.length) for c in chunks([(p, "x.jsonl")], 9)] == [(0, 10), (10, 1)]
    from episodes.population import read_chunk

    assert [read_chunk(c) for c in parts] == [[b"a", b"bb"], [b"", b"ccc"], [b"d"]]


def test_worklist_csv_and_error_file(jsonl: Path, tmp_path: Path, lines: list[str]) -> None:
    """The CSV has the contract's columns, ISO dates; the error file lists the bad lines."""
    out = tmp_path / "w.csv"
    done = worklist(jsonl, "centene-facet", out, as_of="2026-04-10", workers=1, partition_bytes=60_000)
    rows = read_csv(out)
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == done.rows == len(plan_lines(lines, "centene-facet", ON).rows)
    assert done.episodes == 117
    assert all(r["earliest"] == "" or pendulum.parse(r["earliest"]) for r in rows)
    errs = read_csv(errors_path(out))
    assert [(e["file"], e["line"]) for e in errs] == [("pop.jsonl", "8"), ("pop.jsonl", "51")]
    assert done.error_file == tmp_path / "w.errors.csv"


def test_parquet_has_date32_columns(jsonl: Path, tmp_path: Path) -> None:
    """Parquet out: strings, and date32 earliest/until; the same rows as the CSV."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    worklist(jsonl, "centene-facet", tmp_path / "w.csv", as_of=ON, workers=1, partition_bytes=60_000)
    worklist(jsonl, "centene-facet", tmp_path / "w.parquet", as_of=ON, workers=1, partition_bytes=60_000)
    table = pq.read_table(tmp_path / "w.parquet")
    assert table.schema.field("earliest").type == pa.date32()
    assert table.column_names == list(COLUMNS)
    as_csv = [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in table.to_pylist()]
    assert as_csv == read_csv(tmp_path / "w.csv")


def test_local_processes_give_the_same_rows(jsonl: Path, tmp_path: Path) -> None:
    """Two local processes (Dask's processes scheduler) write the same bytes as one process,
    the bad lines numbered across partitions."""
    assert len(list(chunks(input_files(jsonl), 60_000))) > 3
    one = worklist(jsonl, "centene-facet", tmp_path / "one.csv", as_of=ON, workers=1, partition_bytes=60_000)
    two = worklist(jsonl, "centene-facet", tmp_path / "two.csv", as_of=ON, workers=2, partition_bytes=60_000)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert errors_path(one.out).read_bytes() == errors_path(two.out).read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".worklist-")]


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A two-process Dask cluster on loopback, no dashboard; its scheduler's address."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, host="127.0.0.1"
    ) as c:
        yield c.scheduler_address


def test_cluster_gives_the_same_rows(cluster: str, jsonl: Path, tmp_path: Path) -> None:
    """On a LocalCluster of two workers the worklist is the single process's, row for row (CSV, Parquet)."""
    import pyarrow.parquet as pq

    for kind in ("csv", "parquet"):
        worklist(
            jsonl, "centene-facet", tmp_path / f"one.{kind}", as_of=ON, workers=1, partition_bytes=60_000
        )
        on_cluster = worklist(
            jsonl,
            "centene-facet",
            tmp_path / f"two.{kind}",
            as_of=ON,
            scheduler=cluster,
            partition_bytes=60_000,
        )
        assert on_cluster.bad_lines == 2
        assert (
            errors_path(tmp_path / f"two.{kind}").read_bytes()
            == errors_path(tmp_path / f"one.{kind}").read_bytes()
        )
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "two.parquet"))


def test_folder_input_names_each_file(tmp_path: Path, lines: list[str]) -> None:
    """A folder's .jsonl files are read in name order; a bad line names its file and line."""
    folder = tmp_path / "in"
    (folder / "b").mkdir(parents=True)
    (folder / "a.jsonl").write_text("\n".join(lines[:10]) + "\n")
    (folder / "b" / "c.jsonl").write_text("\n".join(lines[48:52]) + "\n")
    (folder / "notes.txt").write_text("not read")
    assert [s for _, s in input_files(folder)] == ["a.jsonl", "b/c.jsonl"]
    done = worklist(folder, "centene-facet", tmp_path / "w.csv", as_of=ON, workers=1)
    assert read_csv(errors_path(done.out)) == [
        {"file": "a.jsonl", "line": "8", "error": plan_lines(lines[7:8], "centene-facet", ON).errors[0][2]},
        {
            "file": "b/c.jsonl",
            "line": "3",
            "error": plan_lines(lines[50:51], "centene-facet", ON).errors[0][2],
        },
    ]


def test_what_cannot_run_is_a_population_error(tmp_path: Path, jsonl: Path) -> None:
    """A missing input, an empty folder, an output of unknown kind, a negative window: clear errors."""
    with pytest.raises(PopulationError, match="no such file"):
        worklist(tmp_path / "nothing.jsonl", "centene-facet", tmp_path / "w.csv")
    with pytest.raises(PopulationError, match=r"no \.jsonl"):
        worklist(tmp_path, "centene-facet", tmp_path / "w.csv")
    with pytest.raises(PopulationError, match=r"\.csv or \.parquet"):
        worklist(jsonl, "centene-facet", tmp_path / "w.xlsx")
    with pytest.raises(PopulationError, match="within"):
        worklist(jsonl, "centene-facet", tmp_path / "w.csv", within=-1)


def test_cli_on_the_shipped_example(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`episodes worklist` on docs/examples/population.jsonl: rows for 29 episodes, its one bad line
    (17) in the error file, a summary on stderr (as docs/populations.md shows it); --within keeps
    only what opens by then."""
    out = tmp_path / "worklist.csv"
    code = main(
        ["worklist", str(POPULATION), "--policy", "centene-facet", "--as-of", "2026-04-10", "-o", str(out)]
    )
    _, err = capsys.readouterr()
    assert code == 0
    rows = read_csv(out)
    assert len({r["patient_id"] for r in rows}) == 29
    assert [e["line"] for e in read_csv(errors_path(out))] == ["17"]
    assert err == f"episodes: 29 episodes, 116 rows to {out}; 1 bad line in {errors_path(out)}\n"
    shown = (Path(__file__).parent.parent / "docs" / "populations.md").read_text()
    assert err.replace(str(tmp_path) + "/", "") in shown.replace("# episodes: ", "episodes: ")
    code = main(
        [
            "worklist",
            str(POPULATION),
            "--policy",
            "centene-facet",
            "--as-of",
            "2026-04-10",
            "--within",
            "30",
            "-o",
            str(out),
        ]
    )
    capsys.readouterr()
    soon = read_csv(out)
    assert soon
    assert all(r["status"] != "blocked" and r["earliest"] <= "2026-05-10" for r in soon)
    assert len(soon) < len(rows)


def test_cli_bad_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing input or an unknown policy: exit 2 and one line on stderr."""
    assert (
        main(
            [
                "worklist",
                str(tmp_path / "none.jsonl"),
                "--policy",
                "centene-facet",
                "-o",
                str(tmp_path / "w.csv"),
            ]
        )
        == 2
    )
    assert "no such file" in capsys.readouterr().err
    assert main(["worklist", str(POPULATION), "--policy", "no-such", "-o", str(tmp_path / "w.csv")]) == 2
    assert capsys.readouterr().err.startswith("episodes: ")


def test_parquet_input_one_episode_a_row(tmp_path: Path, lines: list[str], jsonl: Path) -> None:
    """A Parquet input (a string column `episode`, one episode's JSON a row, several row groups)
    gives the rows the same JSON lines give; a bad row is numbered by its row, from 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"episode": [None if t.isspace() else t for t in lines], "n": list(range(len(lines)))})
    pq.write_table(table, tmp_path / "pop.parquet", row_group_size=25)
    assert len(list(chunks(input_files(tmp_path / "pop.parquet")))) == 5
    from_parquet = worklist(
        tmp_path / "pop.parquet", "centene-facet", tmp_path / "p.csv", as_of=ON, workers=1
    )
    worklist(jsonl, "centene-facet", tmp_path / "j.csv", as_of=ON, workers=1)
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "j.csv").read_bytes()
    errs = read_csv(errors_path(from_parquet.out))
    assert [(e["file"], e["line"]) for e in errs] == [("pop.parquet", "8"), ("pop.parquet", "51")]
    pq.write_table(pa.table({"a": ["x"], "b": ["y"]}), tmp_path / "two.parquet")
    with pytest.raises(PopulationError, match="string column 'episode'"):
        worklist(tmp_path / "two.parquet", "centene-facet", tmp_path / "w.csv")


def test_a_policy_file_by_a_relative_path(
    tmp_path: Path, jsonl: Path, monkeypatch: pytest.MonkeyPatch, cluster: str
) -> None:
    """A policy given as a .toml path relative to where the run starts is read there, also by
    the cluster's workers (which run in another folder)."""
    import policies as bundled

    (tmp_path / "mine.toml").write_bytes((Path(bundled.__file__).parent / "centene-facet.toml").read_bytes())
    monkeypatch.chdir(tmp_path)
    worklist(jsonl, "centene-facet", tmp_path / "a.csv", as_of=ON, workers=1)
    worklist(jsonl, "mine.toml", tmp_path / "b.csv", as_of=ON, scheduler=cluster, partition_bytes=60_000)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_progress_bar_on_request(jsonl: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With progress (the default on a terminal) local workers show Dask's bar on stderr; without, none."""
    worklist(
        jsonl, "centene-facet", tmp_path / "w.csv", as_of=ON, workers=2, partition_bytes=60_000, progress=True
    )
    assert "100% Completed" in capsys.readouterr().err
    worklist(
        jsonl,
        "centene-facet",
        tmp_path / "w.csv",
        as_of=ON,
        workers=2,
        partition_bytes=60_000,
        progress=False,
    )
    assert capsys.readouterr().err == ""
