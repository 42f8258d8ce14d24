"""The failures of the API, as the Status objects a real server answers with.

They are kmock's ``KubernetesError``: its handler renders them as ``kind: Status`` with the code,
reason, message and details given here, which is what clients (the ``kubernetes`` client,
kubernetes.core, Kopf) parse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import kmock

if TYPE_CHECKING:
    from tests.lib.kubeapi.openapi import Cause
    from tests.lib.kubeapi.registry import Resource


def _details(resource: Resource, name: str) -> dict[str, Any]:
    details = {"name": name, "kind": resource.plural}
    return details | {"group": resource.group} if resource.group else details


def not_found(resource: Resource, name: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(404, "NotFound", f'{resource.qualified} "{name}" not found', _details(resource, name))


def unknown_resource(path: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(404, "NotFound", "the server could not find the requested resource", {"causes": [{"field": path}]})


def already_exists(resource: Resource, name: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(409, "AlreadyExists", f'{resource.qualified} "{name}" already exists', _details(resource, name))


MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def conflict(resource: Resource, name: str, why: str = MODIFIED) -> kmock.KubernetesError:
    return kmock.KubernetesError(409, "Conflict", f'Operation cannot be fulfilled on {resource.qualified} "{name}": {why}', _details(resource, name))


def invalid(resource: Resource, name: str, causes: Sequence[Cause]) -> kmock.KubernetesError:
    what = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    reasons = causes[0].message if len(causes) == 1 else "[" + ", ".join(cause.message for cause in causes) + "]"
    details = {
        "name": name,
        "kind": resource.kind,
        "causes": [{"reason": cause.reason, "message": cause.detail, "field": cause.field} for cause in causes],
    }
    if resource.group:
        details["group"] = resource.group
    return kmock.KubernetesError(422, "Invalid", f'{what} "{name}" is invalid: {reasons}', details)


def unprocessable(message: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(422, "Invalid", message, {"causes": [{"reason": "FieldValueInvalid", "message": message}]})


def bad_request(message: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(400, "BadRequest", message, {"causes": [{"message": message}]})


def forbidden(resource: Resource, name: str, why: str) -> kmock.KubernetesError:
    return kmock.KubernetesError(403, "Forbidden", f'{resource.qualified} "{name}" is forbidden: {why}', _details(resource, name))


def method_not_allowed(method: str, path: str) -> kmock.KubernetesError:
    message = f"the server does not allow this method on the requested resource ({method} {path})"
    return kmock.KubernetesError(405, "MethodNotAllowed", message, {"causes": [{"field": path}]})


def unsupported_media_type(content_type: str, accepted: Iterable[str]) -> kmock.KubernetesError:
    message = f"the body of the request was in an unknown format ({content_type}) - accepted media types include: {', '.join(accepted)}"
    return kmock.KubernetesError(415, "UnsupportedMediaType", message, {"causes": [{"field": "Content-Type", "message": content_type}]})


def expired(since: int, oldest: int) -> kmock.KubernetesError:
    return kmock.KubernetesError(410, "Expired", f"too old resource version: {since} ({oldest})", {})


def status(exc: kmock.KubernetesError) -> dict[str, Any]:
    """The Status object of ``exc``, e.g. for the ERROR event that ends a watch."""
    return {"apiVersion": "v1", "kind": "Status", "metadata": {}, "status": "Failure", "code": exc.status,
            "reason": exc.reason, "message": exc.message, "details": exc.details or {}}
