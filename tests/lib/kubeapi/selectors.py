"""Label and field selectors, parsed and matched the way the API server does it.

Label selectors: ``a=b``, ``a==b``, ``a!=b``, ``a in (x,y)``, ``a notin (x,y)``, ``a``, ``!a``.
Field selectors: ``path=value``, ``path==value``, ``path!=value`` on the fields a real server indexes
(``metadata.name`` and ``metadata.namespace`` everywhere, a few more for some kinds); any other field
is refused with the server's "field label not supported" error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]

# Commas inside "in (a,b)" do not separate requirements.
_SPLIT = re.compile(r",(?![^()]*\))")
_LABEL = re.compile(r"""
    (?P<absent>!)\s*(?P<absent_key>[\w./-]+)
  | (?P<key>[\w./-]+)\s*(?:
        (?P<op>==|!=|=)\s*(?P<value>[\w.-]*)
      | \s+(?P<set_op>in|notin)\s*\((?P<values>[^()]*)\)
    )?
""", re.VERBOSE)
_FIELD = re.compile(r"(?P<path>[\w.]+)\s*(?P<op>==|!=|=)\s*(?P<value>[^,]*)")

FIELDS_EVERYWHERE = frozenset({"metadata.name", "metadata.namespace"})
FIELDS_BY_RESOURCE: Mapping[str, frozenset[str]] = {
    "events": frozenset({
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    }),
    "secrets": frozenset({"type"}),
    "pods": frozenset({"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP"}),
    "namespaces": frozenset({"status.phase"}),
}


class SelectorError(ValueError):
    """A selector the server cannot parse or does not support (answered with 400 BadRequest)."""


def label_selector(text: str) -> Predicate:
    """A predicate on an object's labels for the label selector ``text``."""
    requirements = [_label_requirement(part.strip()) for part in _SPLIT.split(text) if part.strip()]
    return lambda labels: all(requirement(labels) for requirement in requirements)


def _label_requirement(text: str) -> Predicate:
    match = _LABEL.fullmatch(text)
    if match is None:
        raise SelectorError(f"unable to parse requirement: {text!r}")
    if match["absent"]:
        key = match["absent_key"]
        return lambda labels: key not in labels
    key, op = match["key"], match["op"] or match["set_op"]
    if op in ("=", "=="):
        value = match["value"]
        return lambda labels: labels.get(key) == value
    if op == "!=":
        value = match["value"]
        return lambda labels: labels.get(key) != value
    if op in ("in", "notin"):
        values = {item.strip() for item in match["values"].split(",")}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    return lambda labels: key in labels


def field_selector(text: str, plural: str) -> Predicate:
    """A predicate on a whole object for the field selector ``text`` on resource ``plural``."""
    supported = FIELDS_EVERYWHERE | FIELDS_BY_RESOURCE.get(plural, frozenset())
    requirements: list[Predicate] = []
    for part in filter(None, (part.strip() for part in text.split(","))):
        match = _FIELD.fullmatch(part)
        if match is None:
            raise SelectorError(f"invalid selector: {part!r}; can't understand {part!r}")
        path, op, value = match["path"], match["op"], match["value"].strip()
        if path not in supported:
            raise SelectorError(f'field label not supported: {path}')
        requirements.append(_field_requirement(path, value, negate=op == "!="))
    return lambda obj: all(requirement(obj) for requirement in requirements)


def _field_requirement(path: str, value: str, *, negate: bool) -> Predicate:
    def predicate(obj: Mapping[str, Any]) -> bool:
        current: Any = obj
        for part in path.split("."):
            current = current.get(part) if isinstance(current, Mapping) else None
        # Like the server, compare the field's string form; an absent field is the empty string.
        actual = "" if current is None else str(current)
        return (actual == value) != negate
    return predicate
