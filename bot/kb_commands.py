"""`triagem kb ...`: lint, list, show and evaluate the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from knowledge_base.dialogs import DialogCase, evaluate_dialogs, format_dialogs
from knowledge_base.evaluation import (
    Case,
    EvalFileError,
    Report,
    evaluate,
    format_report,
    read_case_file,
)
from knowledge_base.loader import load_knowledge_base, read_knowledge_base
from knowledge_base.problems import KnowledgeBaseError
from knowledge_base.render import render_article
from knowledge_base.triage import Triage

PART_RULE = "\n" + "─" * 40 + "\n"


def lint(root: Path, out: TextIO) -> int:
    """Print every problem as `file:line: message`; non-zero exit when there is any."""
    kb, problems = read_knowledge_base(root)
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) in {root}", file=out)
        return 1
    print(f"ok: {len(kb.articles)} articles, {len(kb.offers)} offers in {root}", file=out)
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


def show(root: Path, article_id: str, out: TextIO, err: TextIO) -> int:
    """The article as the bot sends it (Telegram HTML, one block per message)."""
    kb = load_knowledge_base(root)
    article = kb.articles.get(article_id)
    if article is None:
        print(f"no article '{article_id}' in {root} (see `triagem kb list`)", file=err)
        return 2
    print(PART_RULE.join(render_article(article)), file=out)
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
        lines += format_dialogs(dialog_report)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2), file=out)
    else:
        print("\n".join(lines), file=out)
    return 0


def explain_invalid(exc: KnowledgeBaseError, err: TextIO) -> int:
    """Tell the operator why the knowledge base cannot be used."""
    for problem in exc.problems:
        print(problem, file=err)
    print(
        f"invalid knowledge base: {len(exc.problems)} problem(s); run `triagem kb lint`", file=err
    )
    return 1
