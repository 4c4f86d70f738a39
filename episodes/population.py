"""A payer's whole population, planned: the worklist.

Every episode of a JSON-lines input (one episode a line; or a folder of such
files) is planned under one policy on one date, and each of its plan's entries
becomes a row: ``patient_id``, ``region``, ``state``, ``procedure``, ``step``,
``status``, ``earliest``, ``until``, and the ``rule`` and ``message`` of the
criterion that explains the status (see :func:`reason`).  A line that is not
an episode goes to the error file with its line number and the error (never
the patient id), and the rest goes on.

One function plans a slice of lines (:func:`plan_lines`); the same function
runs in this process, on the local machine's cores (Dask's ``processes``
scheduler) or on a Dask cluster (``scheduler="tcp://..."``), so the output is
the same row for row whichever runs it.  Dask and pyarrow (for Parquet) are
the ``dask`` extra: ``pip install 'facet-episodes[dask]'``.

>>> from episodes.population import worklist
>>> worklist("population.jsonl", "centene-facet", "worklist.csv", as_of="2026-04-10")  # doctest: +SKIP
Summary(episodes=..., rows=..., bad_lines=..., out=..., error_file=...)
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from attrs import frozen
from pendulum import Date

from ._batch import next_eligible_many
from ._errors import EpisodeError, InvalidEvent
from ._policy import Policy
from ._query import Eligibility, Status
from ._time import as_date, query_day, shift

#: The worklist's columns, in order.
COLUMNS = (
    "patient_id",
    "region",
    "state",
    "procedure",
    "step",
    "status",
    "earliest",
    "until",
    "rule",
    "message",
)
#: The error file's columns: the input file (relative to a folder input), the line (from 1), the error.
ERROR_COLUMNS = ("file", "line", "error")
#: Bytes of input a partition holds (cut at the next newline): a task's worth, some 6,000
#: episodes of 15 to 25 events, about a second of planning.
PARTITION_BYTES = 16 << 20
#: The suffixes read from a folder input.
LINE_SUFFIXES = (".jsonl", ".ndjson", ".parquet")

Row = tuple[str, str, str, str, str, str, Date | None, Date | None, str, str]
BadLine = tuple[str, int, str]


class PopulationError(EpisodeError):
    """The worklist cannot run at all: an input that cannot be read, an output of unknown kind,
    a missing extra."""


@frozen
class Part:
    """What a slice of lines gave: the episodes planned, their rows, and the bad lines
    (file, line, error)."""

    episodes: int
    rows: list[Row]
    errors: list[BadLine]


@frozen
class Summary:
    """What a worklist run did: episodes planned, rows written, bad lines (not counted in
    ``episodes``), and where."""

    episodes: int
    rows: int
    bad_lines: int
    out: Path
    error_file: Path


# -- the one per-partition function ---------------------------------------------------


@lru_cache(maxsize=8)
def load_policy(ref: str) -> Policy:
    """A bundled policy id, or a path to a ``.toml`` file; loaded once per process."""
    import policies

    return policies.load_file(ref) if _is_path(ref) else policies.load(ref)


def _is_path(ref: str) -> bool:
    return ref.endswith(".toml") or "/" in ref or os.sep in ref


def reason(entry: Eligibility) -> tuple[str, str]:
    """The ``rule`` and ``message`` of the criterion that explains an entry's status
    (:meth:`~episodes.Eligibility.reason`); two empty strings for an eligible one."""
    c = entry.reason()
    return ("", "") if c is None else (c.rule, c.message)


def error_text(error: EpisodeError | None) -> str:
    """A bad line's error as the error file gives it: ``load_episode``'s message, with the
    value withheld (its type named instead) where it is a patient id or an unknown field's:
    the file goes to people who may not see the record."""
    if isinstance(error, InvalidEvent) and (error.field == "patient_id" or error.reason == "unknown field"):
        return str(InvalidEvent(error.index, error.field, type(error.value).__name__, error.reason))
    return str(error)


def plan_lines(
    lines: Iterable[str | bytes],
    policy: str | Policy,
    as_of: date,
    within: int | None = None,
    *,
    first_line: int = 1,
    source: str = "",
) -> Part:
    """Plan each line (one episode's JSON text) on ``as_of``; the rows and the bad lines.

    Blank lines are skipped (their numbers still count).  ``within``: keep only
    the entries that open within that many days of ``as_of`` (eligible, waiting or
    needing documentation, ``earliest`` on or before ``as_of`` + ``within``).
    ``first_line`` is the number of the first line (for the error rows); ``source``
    names the file in them.
    """
    pol = load_policy(policy) if isinstance(policy, str) else policy
    on = as_date(as_of)
    horizon = None if within is None else shift(on, within)
    numbers: list[int] = []

    rows: list[Row] = []
    errors: list[BadLine] = []

    def texts() -> Iterator[str]:
        for n, line in enumerate(lines, first_line):
            if isinstance(line, bytes):
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    errors.append((source, n, f"not UTF-8 text (byte {exc.start + 1} of the line)"))
                    continue
            if line.strip():
                numbers.append(n)
                yield line

    count = 0
    for done in next_eligible_many(texts(), pol, on):
        if done.plan is None:
            errors.append((source, numbers[done.index], error_text(done.error)))
            continue
        count += 1
        plan = done.plan
        pid, state = done.patient_id or "", plan.state.value
        region = done.region.value if done.region is not None else ""
        for procedure, e in plan.entries.items():
            if horizon is not None and (
                e.status is Status.BLOCKED or e.earliest is None or e.earliest > horizon
            ):
                continue
            rule, message = reason(e)
            rows.append(
                (pid, region, state, procedure, e.step, e.status.value, e.earliest, e.until, rule, message)
            )
    return Part(count, rows, errors)


# -- the input, cut into partitions ---------------------------------------------------


@frozen
class Chunk:
    """A partition of the input: ``length`` bytes of ``path`` from ``offset``, whole lines
    (``source`` names the file in the error file)."""

    path: str
    offset: int
    length: int
    source: str
    #: For a Parquet input: the row group, and the column holding the episodes' JSON text.
    row_group: int | None = None
    column: str | None = None


def input_files(input: str | os.PathLike[str]) -> list[tuple[Path, str]]:
    """The files to read, each with the name the error file gives it: a file itself, or a
    folder's ``.jsonl`` / ``.ndjson`` (or ``.parquet``) files in name order (relative to the
    folder)."""
    root = Path(input)
    if root.is_dir():
        found = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in LINE_SUFFIXES)
        if not found:
            raise PopulationError(f"{input}: no {' or '.join(LINE_SUFFIXES)} files in the folder")
        return [(p, p.relative_to(root).as_posix()) for p in found]
    if not root.is_file():
        raise PopulationError(f"{input}: no such file or folder")
    return [(root, root.name)]


def chunks(files: Sequence[tuple[Path, str]], size: int = PARTITION_BYTES) -> Iterator[Chunk]:
    """The input cut every ``size`` bytes, at the next newline: a seek and a short read a
    partition; nothing is parsed nor counted (a partition's lines are numbered when its
    results come back in order)."""
    for path, source in files:
        if path.suffix == ".parquet":
            yield from _row_groups(path, source)
            continue
        try:
            f = path.open("rb")
        except OSError as exc:
            raise PopulationError(f"{source}: cannot read: {exc.strerror}") from None
        with f:
            total = os.fstat(f.fileno()).st_size
            start = 0
            while start < total:
                end = start + size
                if end >= total:
                    end = total
                else:
                    f.seek(end)
                    while block := f.read(1 << 16):
                        k = block.find(b"\n")
                        if k >= 0:
                            end += k + 1
                            break
                        end += len(block)
                    end = min(end, total)
                yield Chunk(str(path), start, end - start, source)
                start = end


def _row_groups(path: Path, source: str) -> Iterator[Chunk]:
    """A Parquet input's partitions: its row groups, the episodes' JSON text in the column
    ``episode`` (or its one string column)."""
    pa = _arrow()
    import pyarrow.parquet as pq

    try:
        f = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise PopulationError(f"{source}: not a Parquet file ({type(exc).__name__})") from None
    schema = f.schema_arrow
    texts = [fld.name for fld in schema if pa.types.is_string(fld.type) or pa.types.is_large_string(fld.type)]
    column = "episode" if "episode" in schema.names else texts[0] if len(texts) == 1 else None
    if column is None or column not in texts:
        raise PopulationError(f"{source}: expected a string column 'episode' (one episode's JSON a row)")
    for i in range(f.num_row_groups):
        yield Chunk(str(path), 0, 0, source, i, column)


def read_chunk(chunk: Chunk) -> list[bytes] | list[str]:
    """A partition's lines (a last line without its newline included); a Parquet row group's
    texts (a null one is a blank line)."""
    if chunk.row_group is not None:
        import pyarrow.parquet as pq

        values = pq.ParquetFile(chunk.path).read_row_group(chunk.row_group, columns=[chunk.column]).column(0)
        return [v or "" for v in values.to_pylist()]
    with open(chunk.path, "rb") as f:
        f.seek(chunk.offset)
        data = f.read(chunk.length)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


# -- the output ------------------------------------------------------------------------


def _kind(out: Path) -> str:
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("csv", "parquet"):
        raise PopulationError(f"{out}: the output must be .csv or .parquet")
    return kind


def errors_path(out: str | os.PathLike[str]) -> Path:
    """Where the bad lines go: ``OUT.csv`` (or ``OUT.parquet``) gives ``OUT.errors.csv``."""
    p = Path(out)
    return p.with_name(p.stem + ".errors.csv")


def _arrow() -> Any:
    try:
        import pyarrow as pa
    except ImportError:
        raise PopulationError("Parquet needs pyarrow: pip install 'facet-episodes[dask]'") from None
    return pa


def _schema() -> Any:
    pa = _arrow()
    dates = ("earliest", "until")
    return pa.schema([(c, pa.date32() if c in dates else pa.string()) for c in COLUMNS])


def _iso_rows(rows: Iterable[Row]) -> Iterator[tuple[str, ...]]:
    """The rows with their two dates as ``YYYY-MM-DD`` (empty for none)."""
    for pid, region, state, procedure, step, status, earliest, until, rule, message in rows:
        yield (
            pid,
            region,
            state,
            procedure,
            step,
            status,
            "" if earliest is None else earliest.isoformat(),
            "" if until is None else until.isoformat(),
            rule,
            message,
        )


def encode(rows: Sequence[Row], kind: str) -> bytes:
    """A part's rows as the output's bytes: CSV text (no header), or an Arrow IPC stream."""
    if kind == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(_iso_rows(rows))
        return buf.getvalue().encode("utf-8")
    pa = _arrow()
    schema = _schema()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    table = pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as w:
        w.write_table(table)
    return bytes(sink.getvalue())


@frozen
class Done:
    """A partition planned: its lines, episodes planned, rows, bad lines (numbered from the
    partition's first line, 1), and its encoded rows (or the file holding them)."""

    source: str
    lines: int
    episodes: int
    rows: int
    errors: list[BadLine]
    data: bytes | None
    spilled: str | None


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector held off while a partition is planned: planning makes no
    reference cycles (0 found after 6,674 episodes with it off: everything goes by reference
    counts), but the collector, set off by the many objects a plan makes, walks the
    partition's rows again and again (about a tenth of the time).  Whatever a later change
    might leave in a cycle is collected when the partition is done."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run_chunk(
    chunk: Chunk,
    policy: str,
    as_of: date,
    within: int | None,
    kind: str,
    spill: str | None = None,
    number: int = 0,
) -> Done:
    """One partition, start to end: read its lines, plan them, encode the rows; with ``spill``
    (a folder every process can write), write them there instead of returning them."""
    lines = read_chunk(chunk)
    with _no_cycle_collection():
        part = plan_lines(lines, policy, as_of, within, source=chunk.source)
    data = encode(part.rows, kind)
    done = (chunk.source, len(lines), part.episodes, len(part.rows), part.errors)
    if spill is None:
        return Done(*done, data, None)
    path = os.path.join(spill, f"part-{number:06d}")
    with open(path, "wb") as f:
        f.write(data)
    return Done(*done, None, path)


def _run_numbered(
    numbered: tuple[int, Chunk], policy: str, as_of: date, within: int | None, kind: str, spill: str
) -> Done:
    return run_chunk(numbered[1], policy, as_of, within, kind, spill, numbered[0])


class _Writer:
    """The output and the error file, written part after part in the input's order."""

    def __init__(self, out: Path, kind: str) -> None:
        self.out, self.kind = out, kind
        self.episodes = self.rows = self.bad = 0
        self._lines: dict[str, int] = {}
        try:
            self._err = errors_path(out).open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise PopulationError(f"{errors_path(out)}: cannot write: {exc.strerror}") from None
        self._errw = csv.writer(self._err, lineterminator="\n")
        self._errw.writerow(ERROR_COLUMNS)
        if kind == "csv":
            # Its folder is writable: the error file's is.
            self._f: Any = out.open("w", encoding="utf-8", newline="")
            csv.writer(self._f, lineterminator="\n").writerow(COLUMNS)
        else:
            pa = _arrow()
            import pyarrow.parquet as pq

            self._pa = pa
            self._f = pq.ParquetWriter(out, _schema())

    def add(self, done: Done) -> None:
        self.episodes += done.episodes
        self.rows += done.rows
        self.bad += len(done.errors)
        before = self._lines.get(done.source, 0)  # the lines of the file's partitions before this
        self._lines[done.source] = before + done.lines
        self._errw.writerows((f, before + n, e) for f, n, e in done.errors)
        data = done.data
        if data is None:
            assert done.spilled is not None
            with open(done.spilled, "rb") as f:
                data = f.read()
            os.unlink(done.spilled)
        if self.kind == "csv":
            self._f.write(data.decode("utf-8"))
        elif done.rows:
            self._f.write_table(self._pa.ipc.open_stream(data).read_all())

    def close(self) -> None:
        self._f.close()
        self._err.close()


# -- the runs -------------------------------------------------------------------------


def worklist(
    input: str | os.PathLike[str],
    policy: str,
    out: str | os.PathLike[str],
    as_of: date | str | None = None,
    within: int | None = None,
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    partition_bytes: int = PARTITION_BYTES,
    progress: bool | None = None,
) -> Summary:
    """Plan every episode of ``input`` under ``policy`` on ``as_of`` (today when ``None``)
    and write the worklist to ``out`` (``.csv`` or ``.parquet``), the bad lines to
    :func:`errors_path` of it.

    ``policy``: a bundled id or a ``.toml`` path (each process loads it once).
    ``within``: only what opens within that many days.  ``scheduler``: a Dask
    scheduler's address (``tcp://host:8786``): the workers read ``input`` at the same
    path.  Without it, the local machine's cores (``workers``, default all of them;
    one, or an input of one partition, runs in this process, without Dask).
    ``progress``: a progress bar on stderr (default: when stderr is a terminal).
    """
    out = Path(out)
    kind = _kind(out)
    if _is_path(policy):
        policy = str(Path(policy).resolve())  # as the workers (another folder, another machine) see it
    if within is not None and within < 0:
        raise PopulationError(f"within: expected a number of days >= 0, got {within}")
    on = query_day(as_of)
    load_policy(policy)  # a bad policy fails here, once, not in every task
    parts = list(chunks(input_files(Path(input).resolve()), partition_bytes))
    if kind == "parquet":
        _arrow()
    show = sys.stderr.isatty() if progress is None else progress
    writer = _Writer(out, kind)
    try:
        if scheduler is not None:
            _on_cluster(writer, parts, scheduler, policy, on, within, kind, show)
        else:
            n = workers or _cores()
            if n <= 1 or len(parts) <= 1:
                for c in parts:
                    writer.add(run_chunk(c, policy, on, within, kind))
            else:
                _on_cores(writer, parts, n, policy, on, within, kind, show, out.parent)
    finally:
        writer.close()
    return Summary(writer.episodes, writer.rows, writer.bad, out, errors_path(out))


def _cores() -> int:
    """The cores this process may run on (a container's share, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _dask() -> Any:
    try:
        import dask.bag as db
    except ImportError:
        raise PopulationError(
            "more than one process needs Dask: pip install 'facet-episodes[dask]'"
        ) from None
    return db


def _on_cores(
    writer: _Writer,
    parts: list[Chunk],
    n: int,
    policy: str,
    on: Date,
    within: int | None,
    kind: str,
    show: bool,
    near: Path,
) -> None:
    """Dask's ``processes`` scheduler on ``n`` local processes; each part spilled to a file
    beside the output (the processes share the disk), then copied in order."""
    db = _dask()
    from dask.diagnostics.progress import ProgressBar

    with tempfile.TemporaryDirectory(prefix=".worklist-", dir=near) as spill:
        numbered = list(enumerate(parts))
        bag = db.from_sequence(numbered, npartitions=len(parts)).map(
            _run_numbered, policy, on, within, kind, spill
        )
        with ProgressBar(out=sys.stderr) if show else contextlib.nullcontext():  # type: ignore[no-untyped-call]
            done = bag.compute(scheduler="processes", num_workers=n)
        for d in done:
            writer.add(d)


def _on_cluster(
    writer: _Writer,
    parts: list[Chunk],
    address: str,
    policy: str,
    on: Date,
    within: int | None,
    kind: str,
    show: bool,
) -> None:
    """A running Dask cluster: a task per part, the results written in order as they come."""
    db = _dask()
    try:
        from distributed import Client, progress
    except ImportError:
        raise PopulationError("--scheduler needs distributed: pip install 'facet-episodes[dask]'") from None
    bag = db.from_sequence(parts, npartitions=len(parts)).map(run_chunk, policy, on, within, kind)
    with Client(address) as client:  # type: ignore[no-untyped-call]
        futures = client.compute(bag.to_delayed())
        if show:
            progress(futures)  # type: ignore[no-untyped-call]
        for f in futures:
            for d in f.result():
                writer.add(d)
            f.release()
