"""Architecture domain: ARC001-ARC005, the `python.defs` extractor, module naming and the graph algorithms."""

from __future__ import annotations

import textwrap

import pytest

from app.checks.architecture import duplicate_definition, import_cycle, layer_violation, stdlib_shadowing
from app.checks.architecture.graph import cycles_through, strongly_connected
from app.checks.architecture.modules import build_layout
from app.checks.base import FileContext, RepoCheck, RepoView
from app.checks.facts import python_defs, python_main_guard
from app.engine.model import RawFinding
from config.policy import Policy, parse_policy
from tests.helpers import file_findings, repo_view


def view(files: dict[str, str], policy: Policy | None = None) -> RepoView:
    """Return a RepoView over dedented in-memory files."""
    return repo_view({p: textwrap.dedent(t) for p, t in files.items()}, policy)


def run(check: RepoCheck, files: dict[str, str], policy: Policy | None = None) -> list[tuple[str, RawFinding]]:
    """Return (path, finding) pairs of one repo check."""
    return [(f.path, f.finding) for f in check.find(view(files, policy))]


def located(check: RepoCheck, files: dict[str, str], policy: Policy | None = None) -> list[tuple[str, int]]:
    """Return (path, line) of a repo check's findings."""
    return [(path, f.line) for path, f in run(check, files, policy)]


# --- module naming ---------------------------------------------------------------------------------


def test_modules_are_named_from_their_package_root() -> None:
    layout = build_layout(
        view(
            {
                "src/billing/__init__.py": "",
                "src/billing/api.py": "",
                "services/shop/shop/__init__.py": "",
                "services/shop/shop/cart.py": "",
                "scripts/deploy.py": "",
                "tests/test_api.py": "",
                "billing_legacy/migrations/0001.py": "",
            }
        )
    )
    assert layout.names == {
        "src/billing/__init__.py": "billing",
        "src/billing/api.py": "billing.api",
        "services/shop/shop/__init__.py": "shop",
        "services/shop/shop/cart.py": "shop.cart",
        "scripts/deploy.py": "deploy",
    }


# --- graph algorithms ------------------------------------------------------------------------------


def test_strongly_connected_components_and_a_cycle_through_each_member() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1, "d": 1}, "d": {}, "e": {"e": 1}}
    components = strongly_connected(graph)
    assert sorted(components) == [["a", "b", "c"], ["d"], ["e"]]
    assert cycles_through(graph, ["a", "b", "c"]) == {
        "a": ["a", "b", "c", "a"],
        "b": ["b", "c", "a", "b"],
        "c": ["c", "a", "b", "c"],
    }


def test_cycles_through_members_of_a_figure_eight_are_simple() -> None:
    graph = {"a": {"b": 1, "c": 1}, "b": {"a": 1}, "c": {"a": 1}}
    assert cycles_through(graph, ["a", "b", "c"]) == {"a": ["a", "b", "a"], "b": ["b", "a", "b"], "c": ["c", "a", "c"]}


def test_a_graph_of_3000_modules_is_handled_iteratively() -> None:
    # Speed is measured by bench/audit, not asserted here; this proves no recursion limit is hit.
    files = {"pkg/__init__.py": ""}
    for i in range(3000):
        # A chain with a back edge every 10 modules: 300 cycles, 6,000 imports.
        back = f"from pkg import m{i - 9}\n" if i % 10 == 9 else ""
        files[f"pkg/m{i}.py"] = f"import pkg.m{(i + 1) % 3000}\nimport os\n{back}"
    built = view(files)
    found = list(import_cycle.CHECK.find(built))
    assert len(found) == 3000  # the last module imports the first, so the chain is one big cycle


# --- ARC001 import-cycle ---------------------------------------------------------------------------

CYCLE = {
    "billing/__init__.py": "",
    "billing/invoice.py": """\
        import os
        from billing.customer import Customer
    """,
    "billing/customer.py": """\
        from . import invoice
    """,
    "billing/report.py": """\
        from billing import invoice, customer
    """,
}


def test_each_module_of_a_cycle_is_reported_once_at_its_import() -> None:
    found = run(import_cycle.CHECK, CYCLE)
    assert [(p, f.line, f.snippet) for p, f in found] == [
        ("billing/customer.py", 1, "import-cycle"),
        ("billing/invoice.py", 2, "import-cycle"),
    ]
    assert found[0][1].message == (
        "`billing.customer` is in an import cycle: billing.customer -> billing.invoice -> billing.customer"
    )


def test_a_three_module_cycle_in_a_src_layout() -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/a.py": "from app.b import x\n",
        "src/app/b.py": "\n\nfrom .c import y\n",
        "src/app/c.py": "import app.a\n",
    }
    assert located(import_cycle.CHECK, files) == [("src/app/a.py", 1), ("src/app/b.py", 3), ("src/app/c.py", 1)]


def test_importing_a_name_from_a_package_depends_on_its_init() -> None:
    files = {
        "pkg/__init__.py": "from pkg.core import Engine\nVERSION = 1\n",
        "pkg/core.py": "from pkg import VERSION\n",
    }
    assert located(import_cycle.CHECK, files) == [("pkg/__init__.py", 1), ("pkg/core.py", 1)]


@pytest.mark.parametrize(
    "customer",
    [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from billing.invoice import Invoice\n",
        "def latest():\n    from billing.invoice import Invoice\n    return Invoice\n",
        'if __name__ == "__main__":\n    from billing.invoice import Invoice\n',
        "import billing_invoice_like\nfrom billing import helpers\n",
    ],
)
def test_type_checking_function_level_and_script_imports_do_not_make_cycles(customer: str) -> None:
    files = {
        "billing/__init__.py": "",
        "billing/helpers.py": "",
        "billing/invoice.py": "from billing.customer import Customer\n",
        "billing/customer.py": customer,
    }
    assert located(import_cycle.CHECK, files) == []


def test_a_package_re_exporting_its_modules_is_not_a_cycle() -> None:
    files = {
        "pkg/__init__.py": "from pkg.a import A\nfrom pkg.b import B\n",
        "pkg/a.py": "from pkg.b import B\n",
        "pkg/b.py": "import pkg.util\n",
        "pkg/util.py": "",
    }
    assert located(import_cycle.CHECK, files) == []


def test_a_submodule_named_like_a_test_is_not_its_package() -> None:
    files = {"pkg/__init__.py": "from pkg import manager\n", "pkg/manager.py": "from pkg import test_set\n",
             "pkg/test_set.py": ""}
    assert located(import_cycle.CHECK, files) == []


def test_python_main_guard_lists_script_blocks() -> None:
    source = 'import os\nif __name__ == "__main__":\n    main()\n    exit()\nif "__main__" == __name__: pass\n'
    assert python_main_guard.extract(FileContext("pkg/cli.py", source)) == [[2, 4], [5, 5]]


def test_cycles_through_test_files_are_not_judged() -> None:
    files = {"tests/__init__.py": "", "tests/a.py": "from tests import b\n", "tests/b.py": "from tests import a\n"}
    assert located(import_cycle.CHECK, files) == []


# --- ARC002 layer-violation ------------------------------------------------------------------------

LAYERS = parse_policy('[architecture]\nlayers = ["billing.api", "billing.services", "billing.models"]\n')
LAYERED = {
    "billing/__init__.py": "",
    "billing/api/__init__.py": "",
    "billing/api/views.py": "from billing.services import pricing\nfrom billing.models.invoice import Invoice\n",
    "billing/services/__init__.py": "",
    "billing/services/pricing.py": "from billing.models import invoice\nimport requests\n",
    "billing/models/__init__.py": "",
    "billing/models/invoice.py": """\
        from typing import TYPE_CHECKING
        from ..services.pricing import total
        if TYPE_CHECKING:
            from billing.api.views import View

        def render():
            from billing.api import views
            from billing.services.pricing import total
    """,
}


def test_imports_from_an_upper_layer_are_flagged() -> None:
    found = run(layer_violation.CHECK, LAYERED, LAYERS)
    assert [(p, f.line, f.snippet) for p, f in found] == [
        ("billing/models/invoice.py", 2, "layer:billing.services.pricing"),
        ("billing/models/invoice.py", 4, "layer:billing.api.views"),
    ]
    assert found[0][1].message == (
        "`billing.models.invoice` (layer `billing.models`) imports `billing.services.pricing` "
        "from the layer above it (`billing.services`)"
    )


def test_unresolved_modules_of_an_upper_layer_are_matched_by_name() -> None:
    files = {"billing/models/invoice.py": "from billing.api import client\n"}  # namespace packages
    assert located(layer_violation.CHECK, files, LAYERS) == [("billing/models/invoice.py", 1)]


def test_no_layers_means_no_layer_findings() -> None:
    assert located(layer_violation.CHECK, LAYERED) == []


def test_downward_imports_are_clean() -> None:
    files = {k: v for k, v in LAYERED.items() if k != "billing/models/invoice.py"}
    assert located(layer_violation.CHECK, files, LAYERS) == []


# --- ARC003 duplicate-definition and python.defs ---------------------------------------------------

BASE_MODEL = '''\
class BaseModel:
    """A stored row."""

    table = None

    def save(self):
        return self.table.insert(self)

    def delete(self):
        return self.table.remove(self)
'''

DRIFTED = '''\
class BaseModel:
    """Our own base model."""

    table = None

    def save(self):
        return self.table.insert(self)

    def delete(self):
        return self.table.remove(self)

    def refresh(self):
        return self.table.get(self)
'''

BACKEND_A = "class Lock:\n    def acquire(self):\n        return redis.set(self.key)\n    def release(self):\n        redis.delete(self.key)\n"
BACKEND_B = "class Lock:\n    def acquire(self):\n        return self.flag.acquire()\n    def release(self):\n        self.flag.release()\n"


def test_python_defs_lists_top_level_definitions() -> None:
    defs = python_defs.extract(FileContext("shop/models.py", "import os\n\n" + BASE_MODEL + "\ndef helper():\n    pass\n"))
    assert [(d["name"], d["line"], d["kind"], d["size"], len(d["parts"])) for d in defs] == [
        ("BaseModel", 3, "class", 3, 4),
        ("helper", 14, "def", 1, 0),  # too small to be compared: not hashed
    ]


def test_a_copied_class_is_flagged_in_every_module_that_holds_it() -> None:
    files = {
        "shop/__init__.py": "",
        "shop/models/__init__.py": "",
        "shop/models/base.py": "import os\n\n" + BASE_MODEL,
        "shop/db/__init__.py": "",
        "shop/db/base.py": DRIFTED,
        "shop/db/other.py": "class BaseModel:\n    x = 1\n    y = 2\n",
    }
    found = run(duplicate_definition.CHECK, files)
    assert [(p, f.line, f.snippet) for p, f in found] == [
        ("shop/db/base.py", 1, "duplicate:class:BaseModel"),
        ("shop/models/base.py", 3, "duplicate:class:BaseModel"),
    ]
    assert found[1][1].message == "class `BaseModel` is also defined, as a copy, in `shop.db.base`"


def test_copies_in_two_packages_of_one_project_are_compared() -> None:
    files = {"core/__init__.py": "", "core/util.py": BASE_MODEL, "api/__init__.py": "", "api/util.py": BASE_MODEL}
    assert located(duplicate_definition.CHECK, files) == [("api/util.py", 1), ("core/util.py", 1)]


def test_examples_and_docs_repeating_a_tutorials_definitions_are_not_compared() -> None:
    # litestar-org/litestar 6d7ed90cdc: each tutorial step under docs/examples/ defines the app's models again.
    steps = {f"docs/examples/sqla/step{n}/__init__.py": "" for n in (1, 2)}
    steps |= {f"docs/examples/sqla/step{n}/app.py": BASE_MODEL for n in (1, 2)}
    files = {"docs/__init__.py": "", "docs/examples/__init__.py": "", "docs/examples/sqla/__init__.py": "", **steps}
    assert located(duplicate_definition.CHECK, files) == []
    assert located(duplicate_definition.CHECK, {**files, "shop/__init__.py": "", "shop/a.py": BASE_MODEL,
                                                 "shop/b.py": BASE_MODEL}) == [("shop/a.py", 1), ("shop/b.py", 1)]

def test_modules_of_a_package_that_declares_itself_generated_are_not_compared() -> None:
    # kubernetes-client/python c01426ab35: OpenAPI Generator writes api_response.py with no header, in
    # packages whose __init__.py says "Generated by OpenAPI Generator ... Do not edit the class manually".
    header = '"""\n    Kubernetes\n\n    Generated by OpenAPI Generator (https://openapi-generator.tech)\n\n' \
             '    Do not edit the class manually.\n"""\n'
    files = {"kubernetes/__init__.py": "", "kubernetes/client/__init__.py": header,
             "kubernetes/client/api_response.py": BASE_MODEL, "kubernetes/aio/__init__.py": "",
             "kubernetes/aio/client/__init__.py": header, "kubernetes/aio/client/api_response.py": BASE_MODEL}
    assert located(duplicate_definition.CHECK, files) == []
    files["kubernetes/aio/client/__init__.py"] = '"""The asyncio client, written by hand."""\n'
    files["kubernetes/client/__init__.py"] = '"""The client."""\n'
    assert located(duplicate_definition.CHECK, files) == [("kubernetes/aio/client/api_response.py", 1),
                                                          ("kubernetes/client/api_response.py", 1)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("pkg/backends/redis.py", "pkg/backends/memory.py"),  # same names, different code
    ],
)
def test_alternative_implementations_are_not_copies(first: str, second: str) -> None:
    files = {"pkg/__init__.py": "", "pkg/backends/__init__.py": "", first: BACKEND_A, second: BACKEND_B}
    assert located(duplicate_definition.CHECK, files) == []


@pytest.mark.parametrize(
    "layout",
    [
        {"pkg/api/v1/models.py": BASE_MODEL, "pkg/api/v2/models.py": BASE_MODEL},  # versioned copies
        {"pkg/api/v1/models.py": BASE_MODEL, "pkg/models.py": BASE_MODEL},  # a frozen old version
        {"tests/a.py": BASE_MODEL, "tests/b.py": BASE_MODEL},  # tests
        {"pkg/a.py": BASE_MODEL.replace("BaseModel", "_Base"), "pkg/b.py": BASE_MODEL.replace("BaseModel", "_Base")},
        {"pkg/a.py": "def main():\n    parse()\n    run()\n", "pkg/b.py": "def main():\n    parse()\n    run()\n"},
        {"pkg/a.py": "class NotFound(Exception):\n    pass\n", "pkg/b.py": "class NotFound(Exception):\n    pass\n"},
        {"pkg/migrations/0001.py": BASE_MODEL, "pkg/migrations/0002.py": BASE_MODEL},
        {"pkg/a.py": "# @generated\n" + BASE_MODEL, "pkg/b.py": "# @generated\n" + BASE_MODEL},
        {"scripts/a.py": BASE_MODEL, "scripts/b.py": BASE_MODEL},  # scripts outside any package
        {"one/__init__.py": "", "one/a.py": BASE_MODEL, "two/__init__.py": "", "two/b.pyi": BASE_MODEL},
    ],
)
def test_legitimate_repetition_is_not_flagged(layout: dict[str, str]) -> None:
    packages = {"pkg/__init__.py": "", "pkg/api/__init__.py": "", "pkg/api/v1/__init__.py": "",
                "pkg/api/v2/__init__.py": "", "pkg/migrations/__init__.py": "", "tests/__init__.py": ""}
    assert located(duplicate_definition.CHECK, {**packages, **layout}) == []


def test_services_of_a_monorepo_are_separate_projects() -> None:
    files = {
        "svc1/app/__init__.py": "",
        "svc1/app/models.py": BASE_MODEL,
        "svc2/app/__init__.py": "",
        "svc2/app/models.py": BASE_MODEL,
    }
    assert located(duplicate_definition.CHECK, files) == []


# --- ARC004 stdlib-shadowing -----------------------------------------------------------------------


def test_top_level_modules_named_like_the_standard_library_are_flagged() -> None:
    files = {
        "logging.py": "",
        "src/json/__init__.py": "",
        "src/json/codec.py": "",
        "pkg/__init__.py": "",
        "pkg/types.py": "",
        "tests/secrets.py": "",
        "this.py": "",
        "typing.pyi": "",
        "helpers.py": "",
    }
    found = run(stdlib_shadowing.CHECK, files)
    assert [(p, f.line, f.snippet) for p, f in found] == [
        ("logging.py", 0, "shadows:logging"),
        ("src/json/__init__.py", 0, "shadows:json"),
    ]


def test_a_src_directory_that_is_a_package_is_not_an_import_root() -> None:
    assert located(stdlib_shadowing.CHECK, {"src/__init__.py": "", "src/queue.py": ""}) == []


# --- ARC005 oversized-module -----------------------------------------------------------------------


def test_a_module_over_1000_non_blank_lines_is_flagged() -> None:
    source = "x = 1\n\n" * 1001
    assert [(f.line, f.snippet) for f in file_findings("pkg/big.py", source, "ARC005")] == [(0, "oversized-module")]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("pkg/ok.py", "x = 1\n\n" * 1000),
        ("pkg/gen.py", "# Generated by the protocol buffer compiler.  DO NOT EDIT!\n" + "x = 1\n" * 2000),
        ("pkg/api_pb2.py", "x = 1\n" * 2000),
        ("pkg/big.pyi", "x: int\n" * 2000),
    ],
)
def test_modules_at_the_limit_stubs_and_generated_code_are_clean(path: str, source: str) -> None:
    assert file_findings(path, source, "ARC005") == []


PLUGIN = '''\
def find(ctx):
    """Report {what}."""
    workflow = root(ctx)
    for job in jobs(workflow):
        if {cond}:
            yield job
'''


def test_plugin_entry_points_sharing_a_signature_and_first_statement_are_not_copies() -> None:
    files = {
        "checks/__init__.py": "",
        "checks/timeout.py": PLUGIN.format(what="jobs without a timeout", cond="'timeout' not in job"),
        "checks/perms.py": PLUGIN.format(what="jobs with broad permissions", cond="job.perms == 'write-all'"),
    }
    assert located(duplicate_definition.CHECK, files) == []
