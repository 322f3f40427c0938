"""Extractor `docker.images`: the external images a Dockerfile builds FROM.

Data: the names (no tag or digest) of the images its stages start from, `?` for one named through an
ARG without a default, or None when it builds only FROM `scratch` and its own stages. Dependency checks
read it: an import no list declares may come with such an image (`FROM rayproject/ray` brings `ray`).
"""

from __future__ import annotations

from app.checks.base import Extractor, FileContext
from app.checks.infrastructure.dockerfile import parse
from app.checks.infrastructure.images import split_image

KEY = "docker.images"
UNKNOWN = "?"  # an image only the build's arguments name
DOCKERFILE = frozenset({"dockerfile"})


def extract(ctx: FileContext) -> list[str] | None:
    """Return the external base images of a Dockerfile's stages, sorted, or None when it has none."""
    dockerfile = parse(ctx)
    names: set[str] = set()
    for stage in dockerfile.stages:
        resolved = dockerfile.external_image(stage)
        if resolved is not None:
            names.add(split_image(resolved).name.lower() if resolved else UNKNOWN)
    return sorted(names) or None


EXTRACTOR = Extractor(KEY, DOCKERFILE, extract)
