"""Prometheus metrics with the official client: process counters plus totals read from the store.

Counters of things every worker sees alike (tickets opened, ratings, breaches, queues, the
outbox) are read from the store at scrape time, so they survive restarts and agree across
workers. Counters of this process's own work (updates, Bot API calls, triage decisions) live in
memory. No label ever holds a user or ticket id: offers, methods, codes, kinds and scores only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlmodel import Session

from flows.ports import Triage
from knowledge_base.decision import Decision
from storage.store_metrics import StoreCounts, store_counts

# Handling one update takes milliseconds; a slow store or a long batch shows in the top buckets.
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """This process's instruments, registered in a registry of their own (no global state)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.updates = Counter(
            "triagem_updates", "Telegram updates handled", registry=self.registry
        )
        self.update_duration = Histogram(
            "triagem_update_duration_seconds",
            "Time to handle one Telegram update (flows, store, outbox rows)",
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.telegram_requests = Counter(
            "triagem_telegram_requests",
            "Bot API calls by method and outcome (200, 400, 403, 429, 5xx, error)",
            ["method", "code"],
            registry=self.registry,
        )
        self.triage_decisions = Counter(
            "triagem_triage_decisions",
            "Triage decisions by kind (article, offer, clarify, none)",
            ["kind"],
            registry=self.registry,
        )

    def observe_update(self, seconds: float) -> None:
        """One update handled in `seconds`."""
        self.updates.inc()
        self.update_duration.observe(seconds)

    def watch_store(self, engine: Engine) -> None:
        """Expose the store's totals at each scrape."""
        self.registry.register(StoreCollector(lambda: _read_counts(engine)))

    def exposition(self) -> bytes:
        """Every metric in Prometheus's text format (reads the store: call off the event loop)."""
        return generate_latest(self.registry)


def _read_counts(engine: Engine) -> StoreCounts:
    with Session(engine) as session, session.begin():
        return store_counts(session)


class StoreCollector(Collector):
    """The store's totals as Prometheus metric families."""

    def __init__(self, read: Callable[[], StoreCounts]) -> None:
        self.read = read

    def collect(self) -> Iterator[Metric]:
        counts = self.read()
        yield GaugeMetricFamily(
            "triagem_outbox_pending", "Bot API calls waiting in the outbox", counts.outbox_pending
        )
        opened = CounterMetricFamily(
            "triagem_tickets_opened", "Tickets opened, per offer", labels=["offer"]
        )
        for offer, n in sorted(counts.opened.items()):
            opened.add_metric([offer], n)
        yield opened
        breaches = CounterMetricFamily(
            "triagem_sla_breaches",
            "Tickets that passed their resolution target, per offer",
            labels=["offer"],
        )
        for offer, n in sorted(counts.breaches.items()):
            breaches.add_metric([offer], n)
        yield breaches
        waiting = GaugeMetricFamily(
            "triagem_queue_waiting", "Tickets waiting for an agent, per offer", labels=["offer"]
        )
        for offer, n in sorted(counts.waiting.items()):
            waiting.add_metric([offer], n)
        yield waiting
        ratings = CounterMetricFamily(
            "triagem_ratings", "Satisfaction ratings, per score (1-5)", labels=["score"]
        )
        for score, n in sorted(counts.ratings.items()):
            ratings.add_metric([str(score)], n)
        yield ratings


class CountedTriage:
    """The triage engine, counting each decision's kind (flows.ports.Triage)."""

    def __init__(self, inner: Triage, metrics: Metrics) -> None:
        # Wrapping a wrapper would count twice (a second Runtime over the same App).
        self.inner: Triage = inner.inner if isinstance(inner, CountedTriage) else inner
        self.metrics = metrics

    def decide(self, text: str) -> Decision:
        """The inner engine's decision, counted."""
        decision = self.inner.decide(text)
        self.metrics.triage_decisions.labels(decision.kind).inc()
        return decision

    def category(self, offer_id: str, text: str) -> str | None:
        """The inner engine's reading of a reply to the category question (not a decision)."""
        return self.inner.category(offer_id, text)
