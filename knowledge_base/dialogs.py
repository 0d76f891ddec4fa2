"""Dialog cases (shared/eval/README.md, "Dialogs"): several turns, scored after the last one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DialogCase:
    """What a user types in order, where a good desk ends up, and what must never happen."""

    turns: tuple[str, ...]
    expect: tuple[str, ...]
    categories: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Turn:
    """What the bot decided after one user turn, and what it said (plain text)."""

    label: str
    category: str | None
    replies: tuple[str, ...]


# Plays a dialog's turns through the bot, from a fresh user, and reports each turn.
Player = Callable[[Sequence[str]], list[Turn]]


@dataclass
class DialogReport:
    """Dialog accuracy, `never` violations and every miss with the bot's replies."""

    dialogs: int = 0
    hits: int = 0
    category_cases: int = 0
    category_hits: int = 0
    violations: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (merged into `--json`)."""
        return {
            "dialogs": self.dialogs,
            "dialog_accuracy": round(self.hits / self.dialogs, 4) if self.dialogs else 0.0,
            "dialog_category_accuracy": (
                round(self.category_hits / self.category_cases, 4) if self.category_cases else 0.0
            ),
            "never_violations": self.violations,
            "dialog_misses": self.misses,
        }


def dialog_case(raw: dict[str, Any], line: int) -> DialogCase:
    """A dialog case from one parsed JSON line; raises TypeError/KeyError when malformed."""
    turns = raw["turns"]
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) for t in turns):
        raise TypeError("'turns' must be a non-empty list of texts")
    return DialogCase(
        tuple(turns),
        strings(raw["expect"]),
        strings(raw.get("category", [])),
        strings(raw.get("never", [])),
        line,
    )


def evaluate_dialogs(play: Player, dialogs: Sequence[DialogCase]) -> DialogReport:
    """Play every dialog; a hit needs the right last decision (and category) and no `never`."""
    report = DialogReport()
    for case in dialogs:
        turns = play(case.turns)
        last = turns[-1]
        broken = [t.label for t in turns if t.label in case.never]
        hit = last.label in case.expect
        category_hit = True
        if case.categories and (last.label.startswith("offer:") or last.label == "clarify:grau"):
            report.category_cases += 1
            category_hit = last.category in case.categories
            report.category_hits += category_hit
        report.dialogs += 1
        report.violations += bool(broken)
        report.hits += hit and category_hit and not broken
        if not (hit and category_hit) or broken:
            report.misses.append(_miss(case, turns, broken))
    return report


def format_dialogs(report: DialogReport) -> list[str]:
    """Human-readable lines: figures, then each miss with the turns and the bot's answers."""
    data = report.as_dict()
    out = [
        f"dialogs: {data['dialogs']}",
        f"dialog accuracy: {data['dialog_accuracy']:.3f}",
        f"never violations: {data['never_violations']}",
        f"dialog misses: {len(report.misses)}",
    ]
    for miss in report.misses:
        out.append(f"  - line {miss['line']}: expected {' | '.join(miss['expected'])}")
        if miss["never_broken"]:
            out.append(f"    never broken: {', '.join(miss['never_broken'])}")
        for turn in miss["turns"]:
            out.append(f"    > {turn['user']}")
            out.append(f"      [{turn['decision']} {turn['category'] or ''}]")
    return out


def _miss(case: DialogCase, turns: list[Turn], broken: list[str]) -> dict[str, Any]:
    return {
        "line": case.line,
        "expected": list(case.expect),
        "expected_category": list(case.categories) or None,
        "got": turns[-1].label,
        "got_category": turns[-1].category,
        "never_broken": broken,
        "turns": [
            {"user": u, "decision": t.label, "category": t.category, "bot": list(t.replies)}
            for u, t in zip(case.turns, turns, strict=True)
        ],
    }


def strings(value: Any) -> tuple[str, ...]:
    """A string or a list of strings, as a tuple; raises TypeError otherwise."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError("expected a string or a list of strings")
