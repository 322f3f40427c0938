"""The repository policy: defaults, overrides and clear errors with the line."""

from __future__ import annotations

import pytest

from app.engine.model import DOMAIN_ORDER, Domain, Severity
from config.policy import PolicyError, default_policy, load_policy, parse_policy


def test_defaults_apply_without_a_file() -> None:
    policy = load_policy(None)
    assert policy == default_policy()
    assert policy.gate.block == DOMAIN_ORDER and policy.gate.severity is Severity.MEDIUM
    assert policy.gate.tolerance == 0.5 and policy.gate.on_error == "neutral"
    assert "**/test_*.py" in policy.paths.tests


def test_a_file_overrides_only_what_it_names() -> None:
    policy = parse_policy(
        '[gate]\nblock = ["security", "tests"]\nseverity = "high"\n[domains.docs]\nenabled = false\nweight = 2\n'
        '[rules]\nseverity = { QLT003 = "medium" }\n[architecture]\nlayers = ["a.api", "a.models"]\n'
    )
    assert policy.gate.block == (Domain.SECURITY, Domain.TESTS) and policy.gate.severity is Severity.HIGH
    assert policy.gate.tolerance == 0.5
    assert policy.domain(Domain.DOCS).enabled is False and policy.domain(Domain.DOCS).weight == 2.0
    assert policy.rules.severity_for("QLT003") is Severity.MEDIUM
    assert policy.architecture.layers == ("a.api", "a.models")
    assert policy.digest() != default_policy().digest()


@pytest.mark.parametrize(("text", "message"), [
    ("[gate\n", "line 1"),
    ('[gate]\nseverity = "severe"\n', "unknown severity 'severe'"),
    ('[gate]\nblock = ["speed"]\n', "unknown domain 'speed'"),
    ("[gate]\ntolerance = -1\n", "gate.tolerance"),
    ('[gate]\non_error = "explode"\n', "gate.on_error"),
    ('[paths]\nexclude = "vendor/**"\n', "paths.exclude must be a list of strings"),
    ("[review]\nmax_comments = 1.5\n", "review.max_comments"),
    ("[colours]\nx = 1\n", "unknown section [colours]"),
    ('[report]\npublic = "yes"\n', "report.public must be true or false"),
    ("report = 1\n", "report must be a table"),
])
def test_invalid_files_raise_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert message in str(caught.value) and str(caught.value).startswith(".github/verity.toml")


def test_the_report_stays_private_unless_the_file_opts_in() -> None:
    assert default_policy().report.public is False
    assert parse_policy("[gate]\nseverity = \"high\"\n").report.public is False
    opted = parse_policy("[report]\npublic = true\n")
    assert opted.report.public is True and opted.digest() != default_policy().digest()
