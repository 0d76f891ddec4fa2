"""Problems found while loading or linting the knowledge base, reported as `file:line: message`.

A problem holds a message code and its parameters; the words come from `lint_messages.toml`, in
the language the config chooses (`[knowledge_base] lint_language`), so the CLI and the bot's
reload log say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .lint_messages import DEFAULT_LANGUAGE, message

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing an editor must fix (an error) or should look at (a warning)."""

    path: Path
    line: int
    code: str
    params: tuple[tuple[str, str], ...] = ()
    severity: Severity = "error"

    @classmethod
    def of(cls, path: Path, line: int, code: str, **params: object) -> Problem:
        """An error with named parameters for its message template."""
        return cls(path, max(line, 1), code, tuple((k, str(v)) for k, v in params.items()))

    @classmethod
    def warn(cls, path: Path, line: int, code: str, **params: object) -> Problem:
        """A warning: reported, but the knowledge base can still be used."""
        found = cls.of(path, line, code, **params)
        return cls(found.path, found.line, found.code, found.params, "warning")

    def param(self, name: str) -> str:
        """One parameter of the message ('' when absent)."""
        return dict(self.params).get(name, "")

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The message alone, in `language`."""
        words = message(self.code, dict(self.params), language)
        if self.severity == "warning":
            return f"{message('warning', {}, language)}: {words}"
        return words

    def line_text(self, language: str = DEFAULT_LANGUAGE) -> str:
        """`file:line: message` in `language`."""
        return f"{self.path}:{self.line}: {self.text(language)}"

    @property
    def message(self) -> str:
        """The message in the default language."""
        return self.text()

    def __str__(self) -> str:
        return self.line_text()


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that make a knowledge base unusable."""
    return [p for p in problems if p.severity == "error"]


class KnowledgeBaseError(Exception):
    """The knowledge base cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"invalid knowledge base: {first}{more}")


def toml_error_line(message: str) -> int:
    """The line number tomllib puts in its error message ("... (at line 31, column 2)")."""
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1
