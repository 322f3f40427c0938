"""The check run's output: title, summary and text within GitHub's limits, and the annotations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.engine.model import Finding, Severity
from app.engine.report import Report
from app.engine.standing import Standing
from app.github import text
from app.report.evidence import score_text
from app.report.markdown import render_details, summary_sections, title
from app.report.standing_markdown import render_standing_markdown, standing_table

TEXT_LIMIT = 65_535  # GitHub's limit on output.summary and output.text, in characters
TITLE_LIMIT = 1_000
MESSAGE_LIMIT = 60_000
BATCH_SIZE = 50  # annotations per check-run update, GitHub's limit
MAX_ANNOTATIONS = 1_000  # per check run: past this, findings are counted, not annotated

_LEVEL = {
    Severity.CRITICAL: "failure",
    Severity.HIGH: "failure",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
}


@dataclass(frozen=True)
class Annotation:
    """One annotation, with the fingerprint of the finding it shows."""

    fingerprint: str
    body: dict[str, Any]


@dataclass(frozen=True)
class CheckOutput:
    """Everything a completed check run shows."""

    conclusion: str
    title: str
    summary: str
    text: str = ""
    annotations: tuple[Annotation, ...] = field(default_factory=tuple)

    def output(self, annotations: list[Annotation] | None = None) -> dict[str, Any]:
        """Return the `output` object of a check-run request, with one batch of annotations."""
        out: dict[str, Any] = {"title": self.title, "summary": self.summary}
        if self.text:
            out["text"] = self.text
        if annotations:
            out["annotations"] = [a.body for a in annotations]
        return out


def truncate(value: str, limit: int = TEXT_LIMIT) -> str:
    """Cut text to a limit, ending with a note that says it was cut."""
    if len(value) <= limit:
        return value
    note = text.TRUNCATED_NOTE.format(limit=limit)
    return value[: limit - len(note)] + note


def fit_summary(sections: list[str], limit: int = TEXT_LIMIT) -> str:
    """Join summary blocks within the limit: the table, the blockers and the footer stay; later blocks are cut first."""
    footer = sections[-1]
    kept: list[str] = []
    room = limit - len(footer) - len(text.TRUNCATED_NOTE.format(limit=limit)) - 2 * len(sections)
    for index, block in enumerate(sections[:-1]):
        if len(block) + 1 > room:
            # The first blocks (table, blockers) are cut rather than dropped: never end without the footer.
            if index < 2:
                kept.append(truncate(block, max(room, 0)))
            kept.append(text.TRUNCATED_NOTE.format(limit=limit).strip() + "\n")
            break
        kept.append(block)
        room -= len(block) + 1
    return truncate("\n".join([*kept, footer]), limit)


def annotation(finding: Finding) -> Annotation:
    """Return the annotation of one new finding (whole-file findings sit on line 1)."""
    start = max(finding.line, 1)
    body = {
        "path": finding.path,
        "start_line": start,
        "end_line": max(finding.end_line, start),
        "annotation_level": _LEVEL[finding.severity],
        "title": truncate(f"{finding.rule} {finding.name} ({finding.severity.value})", 255),
        "message": truncate(finding.message or finding.name, MESSAGE_LIMIT),
    }
    return Annotation(finding.fingerprint, body)


def batches(items: list[Annotation], size: int = BATCH_SIZE) -> list[list[Annotation]]:
    """Split annotations into request-sized batches."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def report_output(report: Report, comments_overflow: tuple[int, int] = (0, 0),
                  max_annotations: int = MAX_ANNOTATIONS, link_base: str | None = None) -> CheckOutput:
    """Return the completed check run of a report: the verdict, the table, the details, annotations.

    `comments_overflow` is (findings not commented, the comment limit), noted in the summary;
    `link_base` is the repository's `html_url`, so every `path:line` links to the file at the head SHA.
    """
    new = report.new_findings()
    annotated = [annotation(f) for f in new[:max_annotations]]
    notes = []
    if annotated:
        notes.append(text.ANNOTATIONS_NOTE.format(sent=len(annotated), batches=len(batches(annotated))))
    if len(new) > max_annotations:
        notes.append(text.ANNOTATIONS_OVERFLOW.format(count=len(new) - max_annotations, limit=max_annotations))
    if comments_overflow[0]:
        notes.append(text.COMMENTS_OVERFLOW.format(count=comments_overflow[0], limit=comments_overflow[1]))
    sections = summary_sections(report, link_base)
    sections[-1:-1] = [note + "\n" for note in notes]
    return CheckOutput(
        conclusion="success" if report.passed else "failure",
        title=truncate(title(report), TITLE_LIMIT),
        summary=fit_summary(sections),
        text=truncate(render_details(report)),
        annotations=tuple(annotated),
    )


def message_output(conclusion: str, title_text: str, summary: str) -> CheckOutput:
    """Return a completed check run that only says something (errors, supersession, bad policy)."""
    return CheckOutput(conclusion=conclusion, title=truncate(title_text, TITLE_LIMIT), summary=truncate(summary))


def baseline_output(standing: Standing, branch: str) -> CheckOutput:
    """Return the neutral check run of a default-branch commit: the overall score, the domain table, the report."""
    summary = text.SUMMARY_BASELINE.format(branch=branch.replace("`", ""), sha=standing.commit[:12],
                                           table="\n".join(standing_table(standing)))
    return CheckOutput(
        conclusion="neutral",
        title=truncate(text.TITLE_BASELINE.format(score=score_text(standing.overall)), TITLE_LIMIT),
        summary=truncate(summary),
        text=truncate(render_standing_markdown(standing)),
    )
