"""`triagem kb gaps`: the knowledge gaps report for editors, from the store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.config import Config
from knowledge_base.gap_report import Gap, GapGroup, group_gaps
from knowledge_base.loader import load_knowledge_base
from storage.gaps import gaps_since

DEFAULT_DAYS = 30
MAX_DAYS = 3650
KINDS = {"none": "sem rota", "abandoned": "pergunta abandonada", "not_solved": "não resolveu"}


def gap_groups(config: Config, days: int, now: datetime) -> list[GapGroup]:
    """The grouped gaps of the last `days` days."""
    from bot.database import open_store

    kb = load_knowledge_base(config.knowledge_base.path)
    engine = open_store(config)
    try:
        with Session(engine) as session, session.begin():
            rows = gaps_since(session, since=now - timedelta(days=days))
    finally:
        engine.dispose()
    gaps = [Gap(r.kind, r.text, r.article_id, r.at) for r in rows]
    return group_gaps(gaps, kb.language)


def report(config: Config, days_text: str | None, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Print the report; 2 on a bad --days, 1 when the store fails."""
    days = DEFAULT_DAYS
    if days_text is not None:
        days = int(days_text) if days_text.isdigit() else 0
        if not 1 <= days <= MAX_DAYS:
            print(f"kb gaps: --days must be a whole number from 1 to {MAX_DAYS}", file=err)
            return 2
    try:
        groups = gap_groups(config, days, datetime.now(UTC))
    except SQLAlchemyError as exc:
        print(f"kb gaps: storage error: {str(exc).strip().splitlines()[0]}", file=err)
        return 1
    if as_json:
        document = {"days": days, "groups": [g.as_dict() for g in groups]}
        print(json.dumps(document, ensure_ascii=False, indent=1), file=out)
        return 0
    print(f"Lacunas dos últimos {days} dias: {sum(g.count for g in groups)}", file=out)
    for group in groups:
        kinds = ", ".join(f"{KINDS.get(k, k)} {n}" for k, n in sorted(group.kinds.items()))
        articles = f" [artigos: {', '.join(group.articles)}]" if group.articles else ""
        print(f"{group.count:5d}  {group.example}  ({kinds}){articles}", file=out)
    return 0
