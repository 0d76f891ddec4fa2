"""Problems found while loading or linting the knowledge base, reported as `file:line: message`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing an editor must fix."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"invalid knowledge base: {first}{more}")


def toml_error_line(message: str) -> int:
    """The line number tomllib puts in its error message ("... (at line 31, column 2)")."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1
