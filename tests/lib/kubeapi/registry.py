"""Which resources the server serves: kmock's bundled built-ins plus the registered CRDs.

kmock's ``ResourcesArray`` (``handler.resources``) stays the one list of resources, so kmock's own
discovery endpoints (/api/v1, /apis/<group>/<version>) show a CRD's resources as soon as it is
registered. On top of it, this keeps each custom resource's ``openAPIV3Schema``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import kmock

CUSTOM_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclasses.dataclass(frozen=True)
class Resource:
    """One served group/version/plural and what the server knows about it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    subresources: frozenset[str] = frozenset()
    schema: Mapping[str, Any] | None = None  # openAPIV3Schema, for custom resources only

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """The name used in the server's messages: ``configmaps``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def custom(self) -> bool:
        return self.schema is not None

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources


class Registry:
    """Looks resources up in kmock's resource list; registers and unregisters CRDs in it."""

    def __init__(self, resources: kmock.ResourcesArray) -> None:
        self._resources = resources
        self._schemas: dict[kmock.resource, Mapping[str, Any]] = {}

    def find(self, group: str, version: str, plural: str) -> Resource | None:
        key = kmock.resource(group=group, version=version, plural=plural)
        if key not in self._resources:
            return None
        info = self._resources[key]
        return Resource(
            group=group,
            version=version,
            plural=plural,
            kind=info.kind or plural.capitalize(),
            namespaced=bool(info.namespaced),
            subresources=frozenset(info.subresources),
            schema=self._schemas.get(key),
        )

    def register(self, crd: Mapping[str, Any]) -> None:
        """Serve the versions of a CustomResourceDefinition (again, if it changed)."""
        self.unregister(crd)
        spec, names = crd["spec"], crd["spec"]["names"]
        for version in spec["versions"]:
            if not version.get("served", True):
                continue
            key = kmock.resource(group=spec["group"], version=version["name"], plural=names["plural"])
            self._resources[key] = kmock.ResourceInfo(
                kind=names["kind"],
                singular=names.get("singular") or names["kind"].lower(),
                namespaced=spec["scope"] == "Namespaced",
                shortnames=names.get("shortNames", []),
                categories=names.get("categories", []),
                verbs=CUSTOM_VERBS,
                subresources=version.get("subresources", {}).keys(),
            )
            self._schemas[key] = version["schema"]["openAPIV3Schema"]

    def unregister(self, crd: Mapping[str, Any]) -> None:
        spec = crd["spec"]
        for key in [key for key in self._schemas if (key.group, key.plural) == (spec["group"], spec["names"]["plural"])]:
            del self._schemas[key]
            del self._resources[key]
