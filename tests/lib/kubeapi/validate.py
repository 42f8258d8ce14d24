"""Validate rendered built-in manifests against Kubernetes' own OpenAPI schemas (PyPI kubernetes-validate).

``validate_manifest(obj, version)`` checks one object against the schemas of one Kubernetes minor
version, strictly: an unknown field is an error, as the API server's strict field validation
(``kubectl apply --validate=strict``) reports it. Use ``KUBERNETES_VERSIONS`` — the oldest version
the project supports and the newest the installed kubernetes-validate ships — to check both ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kubernetes_validate
from kubernetes_validate.utils import major_minor

OLDEST = "1.28"
NEWEST = major_minor(kubernetes_validate.latest_version())
KUBERNETES_VERSIONS = (OLDEST, NEWEST)


class ManifestError(AssertionError):
    """A manifest Kubernetes would refuse; the message names the object, the field and the rule."""


def validate_manifest(obj: Mapping[str, Any], version: str) -> None:
    """Raise ``ManifestError`` unless ``obj`` is valid for Kubernetes ``version`` (e.g. "1.28")."""
    what = f"{obj.get('kind')} {obj.get('metadata', {}).get('name')!r}"
    try:
        kubernetes_validate.validate(dict(obj), version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        field = ".".join(str(part) for part in exc.path) or "(the object)"
        raise ManifestError(f"{what} is invalid for Kubernetes {exc.version}: {field}: {exc.message}") from exc
    except kubernetes_validate.SchemaNotFoundError as exc:
        raise ManifestError(f"{what}: {exc.message}") from exc
