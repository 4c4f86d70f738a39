"""The command-line transcripts in the docs: each ```console block whose first line is
``$ episodes ...`` (continued with ``\\``), followed by what the command prints.

A line ``    ...`` in the expected output stands for any lines.  ``python tests/transcripts.py``
rewrites the outputs of the blocks without such a line from what the commands print now.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def commands(text: str) -> Iterator[tuple[str, list[str], str]]:
    """Each transcript of ``text``: the block as written, the command's arguments, its output."""
    for m in _BLOCK.finditer(text):
        body = m.group(1)
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ episodes "):
                i += 1
                continue
            command = lines[i][2:]
            while command.endswith("\\"):
                i += 1
                command = command[:-1] + lines[i].strip()
            i += 1
            out: list[str] = []
            while i < len(lines) and not lines[i].startswith("$ "):
                out.append(lines[i])
                i += 1
            yield body, shlex.split(command)[1:], "\n".join(out).rstrip("\n")


def run(args: list[str]) -> tuple[int, str]:
    """What ``episodes ARGS`` prints (stdout and stderr), from the project's root."""
    from episodes._cli import main

    buffer = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(args)
    return code, buffer.getvalue().rstrip("\n")


def matches(expected: str, actual: str) -> bool:
    """``expected`` with each ``...`` line standing for any lines."""
    pattern = "".join(
        "(?:.*\n)*" if line.strip() == "..." else re.escape(line) + "\n" for line in expected.split("\n")
    )
    return re.fullmatch(pattern, actual + "\n") is not None


def rewrite() -> None:
    for path in FILES:
        text = original = path.read_text(encoding="utf-8")
        for _, args, expected in list(commands(original)):
            if re.search(r"^ *\.\.\.$", expected, flags=re.M):
                continue
            _, actual = run(args)
            if expected and expected in text:
                text = text.replace(expected, actual, 1)
        if text != original:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    rewrite()
