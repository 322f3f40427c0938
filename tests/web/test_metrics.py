"""The receiver's metrics: an own registry, the delivery counter and the latency histogram, as Prometheus reads them."""

from __future__ import annotations

from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.web.metrics import Metrics

BUCKETS = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "1.0", "+Inf"]


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Return every sample of the exposition text, parsed back as Prometheus would."""
    text = generate_latest(metrics.registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def delivered(event: str, outcome: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Return the sample key of the delivery counter for one event and outcome."""
    return "verity_webhook_deliveries_total", (("event", event), ("outcome", outcome))


def test_each_event_and_outcome_is_counted_apart() -> None:
    metrics = Metrics()
    metrics.count("pull_request", "202")
    metrics.count("pull_request", "202")
    metrics.count("pull_request", "200")
    metrics.count("ping", "200")
    got = samples(metrics)
    assert got[delivered("pull_request", "202")] == 2.0
    assert got[delivered("pull_request", "200")] == 1.0
    assert got[delivered("ping", "200")] == 1.0
    assert delivered("ping", "202") not in got


def test_the_exposition_names_and_describes_both_metrics() -> None:
    metrics = Metrics()
    metrics.count("other", "401")
    text = generate_latest(metrics.registry).decode()
    assert "# HELP verity_webhook_deliveries_total Webhook deliveries by event and outcome.\n" in text
    assert "# TYPE verity_webhook_deliveries_total counter\n" in text
    assert 'verity_webhook_deliveries_total{event="other",outcome="401"} 1.0\n' in text
    assert "# HELP verity_webhook_seconds Time to answer a webhook delivery.\n" in text
    assert "# TYPE verity_webhook_seconds histogram\n" in text


def test_latency_buckets_are_the_sub_second_ones_a_webhook_needs() -> None:
    metrics = Metrics()
    for seconds in (0.0004, 0.003, 0.003, 0.2, 5.0):
        metrics.latency.observe(seconds)
    got = samples(metrics)
    buckets = {dict(labels)["le"]: value for (name, labels), value in got.items()
               if name == "verity_webhook_seconds_bucket"}
    assert list(buckets) == BUCKETS
    assert [buckets[le] for le in BUCKETS] == [1.0, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0]
    assert got[("verity_webhook_seconds_count", ())] == 5.0
    assert abs(got[("verity_webhook_seconds_sum", ())] - 5.2064) < 1e-9


def test_each_receiver_has_its_own_registry_and_the_global_one_stays_clean() -> None:
    first, second = Metrics(), Metrics()  # a shared registry would refuse the second as a duplicate
    assert first.registry is not second.registry
    first.count("pull_request", "202")
    assert delivered("pull_request", "202") not in samples(second)
    assert REGISTRY.get_sample_value("verity_webhook_deliveries_total",
                                     {"event": "pull_request", "outcome": "202"}) is None
