"""Route a verified delivery to a job: the route tables of every concern, in one explicit list."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.web.handlers import checks, comments, installations, pull_request, push, repositories
from app.web.payload import Delivery, Routed

Handler = Callable[[Delivery], Routed | None]

ROUTE_TABLES: tuple[Mapping[str, Handler], ...] = (
    pull_request.ROUTES,
    push.ROUTES,
    checks.ROUTES,
    comments.ROUTES,
    installations.ROUTES,
    repositories.ROUTES,
)

ROUTES: dict[str, Handler] = {event: handler for table in ROUTE_TABLES for event, handler in table.items()}


def route(delivery: Delivery) -> Routed | None:
    """Return the job a delivery asks for, or None when Verity ignores it."""
    handler = ROUTES.get(delivery.event)
    return None if handler is None else handler(delivery)
