"""The objects of the emulated cluster and the API semantics of writing them.

What a real API server does and this reproduces:

- a cluster-wide revision: every write bumps it and stamps the object's ``resourceVersion``; a write
  that changes nothing stores nothing and keeps the ``resourceVersion`` (that is what makes
  kubernetes.core report ``changed: false`` on a second run);
- ``uid``, ``creationTimestamp``, ``generation`` (1 at creation, +1 when anything but metadata changes,
  status excluded where status is a subresource), names from ``generateName``, name validation;
- optimistic concurrency: a write carrying a stale ``resourceVersion`` is a 409 Conflict (and a
  create carrying one is a 400);
- the status subresource: writes to it change only ``status``, other writes never change ``status``;
- finalizers: deleting an object that has them only sets ``deletionTimestamp``; the write that removes
  the last one deletes it;
- namespaces: objects need an existing namespace; deleting one deletes its objects (those with
  finalizers keep it ``Terminating`` until they are gone);
- garbage collection: an object whose owners (``ownerReferences``) are all gone is deleted;
- CRDs: creating one validates it, marks it Established and serves its resources; deleting it
  deletes its custom resources (without waiting for their finalizers) and stops serving them;
- custom resources are pruned, defaulted and validated against their CRD's openAPIV3Schema;
- Secrets: ``stringData`` is merged into ``data`` (base64) and never stored, ``type`` defaults to Opaque;
- every write can be a dry run: the result is computed and returned, nothing is stored;
- a log of changes (ADDED/MODIFIED/DELETED with their revision) from which watches are served: the last
  ``CHANGE_LOG`` changes, as a real server compacts its history (a watch from an older revision gets 410).

A stored object is never changed in place: a write stores a new one. So the change log and the server's reads
(``list(copy=False)``, serialized at once) share the stored objects instead of copying each (a list of 300 custom
resources cost ~15 ms of copying, and every write two more copies for the log).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import copy
import dataclasses
import datetime
import itertools
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from tests.lib.kubeapi import errors
from tests.lib.kubeapi.openapi import Cause, admit
from tests.lib.kubeapi.registry import Registry, Resource

Key = tuple[str, str, str, str]  # group, plural, namespace ("" when cluster-scoped), name
Object = dict[str, Any]

NAMESPACES = ("", "namespaces")
SECRETS = ("", "secrets")
CRDS = ("apiextensions.k8s.io", "customresourcedefinitions")
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
SYSTEM_METADATA = ("name", "namespace", "uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds")
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the server's generateName alphabet
CHANGE_LOG = 10_000  # changes kept for watches (at least; trimmed to this when it reaches twice as many)


@dataclasses.dataclass(frozen=True)
class Change:
    revision: int
    type: str  # ADDED, MODIFIED or DELETED
    key: Key
    obj: Object
    old: Object | None


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """All objects by key, the revision counter and the change log; the API's write semantics."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.objects: dict[Key, Object] = {}
        self._by_resource: dict[tuple[str, str], set[Key]] = collections.defaultdict(set)  # (group, plural) -> keys
        self.changes: list[Change] = []
        self.revision = 0
        self.change_log = CHANGE_LOG
        self.closed = False
        self._wakeup = asyncio.Event()
        self._name_suffixes = itertools.count(1)
        namespaces = self._builtin("", "v1", "namespaces")
        for name in INITIAL_NAMESPACES:
            self.create(namespaces, None, {"metadata": {"name": name}})

    def _builtin(self, group: str, version: str, plural: str) -> Resource:
        resource = self.registry.find(group, version, plural)
        assert resource is not None, f"{plural}.{group} is not among kmock's bundled resources"
        return resource

    @property
    def oldest_revision(self) -> int:
        """The oldest revision a watch can start from: every change after it is in ``changes``."""
        return self.changes[0].revision - 1 if self.changes else self.revision

    @property
    def wakeup(self) -> asyncio.Event:
        """Set at the next change (or when the store closes)."""
        return self._wakeup

    def close(self) -> None:
        self.closed = True
        self._wakeup.set()

    @staticmethod
    def key(resource: Resource, namespace: str | None, name: str) -> Key:
        return resource.group, resource.plural, namespace if resource.namespaced and namespace else "", name

    def get(self, resource: Resource, namespace: str | None, name: str) -> Object:
        return copy.deepcopy(self._existing(resource, self.key(resource, namespace, name)))

    def list(self, resource: Resource, namespace: str | None, *, copy_objects: bool = True) -> list[Object]:
        """The objects of ``resource`` (in ``namespace``), as copies; ``copy_objects=False``: the stored objects
        themselves, for a reader that only reads them (never change one)."""
        found = [self.objects[key] for key in self._keys(resource, namespace)]
        return [copy.deepcopy(obj) for obj in found] if copy_objects else found

    def create(self, resource: Resource, namespace: str | None, body: Mapping[str, Any], *, dry_run: bool = False) -> Object:
        obj = copy.deepcopy(dict(body))
        meta = obj.setdefault("metadata", {})
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        if resource.namespaced:
            if meta.get("namespace", namespace) != namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = namespace
            self._check_namespace_accepts(resource, namespace, meta.get("name") or meta.get("generateName", ""))
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise errors.invalid(resource, "", [Cause("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")])
            meta["name"] = meta["generateName"] + self._name_suffix()
        self._check_name(resource, meta["name"])
        key = self.key(resource, namespace, meta["name"])
        if key in self.objects:
            raise errors.already_exists(resource, meta["name"])
        if obj.get("kind", resource.kind) != resource.kind:
            raise errors.bad_request(f"the kind of the object ({obj['kind']}) does not match the resource ({resource.kind})")
        obj["apiVersion"], obj["kind"] = resource.api_version, resource.kind
        if resource.has_status:
            obj.pop("status", None)
        for field in SYSTEM_METADATA[2:]:
            meta.pop(field, None)
        meta.update(uid=str(uuid.uuid4()), creationTimestamp=_now(), generation=1)
        obj = self._admit(resource, obj)
        if not dry_run:
            self._commit("ADDED", key, obj, None)
            if key[:2] == CRDS:
                self.registry.register(obj)
        return copy.deepcopy(obj)

    def update(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        change: Callable[[Object], Object],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> Object:
        """Write ``change(current object)`` (a PUT body or a patched object) over the object."""
        key = self.key(resource, namespace, name)
        old = self._existing(resource, key)
        new = change(copy.deepcopy(old))
        meta = new.setdefault("metadata", {})
        if meta.get("resourceVersion", old["metadata"]["resourceVersion"]) != old["metadata"]["resourceVersion"]:
            raise errors.conflict(resource, name)
        if meta.get("name", name) != name:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if subresource == "status":
            new = {**copy.deepcopy(old), "status": new.get("status")}
        elif resource.has_status:
            new["status"] = copy.deepcopy(old.get("status"))
        if new.get("status") is None:
            new.pop("status", None)
        for field in SYSTEM_METADATA:
            new["metadata"].pop(field, None)
            if field in old["metadata"]:
                new["metadata"][field] = old["metadata"][field]
        new["apiVersion"], new["kind"] = old["apiVersion"], old["kind"]
        new = self._admit(resource, new)
        if self._content(resource, new) != self._content(resource, old):
            new["metadata"]["generation"] = old["metadata"].get("generation", 0) + 1
        if new == old or dry_run:
            return copy.deepcopy(new)
        self._commit("MODIFIED", key, new, old)
        if key[:2] == CRDS:
            self.registry.register(new)
        if new["metadata"].get("deletionTimestamp") and not new["metadata"].get("finalizers"):
            self._remove(key)
        return copy.deepcopy(new)

    def delete(
        self,
        resource: Resource,
        namespace: str | None,
        name: str,
        *,
        preconditions: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> Object:
        key = self.key(resource, namespace, name)
        obj = self._existing(resource, key)
        for field, value in (preconditions or {}).items():
            if value is not None and obj["metadata"].get(field) != value:
                why = f"Precondition failed: {field} in precondition: {value}, {field} in object meta: {obj['metadata'].get(field)}"
                raise errors.conflict(resource, name, why)
        if not dry_run:
            return self._delete(key)
        obj = copy.deepcopy(obj)
        if obj["metadata"].get("finalizers") or key[:2] == NAMESPACES:
            obj["metadata"].setdefault("deletionTimestamp", _now())
        return obj

    def delete_all(self, resource: Resource, namespace: str | None, selected: Callable[[Object], bool], *, dry_run: bool = False) -> list[Object]:
        """Delete the selected objects of a collection (DELETE on a list URL)."""
        keys = [key for key in self._keys(resource, namespace) if selected(self.objects[key])]
        if dry_run:
            return [self.delete(resource, key[2], key[3], dry_run=True) for key in keys]
        return [self._delete(key) for key in keys if key in self.objects]  # dependents may go with their owners

    def _keys(self, resource: Resource, namespace: str | None) -> list[Key]:
        return sorted(key for key in self._by_resource.get((resource.group, resource.plural), ()) if namespace in (None, key[2]))

    def _existing(self, resource: Resource, key: Key) -> Object:
        obj = self.objects.get(key)
        if obj is None:
            raise errors.not_found(resource, key[3])
        return obj

    def _check_name(self, resource: Resource, name: str) -> None:
        pattern, limit, what = (LABEL, 63, "label") if resource.plural == "namespaces" else (SUBDOMAIN, 253, "subdomain")
        if len(name) > limit or not pattern.fullmatch(name):
            detail = (
                f'Invalid value: "{name}": a lowercase RFC 1123 {what} must consist of lower case alphanumeric characters, '
                f"'-' or '.', and must start and end with an alphanumeric character (at most {limit} characters, "
                f"regex used for validation is '{pattern.pattern}')"
            )
            raise errors.invalid(resource, name, [Cause("metadata.name", "FieldValueInvalid", detail)])

    def _check_namespace_accepts(self, resource: Resource, namespace: str | None, name: str) -> None:
        namespaces = self._builtin("", "v1", "namespaces")
        ns = self._existing(namespaces, self.key(namespaces, None, namespace or ""))
        if ns["metadata"].get("deletionTimestamp"):
            raise errors.forbidden(resource, name, f"unable to create new content in namespace {namespace} because it is being terminated")

    def _name_suffix(self) -> str:
        number, suffix = next(self._name_suffixes), ""
        for _attempt in range(5):
            number, digit = divmod(number, len(NAME_SUFFIX_ALPHABET))
            suffix += NAME_SUFFIX_ALPHABET[digit]
        return suffix

    @staticmethod
    def _content(resource: Resource, obj: Object) -> Object:
        """What ``generation`` counts: everything but metadata (and status, where it is a subresource)."""
        ignored = {"metadata", "apiVersion", "kind"} | ({"status"} if resource.has_status else set())
        return {key: value for key, value in obj.items() if key not in ignored}

    def _admit(self, resource: Resource, obj: Object) -> Object:
        if resource.schema is not None:
            obj, causes = admit(obj, resource.schema)
            if causes:
                raise errors.invalid(resource, obj["metadata"]["name"], causes)
        if (resource.group, resource.plural) == CRDS:
            causes = _crd_causes(obj)
            if causes:
                raise errors.invalid(resource, obj["metadata"]["name"], causes)
            obj.setdefault("status", _crd_status(obj))
        if (resource.group, resource.plural) == SECRETS:
            obj.setdefault("type", "Opaque")
            encoded = {key: base64.b64encode(value.encode()).decode() for key, value in (obj.pop("stringData", None) or {}).items()}
            if encoded:
                obj["data"] = (obj.get("data") or {}) | encoded
        if (resource.group, resource.plural) == NAMESPACES:
            obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = obj["metadata"]["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = {"phase": "Terminating" if obj["metadata"].get("deletionTimestamp") else "Active"}
        return obj

    def _commit(self, type_: str, key: Key, obj: Object, old: Object | None) -> None:
        self.revision += 1
        obj["metadata"]["resourceVersion"] = str(self.revision)
        if type_ == "DELETED":
            del self.objects[key]
            self._by_resource[key[:2]].discard(key)
        else:
            self.objects[key] = obj
            self._by_resource[key[:2]].add(key)
        self.changes.append(Change(self.revision, type_, key, obj, old))  # (never changed in place: no copies)
        if len(self.changes) >= 2 * self.change_log:
            self.changes = self.changes[-self.change_log:]  # a new list: a watch may be iterating the old one
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    def _delete(self, key: Key) -> Object:
        obj = self.objects[key]
        if key[:2] != NAMESPACES and not obj["metadata"].get("finalizers"):
            self._remove(key)
            return copy.deepcopy(obj)
        if not obj["metadata"].get("deletionTimestamp"):
            marked = copy.deepcopy(obj)
            marked["metadata"].update(deletionTimestamp=_now(), deletionGracePeriodSeconds=0)
            if key[:2] == NAMESPACES:
                marked["status"] = {"phase": "Terminating"}
            self._commit("MODIFIED", key, marked, obj)
            obj = marked
        if key[:2] == NAMESPACES:
            for contained in [other for other in self.objects if other[2] == key[3]]:
                if contained in self.objects:
                    self._delete(contained)
            self._reap_namespace(key[3])
        return copy.deepcopy(obj)

    def _remove(self, key: Key) -> None:
        obj = copy.deepcopy(self.objects[key])
        self._commit("DELETED", key, obj, obj)
        if key[:2] == CRDS:
            group, plural = obj["spec"]["group"], obj["spec"]["names"]["plural"]
            for custom in [other for other in self.objects if other[:2] == (group, plural)]:
                self._remove(custom)
            self.registry.unregister(obj)
        self._collect_dependents(obj["metadata"]["uid"])
        if key[2]:
            self._reap_namespace(key[2])

    def _collect_dependents(self, owner_uid: str) -> None:
        for key, obj in list(self.objects.items()):
            owners = {ref.get("uid") for ref in obj["metadata"].get("ownerReferences", [])}
            if owner_uid in owners and key in self.objects:
                live = {other["metadata"]["uid"] for other in self.objects.values()}
                if not owners & live:
                    self._delete(key)

    def _reap_namespace(self, name: str) -> None:
        key = ("", "namespaces", "", name)
        namespace = self.objects.get(key)
        if namespace and namespace["metadata"].get("deletionTimestamp") and not any(other[2] == name for other in self.objects):
            self._remove(key)


def _crd_causes(crd: Object) -> list[Cause]:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    causes = [Cause(f"spec.{field}", "FieldValueRequired", "Required value") for field in ("group", "names", "scope", "versions") if not spec.get(field)]
    causes += [Cause(f"spec.names.{field}", "FieldValueRequired", "Required value") for field in ("plural", "kind") if not names.get(field)]
    if causes:
        return causes
    expected = f"{spec['names']['plural']}.{spec['group']}"
    if crd["metadata"]["name"] != expected:
        causes.append(Cause("metadata.name", "FieldValueInvalid", f'Invalid value: "{crd["metadata"]["name"]}": must be spec.names.plural+"."+spec.group'))
    if spec["scope"] not in ("Namespaced", "Cluster"):
        causes.append(Cause("spec.scope", "FieldValueNotSupported", f'Unsupported value: "{spec["scope"]}": supported values: "Cluster", "Namespaced"'))
    if sum(bool(version.get("storage")) for version in spec["versions"]) != 1:
        causes.append(Cause("spec.versions", "FieldValueInvalid", "Invalid value: must have exactly one version marked as storage version"))
    causes += [
        Cause(f"spec.versions[{index}].schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required")
        for index, version in enumerate(spec["versions"]) if not (version.get("schema") or {}).get("openAPIV3Schema")
    ]
    return causes


def _crd_status(crd: Object) -> Object:
    names = crd["spec"]["names"]
    now = _now()
    return {
        "acceptedNames": {
            "kind": names["kind"],
            "listKind": names.get("listKind", f"{names['kind']}List"),
            "plural": names["plural"],
            "singular": names.get("singular", names["kind"].lower()),
            **{field: names[field] for field in ("shortNames", "categories") if field in names},
        },
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": now},
            {
                "type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted", "lastTransitionTime": now,
            },
        ],
        "storedVersions": [version["name"] for version in crd["spec"]["versions"] if version.get("storage")],
    }
