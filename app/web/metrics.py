"""The receiver's Prometheus metrics, in a registry of their own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    """Counters and latencies of webhook deliveries."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.deliveries = Counter(
            "verity_webhook_deliveries",
            "Webhook deliveries by event and outcome.",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "verity_webhook_seconds",
            "Time to answer a webhook delivery.",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=self.registry,
        )

        self._children: dict[tuple[str, str], Any] = {}

    def count(self, event: str, outcome: str) -> None:
        """Count one delivery's outcome (the event label is bounded to known names)."""
        child = self._children.get((event, outcome))
        if child is None:
            child = self._children[(event, outcome)] = self.deliveries.labels(event=event, outcome=outcome)
        child.inc()
