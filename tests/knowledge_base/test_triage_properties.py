"""For any Unicode text the bundled triage decides quickly, never raises, and is deterministic."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from knowledge_base.decision import Decision
from knowledge_base.triage import Triage

KINDS = {"article", "offer", "clarify", "none"}
# Generous: this guards against pathological slowness (runaway regex, quadratic loops);
# bench/match.py measures real latency.
SECONDS_PER_CALL = 0.5  # of this thread's CPU: a busy machine does not inflate it


def _decide_timed(triage: Triage, text: str) -> tuple[Decision, float]:
    start = time.thread_time()
    decision = triage.decide(text)
    return decision, time.thread_time() - start


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=10_000))
@example(text="")
@example(text="😀🔥👍🙏")
@example(text="Привет, у меня не работает пароль")
@example(text="我的密码不能用了")
@example(text="كلمة المرور لا تعمل")
@example(text="\x00\x01\x07\x1b\x7f\u200b\u202e\ufeff")
@example(text="?!.,;:()[]{}<>/\\|@#$%^&*-_=+~`'\"")
@example(text="erro " * 2_000)
@example(text="sou do 1º grau e do 2º grau " * 300)
@example(text="a" * 10_000)
def test_decide_is_total_deterministic_and_bounded(triage: Triage, text: str) -> None:
    first, elapsed = _decide_timed(triage, text)
    second, _ = _decide_timed(triage, text)
    assert isinstance(first, Decision)
    assert first.kind in KINDS
    assert first == second
    assert elapsed < SECONDS_PER_CALL
    if first.kind == "article":
        assert first.target in triage.kb.articles
    elif first.kind == "offer":
        assert first.target in triage.kb.offers
    elif first.kind == "clarify":
        assert first.target in {"grau", "sistema"}
    else:
        assert first.label == "none"
