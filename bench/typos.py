"""Unseen wording: messages with fresh typos, and a dump of triage decisions to compare engines.

Usage: python bench/typos.py OUT.jsonl [--variants 40] [--seed 7] [--articles 0] CASES.jsonl...

Writes one line per perturbed message: the text and the decision `Triage.decide` took. Run it
before and after a change to the speller and `diff` the two files: equal files mean equal
decisions on every message tried.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))

from knowledge_base.evaluation import read_cases  # noqa: E402
from knowledge_base.loader import load_knowledge_base  # noqa: E402
from knowledge_base.triage import Triage  # noqa: E402

LETTERS = "abcdefghijlmnopqrstuvxz"


def typo(rng: random.Random, word: str) -> str:
    """`word` with one edit (drop, swap, replace or add a letter) past its first letter."""
    at = rng.randrange(1, len(word))
    kind = rng.randrange(4)
    if kind == 0:
        return word[:at] + word[at + 1 :]
    if kind == 1 and at + 1 < len(word):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    if kind == 2:
        return word[:at] + rng.choice(LETTERS) + word[at + 1 :]
    return word[:at] + rng.choice(LETTERS) + word[at:]


def perturb(rng: random.Random, text: str, typos: int = 1) -> str:
    """`text` with `typos` of its longer words (5+ letters) misspelt afresh."""
    words = text.split()
    longer = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    for i in rng.sample(longer, min(typos, len(longer))):
        words[i] = typo(rng, words[i])
    return " ".join(words)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the decisions on perturbed messages of the case files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("cases", type=Path, nargs="+")
    parser.add_argument("--variants", type=int, default=40, help="perturbed copies per case")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=0, help="synthetic base of N articles")
    args = parser.parse_args(argv)
    kb = load_knowledge_base(_REPO / "knowledge_base")
    if args.articles:
        from bench.match import synthetic_kb

        kb = synthetic_kb(kb, args.articles)
    triage = Triage(kb)
    rng = random.Random(args.seed)
    texts = [case.text for path in args.cases for case in read_cases(path)]
    with args.out.open("w", encoding="utf-8") as out:
        for text in texts:
            for variant in range(args.variants + 1):
                message = text if variant == 0 else perturb(rng, text, 1 + variant % 3)
                decision = triage.decide(message)
                out.write(json.dumps({"text": message, "decision": str(decision)}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
