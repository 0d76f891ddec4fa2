"""`triagem kb try "mensagem"`: the decision for one message and the words that made it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from knowledge_base.explain import Explanation, explain
from knowledge_base.loader import load_knowledge_base
from knowledge_base.triage import Triage

# Words shown per candidate: the strongest ones say why; the rest is noise.
WORDS_SHOWN = 6


def try_message(root: Path, text: str, as_json: bool, out: TextIO) -> int:
    """Print the decision, the signals, the top candidates with scores and deciding words."""
    kb = load_knowledge_base(root)
    found = explain(Triage(kb), text)
    if as_json:
        print(json.dumps(_as_dict(found), ensure_ascii=False, indent=2), file=out)
    else:
        print("\n".join(_lines(found)), file=out)
    return 0


def _as_dict(found: Explanation) -> dict[str, Any]:
    decision, signals = found.decision, found.ranking.signals
    return {
        "decision": decision.label,
        "category": decision.category,
        "options": list(decision.options),
        "signals": {
            "systems": list(signals.systems),
            "grau": signals.grau,
            "problem": signals.problem,
            "question": signals.question,
            "request": signals.request,
            "support": signals.support,
        },
        "candidates": [
            {
                "label": c.label,
                "score": c.score,
                "category": c.category,
                "words": [{"word": w, "weight": s} for w, s in found.words[c.label]],
            }
            for c in found.candidates
        ],
        "unknown_words": list(found.unknown),
    }


def _lines(found: Explanation) -> list[str]:
    data = _as_dict(found)
    signals = data["signals"]
    decision = data["decision"] + (f" ({data['category']})" if data["category"] else "")
    if data["options"]:
        decision += f" options: {', '.join(data['options'])}"
    flags = [k for k in ("problem", "question", "request", "support") if signals[k]]
    lines = [
        f"decision: {decision}",
        f"signals:  systems {', '.join(signals['systems']) or '-'}; grau {signals['grau'] or '-'};"
        f" {', '.join(flags) or 'no intent words'}",
        "candidates:",
    ]
    for number, c in enumerate(data["candidates"], start=1):
        category = f" ({c['category']})" if c["category"] else ""
        words = ", ".join(f"{w['word']} {w['weight']:.2f}" for w in c["words"][:WORDS_SHOWN])
        lines.append(f"  {number}. {c['label']}{category}  {c['score']:.3f}")
        lines.append(f"     words: {words or '-'}")
    if data["unknown_words"]:
        lines.append(f"unknown words: {', '.join(data['unknown_words'])}")
    return lines
