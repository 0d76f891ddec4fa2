"""`triagem kb ...`: lint, list, show and evaluate the knowledge base."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from knowledge_base.dialogs import DialogCase, evaluate_dialogs, format_dialogs
from knowledge_base.eval_diff import Change, Outcome, changed_cases
from knowledge_base.evaluation import (
    Case,
    EvalFileError,
    Report,
    evaluate,
    format_report,
    read_case_file,
)
from knowledge_base.lint_messages import DEFAULT_LANGUAGE, message
from knowledge_base.loader import FOLLOW_CODES, load_knowledge_base, read_knowledge_base
from knowledge_base.models import KnowledgeBase
from knowledge_base.problems import KnowledgeBaseError, errors
from knowledge_base.reach_checks import advice
from knowledge_base.triage import Triage
from knowledge_base.version import content_version

if TYPE_CHECKING:
    from bot.dialog_player import DialogPlayer


def lint(root: Path, out: TextIO, language: str = DEFAULT_LANGUAGE) -> int:
    """Print every problem as `file:line: message`, root causes first, then warnings (advice
    from the triage engine); non-zero exit when there is any error."""
    kb, problems = read_knowledge_base(root)
    if not problems:
        problems = advice(kb, Triage(kb))
    for problem in problems:
        print(problem.line_text(language), file=out)
    # A summary of consequences ("3 links broken because ...") is not a problem of its own.
    found = [p for p in errors(problems) if p.code not in FOLLOW_CODES]
    if found:
        print(
            message("problems_found", {"count": str(len(found)), "root": str(root)}, language),
            file=out,
        )
        return 1
    if problems:
        print(message("lint_warnings", {"count": str(len(problems))}, language), file=out)
    counts = {
        "articles": str(len(kb.articles)),
        "offers": str(len(kb.offers)),
        "root": str(root),
        "version": content_version(root),
    }
    print(message("lint_ok", counts, language), file=out)
    return 0


def list_items(root: Path, as_json: bool, out: TextIO) -> int:
    """Every article and offer: id, kind, title."""
    kb = load_knowledge_base(root)
    rows = [{"id": a.id, "kind": "article", "title": a.title} for a in kb.articles.values()]
    rows += [{"id": o.id, "kind": "offer", "title": o.name} for o in kb.offers.values()]
    rows.sort(key=lambda r: (r["kind"], r["id"]))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
    else:
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            print(f"{r['id']:<{width}}  {r['kind']:<7}  {r['title']}", file=out)
    return 0


def run_eval(root: Path, cases_file: Path, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Accuracy of the engine on single messages and of the flows on dialogs, from a JSONL file."""
    try:
        cases = read_case_file(cases_file)
    except EvalFileError as exc:
        print(exc, file=err)
        return 2
    kb = load_knowledge_base(root)
    triage = Triage(kb)
    singles = [c for c in cases if isinstance(c, Case)]
    dialogs = [c for c in cases if isinstance(c, DialogCase)]
    report = evaluate(triage.decide, singles) if singles or not dialogs else Report()
    result = report.as_dict()
    lines = [format_report(report)] if singles or not dialogs else []
    if dialogs:
        # Imported here: the store and the desk are only needed when there are dialogs.
        from bot.dialog_player import DialogPlayer

        dialog_report = evaluate_dialogs(DialogPlayer(kb, triage).play, dialogs)
        result.update(dialog_report.as_dict())
        if not singles:
            # A file of dialogs only: the contract's headline figures are the dialogs' own.
            result["cases"] = result["dialogs"]
            result["decision_accuracy"] = result["dialog_accuracy"]
            result["category_accuracy"] = result["dialog_category_accuracy"]
        lines += format_dialogs(dialog_report)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2), file=out)
    else:
        print("\n".join(lines), file=out)
    return 0


def run_eval_diff(
    root: Path, base: Path, cases_file: Path, as_json: bool, out: TextIO, err: TextIO
) -> int:
    """The cases of a JSONL file decided differently by the base at `base` and the one at
    `root` (e.g. the committed and the edited knowledge base)."""
    try:
        cases = read_case_file(cases_file)
    except EvalFileError as exc:
        print(exc, file=err)
        return 2
    before = _outcomes(load_knowledge_base(base))
    after = _outcomes(load_knowledge_base(root))
    changes = changed_cases(cases, before, after, _describe)
    if as_json:
        data = {
            "cases": len(cases),
            "changed": len(changes),
            **{v: sum(c.verdict == v for c in changes) for v in ("fixed", "broken")},
            "changes": [c.as_dict() for c in changes],
        }
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    else:
        print("\n".join(_diff_lines(changes, len(cases), base, root)), file=out)
    return 0


def _outcomes(kb: KnowledgeBase) -> Callable[[Case | DialogCase], Outcome]:
    """What one version decides for a case: a message's decision, or where a dialog ends."""
    triage = Triage(kb)
    players: list[DialogPlayer] = []

    def outcome(case: Case | DialogCase) -> Outcome:
        if isinstance(case, DialogCase):
            if not players:  # the store and the desk are only made when there are dialogs
                from bot.dialog_player import DialogPlayer

                players.append(DialogPlayer(kb, triage))
            last = players[0].play(case.turns)[-1]
            return Outcome(last.label, last.category)
        decision = triage.decide(case.text)
        return Outcome(decision.label, decision.category)

    return outcome


def _describe(case: Case | DialogCase) -> str:
    """A case as one line: the message, or a dialog's turns."""
    return " → ".join(case.turns) if isinstance(case, DialogCase) else case.text


def _diff_lines(changes: list[Change], total: int, base: Path, root: Path) -> list[str]:
    counts = {v: sum(c.verdict == v for c in changes) for v in ("fixed", "broken", "changed")}
    lines = [
        f"{len(changes)} of {total} cases decided differently ({base} -> {root}): "
        f"{counts['fixed']} fixed, {counts['broken']} broken, {counts['changed']} changed"
    ]
    for change in changes:
        lines.append(f"  line {change.line} [{change.verdict}]: {change.text!r}")
        lines.append(f"    expected {' | '.join(change.expect)}")
        lines.append(f"    base     {change.base}")
        lines.append(f"    now      {change.new}")
    return lines


def explain_invalid(exc: KnowledgeBaseError, err: TextIO, language: str = DEFAULT_LANGUAGE) -> int:
    """Tell the operator why the knowledge base cannot be used."""
    for problem in exc.problems:
        print(problem.line_text(language), file=err)
    print(
        f"invalid knowledge base: {len(exc.problems)} problem(s); run `triagem kb lint`", file=err
    )
    return 1
