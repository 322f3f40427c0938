"""Observability checks (OBS001-OBS003), the `python.web` extractor and the web-health-and-metrics metric."""

from __future__ import annotations

import textwrap

import pytest

from app.checks.facts.python_web import KEY
from app.checks.observability.web_health_and_metrics import HEALTH_UNIT, METRIC, METRICS_UNIT, NAME, is_health_route
from app.engine.facts import analyse_text
from app.engine.scoring import MetricState, attribute
from tests.helpers import file_findings, metric_units


def lines(path: str, source: str, code: str) -> list[int]:
    """Return the lines one code flags in a dedented source file."""
    return sorted(f.line for f in file_findings(path, textwrap.dedent(source), code))


# --- OBS001 print-in-library-code ---------------------------------------------------------------

PRINTS = """\
import sys


def charge(order):
    print("charging", order)
    print("failed", file=sys.stderr)
    return order


print("imported")
"""


def test_print_in_library_code_is_flagged() -> None:
    assert lines("billing/charge.py", PRINTS, "OBS001") == [5, 6, 10]


@pytest.mark.parametrize(
    "path",
    ["scripts/charge.py", "bin/charge.py", "billing/cli.py", "billing/__main__.py", "manage.py",
     "tests/test_charge.py", "billing/charge_test.py", "examples/charge.py", "docs/conf.py", "tools/gen_cli.py"],
)
def test_print_in_scripts_tests_and_entry_points_is_not_flagged(path: str) -> None:
    assert lines(path, PRINTS, "OBS001") == []


def test_print_in_entry_point_functions_and_to_files_is_not_flagged() -> None:
    source = """\
    import click


    def report(rows, out):
        for row in rows:
            print(row, file=out)


    def main():
        print("usage")


    def run():
        print("running")


    @click.command()
    def export():
        print("exported")


    if __name__ == "__main__":
        print("starting")
        run()
    """
    assert lines("billing/report.py", source, "OBS001") == []


def test_shadowed_print_is_not_the_builtin() -> None:
    source = """\
    from rich import print


    def show(table):
        print(table)
    """
    assert lines("billing/show.py", source, "OBS001") == []


# --- OBS002 swallowed-exception -----------------------------------------------------------------

SWALLOWS = """\
import contextlib
from contextlib import suppress as ignoring


def a():
    try:
        load()
    except Exception:
        ...


def b():
    try:
        load()
    except:
        pass
        pass


def c(items):
    for item in items:
        try:
            load(item)
        except (ValueError, BaseException):
            "best effort"
            continue


def d():
    with contextlib.suppress(Exception):
        load()
    with ignoring(KeyError, Exception):
        load()
"""


def test_broad_handlers_that_do_nothing_are_flagged() -> None:
    assert lines("app/jobs.py", SWALLOWS, "OBS002") == [8, 15, 24, 30, 32]


def test_single_pass_and_continue_forms_are_flagged_medium_in_shipped_code() -> None:
    source = """\
    def once():
        try:
            load()
        except Exception:
            pass


    def each(items):
        for item in items:
            try:
                load(item)
            except Exception:
                continue
    """
    assert severities("app/jobs.py", source) == [(4, "-"), (12, "-")]
    assert severities("tests/test_jobs.py", source) == [(4, "low"), (12, "low")]
    assert severities("scripts/sync.py", source) == [(4, "low"), (12, "low")]
    assert severities("dev/sync.py", source) == [(4, "low"), (12, "low")]


def test_best_effort_cleanup_and_import_guards_are_low() -> None:
    source = """\
    import contextlib

    try:
        import ujson as json
    except Exception:
        pass


    class Handle:
        def __del__(self):
            try:
                self.close()
            except Exception:
                ...

        def close(self):
            with contextlib.suppress(Exception):
                self.sock.close()

        def run(self):
            try:
                work()
            finally:
                try:
                    self.sock.close()
                except:
                    pass
    """
    assert severities("app/handle.py", source) == [(5, "low"), (13, "low"), (17, "low"), (26, "low")]


def test_narrow_and_logged_handlers_are_not_flagged() -> None:
    source = """\
    import contextlib
    import logging

    logger = logging.getLogger(__name__)


    def narrow():
        try:
            load()
        except KeyError:
            ...
        with contextlib.suppress(FileNotFoundError):
            load()


    def logged():
        try:
            load()
        except Exception:
            logger.exception("load failed")
    """
    assert lines("app/jobs.py", source, "OBS002") == []


def severities(path: str, source: str) -> list[tuple[int, str]]:
    """Return (line, severity override or "-") of the OBS002 findings of a dedented file."""
    found = file_findings(path, textwrap.dedent(source), "OBS002")
    return sorted((f.line, f.severity.value if f.severity else "-") for f in found)


# --- OBS003 exception-logged-without-traceback --------------------------------------------------

UNTRACED = """\
import logging

logger = logging.getLogger(__name__)


class Sync:
    def pull(self):
        try:
            fetch()
        except Exception as exc:
            logger.error("pull failed: %s", exc)
            return {"error": str(exc)}

    def push(self):
        try:
            send()
        except:
            logging.warning(f"push failed")

    def parse(self, text):
        try:
            return decode(text)
        except ValueError as err:
            self._log.critical("bad payload " + repr(err))

    def close(self):
        try:
            shutdown()
        except OSError:
            logging.getLogger("sync").error("close failed")
"""


def test_error_logs_that_drop_the_traceback_are_flagged() -> None:
    assert lines("app/sync.py", UNTRACED, "OBS003") == [11, 18, 24, 30]


def test_error_messages_of_command_line_tools_are_not_flagged() -> None:
    assert lines("tool/cli/main.py", UNTRACED, "OBS003") == []
    assert lines("tests/test_sync.py", UNTRACED, "OBS003") == []


def test_logs_that_keep_the_traceback_or_hand_it_on_are_not_flagged() -> None:
    source = """\
    import logging
    import traceback

    logger = logging.getLogger(__name__)


    def a():
        try:
            fetch()
        except Exception:
            logger.exception("failed")


    def b():
        try:
            fetch()
        except Exception:
            logger.error("failed", exc_info=True)


    def c():
        try:
            fetch()
        except Exception as exc:
            logger.error("failed: %s", exc)
            raise


    def d(errors):
        try:
            fetch()
        except Exception as exc:
            logger.error("failed: %s", exc)
            errors.append(exc)


    def e():
        try:
            fetch()
        except Exception:
            logger.error("failed: %s", traceback.format_exc())


    def f():
        try:
            fetch()
        except TimeoutError:
            logger.warning("timed out, retrying")


    def g(options):
        try:
            fetch()
        except Exception:
            logger.error("failed", **options)


    def h():
        try:
            fetch()
        except Exception:
            def report():
                logger.error("later")
            schedule(report)
    """
    assert lines("app/sync.py", source, "OBS003") == []


# --- python.web extractor -----------------------------------------------------------------------

APP = """\
from fastapi import APIRouter, FastAPI
from prometheus_client import make_asgi_app

app = FastAPI()
router = APIRouter()
app.mount("/metrics", make_asgi_app())


@app.get("/healthz")
def healthz():
    return {"ok": True}


@router.post("/orders/{order_id}")
def create(order_id: int, client):
    return client.get("/elsewhere")
"""


def test_extractor_records_apps_routes_and_metrics() -> None:
    data = analyse_text("svc/main.py", APP).data[KEY]
    assert data == {"apps": [["fastapi", 4]], "routes": ["/healthz", "/orders/{order_id}"],
                    "metrics": ["prometheus_client"]}


def test_extractor_reads_flask_starlette_and_django() -> None:
    flask = 'import flask\napp = flask.Flask(__name__)\n\n@app.route("/status")\ndef status():\n    return "ok"\n'
    starlette = textwrap.dedent("""\
    from starlette.applications import Starlette
    from starlette.routing import Route
    app = Starlette(routes=[Route("/ping", ping), Route("/users", users)])
    """)
    settings = 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["django_prometheus"]\n'
    urls = 'from django.urls import path, re_path\nurlpatterns = [path("health/", h), re_path(r"^ready/?$", r)]\n'
    assert analyse_text("a/app.py", flask).data[KEY] == {"apps": [["flask", 2]], "routes": ["/status"]}
    assert analyse_text("b/app.py", starlette).data[KEY] == {"apps": [["starlette", 3]], "routes": ["/ping", "/users"]}
    assert analyse_text("site/settings.py", settings).data[KEY] == {"apps": [["django", 1]],
                                                                    "metrics": ["django_prometheus"]}
    assert analyse_text("site/urls.py", urls).data[KEY] == {"routes": ["health/", "^ready/?$"]}


def test_extractor_stores_nothing_for_plain_files() -> None:
    assert analyse_text("lib/util.py", "def add(a, b):\n    return a + b\n").data[KEY] == {}
    assert analyse_text("lib/broken.py", "def (:\n").data[KEY] == {}


# --- web-health-and-metrics metric --------------------------------------------------------------

@pytest.mark.parametrize(
    ("path", "expected"),
    [("/healthz", True), ("/api/v1/health", True), ("health/", True), ("^ping/?$", True), ("/readyz", True),
     ("/healthcheck/db", True), ("/status", True), ("/orders/{id}/status", False), ("/users", False),
     ("/", False), ("/pingpong", False)],
)
def test_health_route_paths(path: str, expected: bool) -> None:
    assert is_health_route(path) is expected


def units(files: dict[str, str]) -> list[tuple[str, str, bool]]:
    """Return the metric's units as (path, label, good)."""
    return [(u.path, u.label, u.good) for u in metric_units(files, NAME)]


def test_metric_does_not_apply_without_a_web_app() -> None:
    assert units({"lib/util.py": "def add(a, b):\n    return a + b\n"}) == []
    assert units({"tests/test_api.py": "from fastapi import FastAPI\napp = FastAPI()\n"}) == []
    assert units({"examples/demo.py": "from flask import Flask\napp = Flask(__name__)\n"}) == []


def test_metric_units_point_at_the_evidence() -> None:
    files = {
        "svc/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "svc/probes.py": 'from fastapi import APIRouter\nr = APIRouter()\n\n@r.get("/livez")\ndef live():\n    pass\n',
        "svc/telemetry.py": "from prometheus_fastapi_instrumentator import Instrumentator\n",
    }
    assert units(files) == [("svc/probes.py", HEALTH_UNIT, True), ("svc/telemetry.py", METRICS_UNIT, True)]


def test_metric_units_fall_back_to_the_app_file() -> None:
    files = {"svc/main.py": 'import flask\napp = flask.Flask(__name__)\n\n@app.route("/users")\ndef u():\n    pass\n'}
    assert units(files) == [("svc/main.py", HEALTH_UNIT, False), ("svc/main.py", METRICS_UNIT, False)]


def test_removing_the_health_endpoint_flips_its_unit() -> None:
    base = metric_units({"svc/main.py": APP}, NAME)
    head = metric_units({"svc/main.py": APP.replace('"/healthz"', '"/hello"')}, NAME)
    assert [(u.unit_id, u.good) for u in base] == [("svc/main.py::health endpoint", True),
                                                   ("svc/main.py::metrics exported", True)]
    assert [(u.unit_id, u.good) for u in head] == [("svc/main.py::health endpoint", False),
                                                   ("svc/main.py::metrics exported", True)]


def test_django_project_health_and_metrics() -> None:
    files = {
        "site/settings.py": 'ROOT_URLCONF = "site.urls"\nINSTALLED_APPS = ["django_prometheus"]\n',
        "site/urls.py": 'from django.urls import path\nurlpatterns = [path("healthz/", health)]\n',
    }
    assert units(files) == [("site/urls.py", HEALTH_UNIT, True), ("site/settings.py", METRICS_UNIT, True)]


def test_removing_a_health_route_from_a_router_file_is_a_regression() -> None:
    main = "from fastapi import FastAPI\napp = FastAPI()\n"
    probes = 'from fastapi import APIRouter\nr = APIRouter()\n\n@r.get("/healthz")\ndef health():\n    pass\n'
    base = MetricState(METRIC, tuple(metric_units({"svc/main.py": main, "svc/probes.py": probes}, NAME)))
    head_files = {"svc/main.py": main, "svc/probes.py": probes.replace("/healthz", "/hello")}
    head = MetricState(METRIC, tuple(metric_units(head_files, NAME)))
    change = attribute(base, head, lambda path: path, frozenset({"svc/probes.py"}))
    assert [(u.path, u.label) for u in change.newly_bad] == [("svc/main.py", HEALTH_UNIT)]


def test_a_new_app_in_a_repo_without_health_endpoint_is_not_blamed_for_it() -> None:
    legacy = 'import flask\napp = flask.Flask(__name__)\n'
    base = MetricState(METRIC, tuple(metric_units({"svc/web.py": legacy}, NAME)))
    head = MetricState(METRIC, tuple(metric_units({"svc/web.py": legacy, "admin/app.py": legacy}, NAME)))
    change = attribute(base, head, lambda path: path, frozenset({"admin/app.py"}))
    assert change.newly_bad == ()
