"""Checklist metric `web-health-and-metrics`: a web service exposes a health endpoint and exports metrics.

It applies only to a repository that creates a web application (FastAPI, Starlette, Flask, Django
settings with `ROOT_URLCONF`, aiohttp, ...) outside its tests, examples, docs and benchmarks. It has
two units:
- `health endpoint`: some route's path ends in health, healthz, livez, readyz, ready, live, ping,
  status (or a segment starts with `health`), with no path parameter, in any framework;
- `metrics exported`: some module imports a metrics exporter or client (prometheus_client,
  prometheus_fastapi_instrumentator, starlette_exporter, django_prometheus, OpenTelemetry metrics,
  statsd, datadog) or declares a `/metrics` route.

A unit's file is the first file (in path order) that provides the evidence, else the first file that
creates the application, so removing the last health route turns the unit bad: a regression.
"""

from __future__ import annotations

from app.checks.base import Metric, MetricUnit, RepoView
from app.checks.facts.path_roles import is_sample_path
from app.checks.facts.python_web import KEY
from app.engine.model import Domain

NAME = "web-health-and-metrics"
POINTS = 40.0
HEALTH_UNIT = "health endpoint"
METRICS_UNIT = "metrics exported"

HEALTH_WORDS = frozenset({
    "health", "healthz", "healthcheck", "health-check", "health_check", "livez", "readyz", "ready",
    "live", "liveness", "readiness", "ping", "status", "alive",
})
PARAMETER_MARKS = ("{", "<", "(", ":")


def is_health_route(path: str) -> bool:
    """Return whether a route path is a health, liveness or readiness probe."""
    if any(mark in path for mark in PARAMETER_MARKS):
        return False
    segments = [s.strip("^$?").lstrip("_-.").lower() for s in path.split("/")]
    segments = [s for s in segments if s]
    if not segments:
        return False
    return segments[-1] in HEALTH_WORDS or any(s.startswith("health") for s in segments)


def units(view: RepoView) -> list[MetricUnit]:
    """Return the two checklist units of a repository with a web app, or none without one."""
    sources = [f.path for f in view.python_files() if not view.is_test(f.path) and not is_sample_path(f.path)]
    apps = [p for p in sources if view.data(p, KEY, {}).get("apps")]
    if not apps:
        return []
    health = next((p for p in sources if any(map(is_health_route, view.data(p, KEY, {}).get("routes", [])))),
                  None)
    metrics = next((p for p in sources if view.data(p, KEY, {}).get("metrics")), None)
    return [
        MetricUnit(health or apps[0], HEALTH_UNIT, health is not None),
        MetricUnit(metrics or apps[0], METRICS_UNIT, metrics is not None),
    ]


METRIC = Metric(
    NAME,
    Domain.OBSERVABILITY,
    POINTS,
    "A web service declares a health (liveness/readiness) endpoint and exports metrics.",
    units,
    good_unit="the web app now has a {label} ({path})", bad_unit="the web app has no {label} ({path})",
)
