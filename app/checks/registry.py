"""The one registry table: every check, extractor and metric Verity runs.

Codes are never reused: a retired check keeps its line, commented out, with the reason.
Each domain has its own section; keep entries in code order.
"""

from __future__ import annotations

import functools

from app.checks.architecture import (
    duplicate_definition,
    import_cycle,
    layer_violation,
    oversized_module,
    stdlib_shadowing,
)
from app.checks.base import Extractor, FileCheck, Metric, RepoCheck
from app.checks.ci import (
    continue_on_error_on_tests,
    excessive_permissions,
    invalid_workflow,
    job_without_timeout,
    pull_request_target_checkout,
    runs_checks,
    script_injection,
    unpinned_action,
)
from app.checks.dependencies import (
    committed_environment,
    conflicting_version_spec,
    missing_dependency_manifest,
    unbounded_version_spec,
    undeclared_import,
    undeclared_test_import,
    unused_dependency,
)
from app.checks.docs import broken_relative_link, docstring_coverage, readme
from app.checks.facts import (
    ci_config,
    ci_workflow,
    dependency_manifests,
    doc_labels,
    docker_images,
    git_ignore,
    k8s_network,
    lock_packages,
    markdown_links,
    python_defs,
    python_docstrings,
    python_exports,
    python_imports,
    python_main_guard,
    python_packaging,
    python_tests,
    python_web,
    readme_sections,
    yaml_manifest,
)
from app.checks.infrastructure import (
    add_from_url,
    compose_host_network,
    compose_privileged,
    container_runs_as_root,
    exposed_service,
    host_namespace,
    invalid_yaml,
    latest_image,
    missing_default_deny,
    missing_healthcheck,
    missing_probes,
    missing_resources,
    privilege_escalation,
    privileged_container,
    root_user,
    secret_in_configmap,
    secret_in_env_or_arg,
    single_stage_build,
    unpinned_base_image,
)
from app.checks.observability import (
    exception_logged_without_traceback,
    print_in_library_code,
    swallowed_exception,
    web_health_and_metrics,
)
from app.checks.performance import blocking_call_in_async, lru_cache_on_coroutine, query_in_loop, regex_compiled_in_loop
from app.checks.quality import analysis_error, long_function, syntax_error, unexplained_suppression
from app.checks.security import (
    committed_key_store,
    debug_enabled,
    default_credentials,
    hardcoded_secret,
    jwt_decode_without_verification,
    kubeconfig_credentials,
    private_key,
    provider_token,
    tls_verification_disabled,
    wildcard_cors,
)
from app.checks.tests import (
    disabled_test,
    missing_test_import,
    module_coverage,
    no_assertion,
    skip_marker,
    xfail_marker,
)

# --- checks ---------------------------------------------------------------
CHECKS: tuple[FileCheck | RepoCheck, ...] = (
    # quality
    analysis_error.CHECK,
    syntax_error.CHECK,
    unexplained_suppression.CHECK,
    long_function.CHECK,
    # security
    hardcoded_secret.CHECK,
    provider_token.CHECK,
    private_key.CHECK,
    default_credentials.CHECK,
    tls_verification_disabled.CHECK,
    wildcard_cors.CHECK,
    debug_enabled.CHECK,
    jwt_decode_without_verification.CHECK,
    kubeconfig_credentials.CHECK,
    committed_key_store.CHECK,
    # tests
    no_assertion.CHECK,
    skip_marker.CHECK,
    xfail_marker.CHECK,
    missing_test_import.CHECK,
    disabled_test.CHECK,
    # dependencies
    undeclared_import.CHECK,
    undeclared_test_import.CHECK,
    unused_dependency.CHECK,
    unbounded_version_spec.CHECK,
    conflicting_version_spec.CHECK,
    missing_dependency_manifest.CHECK,
    committed_environment.CHECK,
    # docs
    broken_relative_link.CHECK,
    # architecture
    import_cycle.CHECK,
    layer_violation.CHECK,
    duplicate_definition.CHECK,
    stdlib_shadowing.CHECK,
    oversized_module.CHECK,
    # ci
    invalid_workflow.CHECK,
    unpinned_action.CHECK,
    excessive_permissions.CHECK,
    continue_on_error_on_tests.CHECK,
    pull_request_target_checkout.CHECK,
    script_injection.CHECK,
    job_without_timeout.CHECK,
    # infrastructure
    invalid_yaml.CHECK,
    unpinned_base_image.CHECK,
    root_user.CHECK,
    missing_healthcheck.CHECK,
    single_stage_build.CHECK,
    secret_in_env_or_arg.CHECK,
    add_from_url.CHECK,
    missing_resources.CHECK,
    missing_probes.CHECK,
    latest_image.CHECK,
    container_runs_as_root.CHECK,
    privileged_container.CHECK,
    host_namespace.CHECK,
    privilege_escalation.CHECK,
    secret_in_configmap.CHECK,
    exposed_service.CHECK,
    missing_default_deny.CHECK,
    compose_privileged.CHECK,
    compose_host_network.CHECK,
    # observability
    print_in_library_code.CHECK,
    swallowed_exception.CHECK,
    exception_logged_without_traceback.CHECK,
    # performance
    blocking_call_in_async.CHECK,
    lru_cache_on_coroutine.CHECK,
    regex_compiled_in_loop.CHECK,
    query_in_loop.CHECK,
)

# --- extractors (facts for repo checks and metrics) ------------------------
EXTRACTORS: tuple[Extractor, ...] = (
    # extractors
    python_imports.EXTRACTOR,
    python_tests.EXTRACTOR,
    dependency_manifests.EXTRACTOR,
    docker_images.EXTRACTOR,
    doc_labels.EXTRACTOR,
    git_ignore.EXTRACTOR,
    ci_workflow.EXTRACTOR,
    ci_config.EXTRACTOR,
    lock_packages.EXTRACTOR,
    k8s_network.EXTRACTOR,
    markdown_links.EXTRACTOR,
    python_defs.EXTRACTOR,
    python_docstrings.EXTRACTOR,
    python_exports.EXTRACTOR,
    python_main_guard.EXTRACTOR,
    python_packaging.EXTRACTOR,
    readme_sections.EXTRACTOR,
    python_web.EXTRACTOR,
    yaml_manifest.EXTRACTOR,
)

# --- ratio and checklist metrics -------------------------------------------
METRICS: tuple[Metric, ...] = (
    # metrics
    module_coverage.METRIC,
    runs_checks.METRIC,
    runs_checks.SAFEGUARDS,
    runs_checks.EXISTS,
    docstring_coverage.METRIC,
    readme.METRIC,
    web_health_and_metrics.METRIC,
)


@functools.cache
def checks_by_code() -> dict[str, FileCheck | RepoCheck]:
    """Return every check keyed by its code."""
    return {check.rule.code: check for check in CHECKS}


@functools.cache  # asked once per analysed file
def file_checks() -> tuple[FileCheck, ...]:
    """Return the checks that read one file at a time."""
    return tuple(c for c in CHECKS if isinstance(c, FileCheck))


def repo_checks() -> tuple[RepoCheck, ...]:
    """Return the checks that read the whole snapshot's facts."""
    return tuple(c for c in CHECKS if isinstance(c, RepoCheck))
