"""How ruff's rules map into Verity's domains and severities.

Ruff is the Python workhorse: its findings keep ruff's own code (`F821`, `S602`) and take the domain
and severity given here. A code's entry is its longest matching prefix in `RUFF_MAP`.
"""

from __future__ import annotations

import functools
import re

from app.engine.model import Domain, Severity

Q, SEC, PRF, OBS = Domain.QUALITY, Domain.SECURITY, Domain.PERFORMANCE, Domain.OBSERVABILITY
LOW, MED, HIGH = Severity.LOW, Severity.MEDIUM, Severity.HIGH

# What ruff runs: pyflakes, pycodestyle errors, bugbear, simplify, pylint, mccabe, bandit, PERF, ASYNC.
RUFF_SELECT = ("F", "E7", "E9", "B", "SIM", "PLE", "PLW", "PLR09", "PLR17", "C90", "S", "PERF", "ASYNC")

# Rules left out: noisy, or covered better by a Verity check (secrets: SEC001; print: OBS).
RUFF_IGNORE = (
    "S101",  # assert: pytest's idiom, and tests are judged by the tests domain
    "S105", "S106", "S107",  # hard-coded passwords: SEC001 judges secrets with entropy and placeholders
    "S311",  # random for non-crypto use is the common, legitimate case
    "S4",  # suspicious imports: importing a module is not a finding
    "S603", "S606", "S607",  # subprocess without shell: the safe form
    "E731",  # lambda assignment: style
    "PLW2901",  # loop variable overwritten: style
    "PLW0603",  # global statement: style, judged by reviewers
    "PLR0913", "PLR0917",  # argument counts: style
    "SIM108",  # ternary suggestion: style
    "S110", "S112", "SIM105",  # swallowed exceptions: OBS002 grades them by where they are (one finding each)
)

MAX_COMPLEXITY = 15
UNDEFINED_NAME = "F821"  # pyflakes' undefined name: graded by where it stands (app/engine/ruff.py, findings.py)

# prefix -> (domain, severity); the longest prefix wins.
RUFF_MAP: dict[str, tuple[Domain, Severity]] = {
    "F": (Q, MED),
    "F401": (Q, LOW), "F403": (Q, LOW), "F405": (Q, LOW), "F811": (Q, LOW), "F841": (Q, LOW),
    "F541": (Q, LOW), "F402": (Q, LOW),
    "F821": (Q, HIGH), "F822": (Q, HIGH), "F823": (Q, HIGH),
    "E7": (Q, LOW), "E9": (Q, HIGH),
    "B": (Q, MED),
    "B007": (Q, LOW), "B008": (Q, LOW), "B009": (Q, LOW), "B010": (Q, LOW), "B018": (Q, LOW),
    "B024": (Q, LOW), "B026": (Q, LOW), "B027": (Q, LOW), "B028": (Q, LOW), "B034": (Q, LOW),
    "B904": (Q, LOW), "B905": (Q, LOW), "B019": (PRF, LOW),
    "SIM": (Q, LOW),
    "SIM105": (OBS, LOW),
    "PLE": (Q, MED),
    "PLW": (Q, LOW),
    "PLW1508": (Q, MED), "PLW0120": (Q, MED),
    "PLR": (Q, LOW),
    "C90": (Q, LOW),
    "S": (SEC, MED),
    "S104": (SEC, LOW), "S108": (SEC, LOW), "S110": (OBS, LOW), "S112": (OBS, LOW), "S113": (Q, LOW),
    "S324": (SEC, LOW), "S310": (SEC, LOW),
    "S201": (SEC, HIGH), "S501": (SEC, HIGH), "S502": (SEC, HIGH), "S503": (SEC, HIGH), "S504": (SEC, HIGH),
    "S506": (SEC, HIGH), "S507": (SEC, HIGH), "S602": (SEC, HIGH), "S604": (SEC, HIGH), "S701": (SEC, HIGH),
    "S301": (SEC, MED), "S102": (SEC, MED), "S307": (SEC, MED), "S608": (SEC, MED),
    "PERF": (PRF, LOW),
    "ASYNC": (PRF, MED),
    # Idiom, not cost: `sleep(0)` for `checkpoint()` (aio-libs/aiobotocore 778803892a), a very long sleep
    # for `sleep_forever()`, a `timeout` parameter where a cancel scope would do.
    "ASYNC109": (PRF, LOW), "ASYNC115": (PRF, LOW), "ASYNC116": (PRF, LOW),
}


# What blocks in test code: only ruff's correctness families, whose findings are code that fails when the test
# runs: pyflakes (F: undefined, redefined and unused names), syntax errors (E9) and pylint errors (PLE). The
# heuristic families (bandit S, bugbear B, simplify SIM, pylint warnings and refactors PLW/PLR, mccabe C90,
# statement style E7, PERF, ASYNC) guess at intent from a pattern: in a test, a chmod of a temp file or a
# closure in a loop harms no user, so there they are listed and never block. Verity's own checks are not
# ruff's: secrets and files that do not parse (QLT001) still block anywhere (a test's literal credentials and
# private keys are fixtures: SEC001 and SEC003 list them low).
BLOCKING_IN_TESTS = ("F", "E9", "PLE")
# Except pylint's invisible-character errors: a test of a validator writes a zero-width space or a
# bidirectional override into its strings on purpose (CTFd/CTFd 90ca471211); in shipped code they still block.
TEST_INPUT_ERRORS = ("PLE25",)


def is_heuristic_ruff_code(code: str) -> bool:
    """Return whether a code is one of ruff's heuristic rules, which never block from test code."""
    return is_ruff_code(code) and (not code.startswith(BLOCKING_IN_TESTS) or code.startswith(TEST_INPUT_ERRORS))


def ruff_rule(code: str) -> tuple[Domain, Severity]:
    """Return the domain and severity of a ruff code, by its longest mapped prefix."""
    for end in range(len(code), 0, -1):
        entry = RUFF_MAP.get(code[:end])
        if entry is not None:
            return entry
    return (Q, LOW)


@functools.cache  # asked for every finding of every file, of a few hundred distinct codes
def is_ruff_code(code: str) -> bool:
    """Return whether a code belongs to ruff rather than to a Verity check (`S602` yes, `SEC001` no)."""
    letters = re.match(r"[A-Z]+", code)
    if letters is None or not code[letters.end():].isdigit():
        return False
    return letters.group() in _FAMILIES and any(code.startswith(p) for p in RUFF_SELECT)


# The letter part of each selected family: `C90` -> `C`, `PLR09` -> `PLR`.
_FAMILIES = frozenset(re.sub(r"\d.*", "", prefix) for prefix in RUFF_SELECT)
