"""Every evaluation file in tests/eval, scored as `triagem kb eval FILE --json` scores it: the dev
samples keep the issue's bar, each held-out file keeps its measured figure less one case."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.kb_commands import run_eval

from .kb_files import BUNDLED_KB

EVAL = Path(__file__).resolve().parents[1] / "eval"

# The shared dev samples (copied unchanged from shared/eval): issue 10's bar.
DEV_ACCURACY = 0.95
DEV = ("triage-dev.jsonl", "dialogs-dev.jsonl")

# Held-out files: (cases right, cases) as measured with `triagem kb eval FILE --json` on
# 14a9539. A file may lose one case before the test fails; a file whose case count changed
# must be measured again and its row rewritten.
FLOORS = {
    "triage-holdout.jsonl": (64, 64),
    "triage-holdout-2.jsonl": (16, 16),
    "triage-holdout-3.jsonl": (28, 30),
    "dialogs-holdout.jsonl": (20, 22),
    "dialogs-holdout-2.jsonl": (56, 56),
    "dialogs-holdout-3.jsonl": (18, 20),
    "dialogs-holdout-4.jsonl": (30, 30),
    # Written blind from the seeds on 2026-12-05, measured before the fourth round's last
    # changes (0.900 and 0.667 at 14a9539), then tuned on.
    "triage-holdout-4.jsonl": (28, 30),
    "dialogs-holdout-5.jsonl": (27, 30),
    # Written blind from the seeds on 2026-12-05 by a helper that read no code, measured before
    # the fifth round (0.900, categories 0.786; 0.833), then tuned on (kinds of failure).
    "triage-holdout-5.jsonl": (37, 40),
    "dialogs-holdout-6.jsonl": (27, 30),
    # The same way on 2026-12-05 evening, measured before the sixth round (0.850, categories
    # 0.857; 0.633 with 1 never violation), then tuned on (kinds of failure).
    "triage-holdout-6.jsonl": (39, 40),
    "dialogs-holdout-7.jsonl": (25, 30),
    # A third pair, written the same way after the sixth round's first commits: 1.000 (category
    # 0.857) and 0.800 with 1 never violation, blind; then the second half of the round.
    "triage-holdout-7.jsonl": (39, 40),
    "dialogs-holdout-8.jsonl": (36, 40),
}


def _evaluate(path: Path) -> dict[str, Any]:
    """The JSON report of `triagem kb eval PATH --json` on the bundled knowledge base."""
    out, err = io.StringIO(), io.StringIO()
    assert run_eval(BUNDLED_KB, path, True, out, err) == 0, err.getvalue()
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def _misses(report: dict[str, Any]) -> str:
    """The misses, one per line, for a failure message."""
    misses = report.get("misses", []) + report.get("dialog_misses", [])
    return "\n".join(json.dumps(m, ensure_ascii=False)[:400] for m in misses)


def test_every_eval_file_is_a_dev_sample_or_has_a_floor() -> None:
    names = {path.name for path in EVAL.glob("*.jsonl")}
    assert names == set(DEV) | set(FLOORS)


@pytest.mark.parametrize("name", sorted(p.name for p in EVAL.glob("*.jsonl")))
def test_eval_file_keeps_its_accuracy_and_breaks_no_never_label(name: str) -> None:
    report = _evaluate(EVAL / name)
    cases, accuracy = report["cases"], report["decision_accuracy"]
    if name in DEV:
        assert accuracy >= DEV_ACCURACY, f"{name}: {accuracy} < {DEV_ACCURACY}\n{_misses(report)}"
    else:
        measured, measured_cases = FLOORS[name]
        assert cases == measured_cases, f"{name} now has {cases} cases: measure it, update FLOORS"
        right, floor = round(accuracy * cases), measured - 1
        assert right >= floor, f"{name}: {right}/{cases} right, floor {floor}\n{_misses(report)}"
    if "dialogs" in report:
        assert report["never_violations"] == 0, _misses(report)
