"""Container image references: split `registry:port/name:tag@digest` and judge the pin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into its name, tag and digest (empty when absent)."""

    name: str
    tag: str
    digest: str

    @property
    def floating(self) -> bool:
        """Return whether the reference moves under you: no digest and no tag, or the `latest` tag."""
        return not self.digest and (not self.tag or self.tag.lower() == "latest")


def split_image(ref: str) -> ImageRef:
    """Split an image reference; a `:` before the last `/` is a registry port, not a tag."""
    ref = ref.strip()
    name, _, digest = ref.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = ""
    if ":" in last:
        tag = last.split(":", 1)[1]
        name = name[: -(len(tag) + 1)]
    return ImageRef(name=name, tag=tag, digest=digest)


def is_templated(value: str) -> bool:
    """Return whether a value is filled in later (`${VAR}`, `$(cmd)`, `{{ .Values }}`), so cannot be judged."""
    return "$" in value or "{{" in value or "{%" in value
