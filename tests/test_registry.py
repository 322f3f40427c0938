"""The registry: unique codes, domain prefixes, kebab-case names and documented checks."""

from __future__ import annotations

import re

from app.checks.registry import CHECKS, EXTRACTORS, METRICS
from app.checks.ruff_rules import RUFF_SELECT
from app.checks.security import SECRET_RULES
from app.engine.model import DOMAIN_PREFIX, Domain

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


def test_codes_are_unique() -> None:
    codes = [c.rule.code for c in CHECKS]
    assert len(codes) == len(set(codes))


def test_names_are_unique_and_kebab_case() -> None:
    names = [c.rule.name for c in CHECKS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names), names


def test_code_prefix_matches_domain() -> None:
    for check in CHECKS:
        prefix = DOMAIN_PREFIX[check.rule.domain]
        assert re.fullmatch(prefix + r"\d{3}", check.rule.code), check.rule.code


def test_every_check_is_documented_in_four_sections() -> None:
    for check in CHECKS:
        positions = [check.rule.doc.find(s) for s in SECTIONS]
        assert all(p >= 0 for p in positions), (check.rule.code, positions)
        assert positions == sorted(positions), check.rule.code


def test_verity_codes_never_collide_with_ruff_prefixes() -> None:
    for check in CHECKS:
        assert not any(check.rule.code.startswith(p) and p not in ("C90",) and len(p) > 2 for p in RUFF_SELECT)


def test_extractor_keys_and_metric_names_are_unique() -> None:
    keys = [e.key for e in EXTRACTORS]
    assert len(keys) == len(set(keys))
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))


def test_no_secret_rule_pairs_in_place_as_a_setting() -> None:
    # A setting's fixed and new findings in one file pair whatever their text; a secret replaced by
    # another secret must stay new.
    settings = {c.rule.code for c in CHECKS if c.rule.setting or c.rule.scoped}
    assert settings and not settings & SECRET_RULES
    assert not any("secret" in c.rule.name or c.rule.domain is Domain.SECURITY
                   for c in CHECKS if c.rule.setting or c.rule.scoped)
