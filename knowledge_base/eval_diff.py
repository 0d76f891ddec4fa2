"""Compare two knowledge base versions on a case file: the cases whose decision changed.

Built on a per-case outcome function (the decision for a message, or the last decision of a
played dialog), so any kind of case the evaluation knows can be compared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar


class Comparable(Protocol):
    """A case: where it is in the file and what a good desk decides."""

    @property
    def line(self) -> int: ...

    @property
    def expect(self) -> tuple[str, ...]: ...

    @property
    def categories(self) -> tuple[str, ...]: ...


C = TypeVar("C", bound=Comparable)


@dataclass(frozen=True)
class Outcome:
    """What the desk decided for a case: a catalog label and the category, if any."""

    label: str
    category: str | None = None

    def __str__(self) -> str:
        return self.label + (f" ({self.category})" if self.category else "")


@dataclass(frozen=True)
class Change:
    """A case decided differently by the two versions; `verdict` says if it got better."""

    line: int
    text: str
    expect: tuple[str, ...]
    base: Outcome
    new: Outcome
    verdict: Literal["fixed", "broken", "changed"]

    def as_dict(self) -> dict[str, Any]:
        """The change as plain data (the `--json` output)."""
        return {
            "line": self.line,
            "text": self.text,
            "expected": list(self.expect),
            "base": str(self.base),
            "new": str(self.new),
            "verdict": self.verdict,
        }


def changed_cases(
    cases: Sequence[C],
    base: Callable[[C], Outcome],
    new: Callable[[C], Outcome],
    describe: Callable[[C], str],
) -> list[Change]:
    """Every case whose outcome differs between `base` and `new`, in file order."""
    changes = []
    for case in cases:
        before, after = base(case), new(case)
        if before == after:
            continue
        was, now = _hit(case, before), _hit(case, after)
        verdict: Literal["fixed", "broken", "changed"] = (
            "fixed" if now and not was else "broken" if was and not now else "changed"
        )
        changes.append(Change(case.line, describe(case), case.expect, before, after, verdict))
    return changes


def _hit(case: Comparable, outcome: Outcome) -> bool:
    if outcome.label not in case.expect:
        return False
    return not case.categories or outcome.category is None or outcome.category in case.categories
