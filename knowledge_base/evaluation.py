"""Score the triage engine on a JSONL file of cases (format: shared/eval/README.md)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .decision import Decision
from .dialogs import DialogCase, dialog_case, strings


class EvalFileError(ValueError):
    """A case file that cannot be read; the message is `file:line: reason`."""


@dataclass(frozen=True)
class Case:
    """One message and the decisions (and categories) a good desk accepts for it."""

    text: str
    expect: tuple[str, ...]
    categories: tuple[str, ...] = ()
    line: int = 0


@dataclass
class Report:
    """Accuracy figures, per-kind recall, a confusion table and every miss."""

    cases: int = 0
    decision_hits: int = 0
    category_cases: int = 0
    category_hits: int = 0
    per_kind: dict[str, list[int]] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    misses: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (the `--json` output)."""
        return {
            "cases": self.cases,
            "decision_accuracy": _ratio(self.decision_hits, self.cases),
            "category_accuracy": _ratio(self.category_hits, self.category_cases),
            "category_cases": self.category_cases,
            "recall": {k: _ratio(h, n) for k, (h, n) in sorted(self.per_kind.items())},
            "confusion": [
                {"expected": e, "got": g, "count": n}
                for (e, g), n in sorted(self.confusion.items())
            ],
            "misses": self.misses,
        }


def read_cases(path: Path) -> list[Case]:
    """The single-message cases of a JSONL case file (see `read_case_file`)."""
    return [c for c in read_case_file(path) if isinstance(c, Case)]


def read_case_file(path: Path) -> list[Case | DialogCase]:
    """Parse a JSONL case file of messages and dialogs; raises EvalFileError naming a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from None
    cases: list[Case | DialogCase] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if isinstance(raw, dict) and "turns" in raw:
                cases.append(dialog_case(raw, number))
                continue
            text, expect = raw["text"], strings(raw["expect"])
            categories = strings(raw.get("category", []))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise EvalFileError(
                f"{path}:{number}: not a case ({type(exc).__name__}: {exc})"
            ) from None
        if not isinstance(text, str) or not expect:
            raise EvalFileError(f"{path}:{number}: 'text' must be text and 'expect' non-empty")
        cases.append(Case(text, expect, categories, number))
    return cases


def evaluate(decide: Callable[[str], Decision], cases: Sequence[Case]) -> Report:
    """Run every case through `decide` and tally the results."""
    report = Report()
    for case in cases:
        decision = decide(case.text)
        got = decision.label
        hit = got in case.expect
        kind = case.expect[0].split(":")[0]
        report.cases += 1
        report.decision_hits += hit
        tally = report.per_kind.setdefault(kind, [0, 0])
        tally[0] += hit
        tally[1] += 1
        report.confusion[(kind, decision.kind)] += 1
        category_hit = True
        if case.categories and (decision.kind == "offer" or got == "clarify:grau"):
            report.category_cases += 1
            category_hit = decision.category in case.categories
            report.category_hits += category_hit
        if not hit or not category_hit:
            report.misses.append(_miss(case, decision))
    return report


def format_report(report: Report) -> str:
    """A human-readable report: figures, recall per kind, confusion table, misses."""
    data = report.as_dict()
    out = [
        f"cases: {data['cases']}",
        f"decision accuracy: {data['decision_accuracy']:.3f}",
        f"category accuracy: {data['category_accuracy']:.3f} ({data['category_cases']} cases)",
        "recall per expected kind:",
        *(f"  {k:<8} {v:.3f}" for k, v in data["recall"].items()),
        "confusion (expected -> got: count):",
        *(f"  {c['expected']:<8} -> {c['got']:<8} {c['count']}" for c in data["confusion"]),
        f"misses: {len(report.misses)}",
    ]
    for miss in report.misses:
        out.append(f"  - {miss['text']!r} (line {miss['line']})")
        out.append(f"    expected {' | '.join(miss['expected'])} {miss['expected_category'] or ''}")
        out.append(f"    got      {miss['got']} {miss['got_category'] or ''}")
        top = ", ".join(f"{c['label']}={c['score']:.2f}" for c in miss["top"])
        out.append(f"    top      {top}")
    return "\n".join(out)


def _miss(case: Case, decision: Decision) -> dict[str, Any]:
    return {
        "text": case.text,
        "line": case.line,
        "expected": list(case.expect),
        "expected_category": list(case.categories) or None,
        "got": decision.label,
        "got_category": decision.category,
        "top": [{"label": c.label, "score": c.score} for c in decision.candidates],
    }


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0
