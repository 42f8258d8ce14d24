# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Custom resources of the llmops operator <-> gateway documents, both ways, from the one table each kind declares
(``Resource.cr_map``, a CRMap of _custom_resources.py).

- ``document_from_crs``: the gateway_state document of the custom resources of one instance, an index from each
  document object to its resource, and one ``invalid spec: spec.<field>: reason`` sentence per resource that cannot
  map;
- ``cr_spec``: a document object as the spec of its custom resource (the export, gateway/manifests.py);
- ``spec_path``: a path gateway_state reports in ``changes`` (``max_budget``, ``litellm_params.rpm``,
  ``members[user_email=...]``) as the spec path of the resource down to the leaf (``spec.maxBudgetMonthly``);
- ``spec_patch``: LiteLLM's values at such paths written back into a spec (api-wins);
- ``cr_object_names``: the names by which a resource names its LiteLLM object (what a run must never prune);
- ``cr_absent``: the document object that deletes a resource's LiteLLM object (the operator's finalizer);
- ``cr_secret_refs``: the Secret references of a resource by spec path (the operator reads their values);
- ``member_users``: the users that members given by email need where LiteLLM adds members by user_id only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import (
    camel,
    cr_name,
    cr_value,
    option_keys,
    snake,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import (
    is_placeholder,
    natural_name,
    object_spec,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_CR_KIND, KINDS, claims


class Invalid(Exception):
    """A custom resource whose spec cannot map to a document object; the message names the field."""


class Missing(Invalid):
    """A custom resource naming one that does not exist or has no LiteLLM id yet: it may map later."""


def get_spec(spec, path):
    """The value at a dotted spec path (``litellmParams.apiKeySecretRef``), or None."""
    for step in path.split("."):
        if not isinstance(spec, dict):
            return None
        spec = spec.get(step)
    return spec


def _set(options, path, value):
    for step in path[:-1]:
        options = options.setdefault(step, {})
    options[path[-1]] = value


def _identity(cr):
    meta = cr.get("metadata") or {}
    return cr.get("kind"), meta.get("namespace") or "", meta.get("name")


def cr_natural_name(resource, cr):
    """The name of a custom resource's object in LiteLLM (its spec's name field, else its metadata name through
    the kind's default), or None when LiteLLM makes it (a user named by email)."""
    crmap, spec = resource.cr_map, cr.get("spec") or {}
    if crmap.singleton:
        return crmap.singleton
    value = spec.get(camel(crmap.name))
    if value not in (None, ""):
        return value
    if crmap.name_default is None or (crmap.unless and spec.get(camel(crmap.unless))):
        return None
    return crmap.name_default(cr["metadata"]["name"])


def cr_object_names(cr):
    """(document kind, names): the natural keys and the LiteLLM id by which a custom resource names its object (its
    spec's name field or the default from its metadata name, the natural key's own field, ``status.litellmId``), for
    ``scope.exclude``; (None, []) for a kind without a table."""
    resource = BY_CR_KIND.get(cr.get("kind"))
    if resource is None or resource.cr_map is None or not isinstance(cr.get("spec") or {}, dict):
        return None, []
    spec = cr.get("spec") or {}
    names = [cr_natural_name(resource, cr), spec.get(camel(resource.key_field)) if resource.key_field else None,
             (cr.get("status") or {}).get("litellmId")]
    return resource.plural, sorted(set(n for n in names if isinstance(n, str) and n))


def _referenced(ref, cr, value, lookup):
    """The option value a reference resolves to, from the referenced custom resource."""
    if not isinstance(value, dict) or not value.get("name"):
        raise Invalid("spec.%s: needs a name" % ref.spec_path)
    namespace = value.get("namespace") or cr["metadata"].get("namespace") or ""
    target = lookup.get((ref.target.cr_kind, namespace, value["name"]))
    if target is None:
        raise Missing("spec.%s: %s %s/%s does not exist" % (ref.spec_path, ref.target.cr_kind, namespace,
                                                            value["name"]))
    litellm_id = (target.get("status") or {}).get("litellmId")
    if ref.by == "id":  # LiteLLM's id: known once the referenced object exists, unless its name is its id
        found = litellm_id or (cr_natural_name(ref.target, target) if ref.target.cr_map.name == ref.target.id_field
                               else None)
    elif ref.by == "id_or_name":  # the id where it is known (exact), else the name the engine resolves in the run
        found = litellm_id or cr_natural_name(ref.target, target)
    else:
        found = cr_natural_name(ref.target, target)
    if not found:
        raise Missing("spec.%s: %s %s/%s is not Ready" % (
            ref.spec_path, ref.target.cr_kind, namespace, value["name"]))
    return found


def _secret_entries(crmap, spec):
    """[(spec path, option path, reference)] of the Secret references a spec sets, as its kind's table declares them
    (a map of references gives one entry per key: ``secretParams.region``)."""
    found = []
    for secret in crmap.secrets:
        value = get_spec(spec, secret.field)
        if value is None:
            continue
        if secret.each:
            found.extend(("%s.%s" % (secret.field, key), secret.path(spec) + (key,), ref)
                         for key, ref in (value.items() if isinstance(value, dict) else ()))
        else:
            found.append((secret.field, secret.path(spec), value))
    return found


def cr_secret_refs(cr):
    """{spec path: reference ``{name, key, namespace?}``} of the Secret references of a custom resource, as its
    kind's table declares them (``apiKeySecretRef``, ``secretParams.region``): the values ``document_from_crs``
    takes in ``secrets`` under the same paths. Empty for a kind without a table."""
    resource = BY_CR_KIND.get(cr.get("kind"))
    spec = cr.get("spec") or {}
    if resource is None or resource.cr_map is None or not isinstance(spec, dict):
        return {}
    return dict((where, ref) for where, _path, ref in _secret_entries(resource.cr_map, spec))


def cr_options(resource, cr, lookup, secrets=None):
    """(options, origins) of one custom resource: its document object and, for each document path the spec sets,
    the spec path it comes from. ``lookup``: {(kind, namespace, name): custom resource} of those it may reference;
    ``secrets``: {spec path: value} of its Secret references (None: write-only options left out). Raises Invalid."""
    crmap, spec = resource.cr_map, cr.get("spec") or {}
    namespace, name = cr["metadata"].get("namespace") or "", cr["metadata"]["name"]
    for path in crmap.required:
        if get_spec(spec, path) in (None, ""):
            raise Invalid("spec.%s: required" % path)
    options, origins = {}, {}
    taken = set(crmap.operator)
    within = {}  # spec field -> its keys that references or secrets take (litellmParams.credentialRef)
    for field in [r.spec_path for r in crmap.refs] + [s.field for s in crmap.secrets]:
        head, _dot, rest = field.partition(".")
        if rest:
            within.setdefault(head, set()).add(rest.split(".")[0])
        else:
            taken.add(head)
    for rule in crmap.rules:
        taken.update(rule.fields)
    known = object_spec(resource)
    for field, value in spec.items():
        if field in taken or value is None:
            continue
        option = snake(field)
        if option not in known or option == "state":
            raise Invalid("spec.%s: not a field of %s" % (field, cr.get("kind")))
        if isinstance(value, dict) and field in within:
            value = dict((k, v) for k, v in value.items() if k not in within[field])
        if option in crmap.camel_keys:
            value = option_keys(value, snake)
        declared = resource.by_name.get(option)
        if declared is not None and declared.type == "float" and isinstance(value, (int, str)) \
                and not isinstance(value, bool):
            try:
                value = float(value)
            except ValueError:
                raise Invalid("spec.%s: %r is not a number" % (field, value))
        options[option] = value
        origins[option] = "spec." + field
    for ref in crmap.refs:
        value = get_spec(spec, ref.spec_path)
        if value is None:
            continue
        path = tuple(ref.option.split("."))
        if isinstance(value, list):
            found = [_referenced(ref, cr, item, lookup) for item in value]
            _set(options, path, list(options.get(path[0]) or []) + found)
        else:
            _set(options, path, _referenced(ref, cr, value, lookup))
        origins[ref.option] = "spec." + ref.spec_path
    for where, path, _ref in (_secret_entries(crmap, spec) if secrets is not None else ()):
        if where not in secrets:
            raise Invalid("spec.%s: the value of its Secret was not given" % where)
        _set(options, path, secrets[where])
    if crmap.status_id and not options.get(resource.id_field) and (cr.get("status") or {}).get("litellmId"):
        options[resource.id_field] = cr["status"]["litellmId"]
    for rule in crmap.rules:
        problem = rule.to_options(spec, "%s/%s" % (namespace, name), options, origins)
        if problem:
            raise Invalid(problem)
    if crmap.name and options.get(crmap.name) in (None, ""):
        default = cr_natural_name(resource, cr)
        if default is not None:
            options[crmap.name] = default
    if secrets is None:  # check mode never compares write-only values: none are declared
        for field in resource.options:
            if field.write_only:
                options.pop(field.name, None)
    return options, origins


def _without_refs(crmap, spec):
    """A copy of ``spec`` without its references (a deletion names its own object, never those it references)."""
    spec = dict(spec)
    for ref in crmap.refs:
        head, _dot, rest = ref.spec_path.partition(".")
        if not rest:
            spec.pop(head, None)
        elif isinstance(spec.get(head), dict):
            spec[head] = dict((k, v) for k, v in spec[head].items() if k != rest)
    return spec


def cr_absent(cr):
    """The document object (``state: absent``) that deletes the LiteLLM object of a custom resource: its id and
    natural key (with the key's filters) as ``cr_options`` maps them, nothing else of its spec (no reference, no
    secret); None when the spec does not map (the caller deletes it some other way: a deletion never waits for a
    valid spec) or the kind is a singleton."""
    resource = BY_CR_KIND.get(cr.get("kind"))
    if resource is None or resource.cr_map is None or resource.cr_map.singleton:
        return None
    if not isinstance(cr.get("spec") or {}, dict):
        return None
    bare = dict(cr, spec=_without_refs(resource.cr_map, cr.get("spec") or {}))
    try:
        options, _origins = cr_options(resource, bare, {})
    except Invalid:
        return None
    names = set([resource.id_field, resource.key_field, resource.cr_map.name])
    names.update(n for n in (resource.key_filters(options) if resource.key_filters else {}) if n in resource.by_name)
    found = dict((n, options[n]) for n in names if n and options.get(n) not in (None, ""))
    if not (found.get(resource.id_field) or found.get(resource.key_field)):
        return None
    found["state"] = "absent"
    return found


def member_users(document):
    """The users (``{user_email}``) that the members given by email of a document's objects need, where LiteLLM adds
    members by user_id only (organizations): the operator creates them as internal users first, as its organization
    playbook does. An email that a user object of the document declares (present or absent) is left to it; a user
    that exists with the email is matched by it and left as it is."""
    taken = set(str(u.get("user_email")).lower() for u in document.get("users") or [] if u.get("user_email"))
    found = []
    for resource in KINDS:
        if resource.members is None or not resource.members.resolve:
            continue
        for obj in document.get(resource.plural) or []:
            for member in obj.get("members") or []:
                email = member.get("user_email")
                if email and not member.get("user_id") and email.lower() not in taken:
                    taken.add(email.lower())
                    found.append(dict(user_email=email))
    return found


def object_name(resource, options):
    """The name of a document object's LiteLLM object: its natural name, or the one object of a singleton kind."""
    return resource.cr_map.singleton or natural_name(resource, options)


def document_from_crs(crs, others=(), secrets=None):
    """The gateway_state document of ``crs`` (the custom resources of one instance), with an index and problems.

    ``others``: further custom resources they may reference. ``secrets``: {(namespace, name): {spec path: value}}
    of the Secret values of each resource, or None (a check: write-only options are left out; never logged).
    Returns (document, index, problems): index {(document kind, natural name): [{kind, namespace, name, origins}]}
    (a model name may be shared by several), problems [{kind, namespace, name, message, waiting}] with message
    ``invalid spec: spec.<field>: reason`` (``waiting``: it names a resource that is missing or not Ready yet).
    The older of two resources naming one LiteLLM object (``registry.claims``, the rule the operator's Conflict
    follows) keeps it; the later gets a problem."""
    lookup = dict((_identity(cr), cr) for cr in list(crs) + list(others))
    document, index, problems, claimed = {}, {}, [], {}
    ordered = sorted(crs, key=lambda cr: ((cr["metadata"].get("creationTimestamp") or ""),) + _identity(cr)[1:])
    for cr in ordered:
        resource = BY_CR_KIND.get(cr.get("kind"))
        if resource is None or resource.cr_map is None:
            continue
        kind, namespace, name = _identity(cr)
        try:
            options, origins = cr_options(resource, cr, lookup,
                                          None if secrets is None else secrets.get((namespace, name), {}))
            key = object_name(resource, options)
            for option, value in claims(resource, options):
                holder = claimed.get((resource.kind, option, value))
                if holder is not None:
                    raise Invalid("spec.%s: %r names the LiteLLM object that %s %s/%s (the older) manages" % (
                        camel(option), value, holder[0], holder[1], holder[2]))
            claimed.update(((resource.kind, option, value), (kind, namespace, name))
                           for option, value in claims(resource, options))
        except Invalid as exc:
            problems.append(dict(kind=kind, namespace=namespace, name=name, message="invalid spec: %s" % exc,
                                 waiting=isinstance(exc, Missing)))
            continue
        document.setdefault(resource.plural, []).append(options)
        index.setdefault((resource.kind, key), []).append(
            dict(kind=kind, namespace=namespace, name=name, origins=origins))
    return document, index, problems


def cr_spec(resource, options, instance):
    """A document object as the spec of its custom resource, by the kind's table: camelCased options, references
    as ``teamRef: {name}``, money as int-or-string; secrets left out (the CRDs take them from Kubernetes Secrets,
    which an export cannot name), and so are placeholders."""
    crmap = resource.cr_map
    spec = {"instanceRef": {"name": instance}}
    options = dict(options)
    for field in resource.options:
        # write-only, or a secret's os.environ/ reference (compared in place of the secret; a model's provider key)
        if field.write_only or (field.has_secrets and isinstance(options.get(field.name), str)):
            options.pop(field.name, None)
    for rule in crmap.rules:
        if rule.to_spec is not None:
            rule.to_spec(options, spec)
    for ref in crmap.refs:
        if not ref.export or ref.by != "name":  # an id stays the option it is (userId, teams)
            continue
        path = ref.option.split(".")
        holder = options if len(path) == 1 else dict(options.get(path[0]) or {})
        value = holder.pop(path[-1], None)
        if len(path) > 1 and path[0] in options:
            options[path[0]] = holder
        if value is not None and not isinstance(value, list):
            target = spec.setdefault(ref.within, {}) if ref.within else spec
            target[ref.field] = {"name": cr_name(value)}
    for name, value in options.items():
        if is_placeholder(value) or (isinstance(value, dict) and any(map(is_placeholder, value.values()))):
            continue
        if name in crmap.camel_keys:
            value = option_keys(value, camel)
            if isinstance(value, dict) and isinstance(spec.get(camel(name)), dict):
                value = dict(value, **spec[camel(name)])  # beside a reference the table put there
        spec[camel(name)] = cr_value(camel(name), value)
    return spec


_PATH = re.compile(r"^([^.\[]+)(.*)$")
_MEMBER = re.compile(r"^\[(user_email|user_id)=(.*)\]$")


def spec_path(resource, origins, path):
    """The spec path (``spec.litellmParams.rpm``) of a document path gateway_state reports (``litellm_params.rpm``),
    given the origins ``cr_options`` returned for the resource."""
    if path in origins:
        return origins[path]
    head, rest = _PATH.match(path).groups()
    base = origins.get(head) or "spec." + camel(head)
    member = _MEMBER.match(rest)
    if member:
        return "%s[%s=%s]" % (base, "email" if member.group(1) == "user_email" else "userId", member.group(2))
    if rest.startswith("."):
        key = rest[1:]
        return "%s.%s" % (base, camel(key) if head in resource.cr_map.camel_keys else key)
    return base + rest


def _same(spec_value, desired):
    """Whether a spec value is the desired value it maps to (money may be a string in the spec)."""
    if isinstance(desired, (int, float)) and not isinstance(desired, bool) and isinstance(spec_value, (int, float, str)):
        try:
            return float(spec_value) == float(desired)
        except ValueError:
            return False
    return spec_value == desired


def spec_patch(spec, drift):
    """A merge patch of ``spec`` that takes LiteLLM's value for each drift entry ``{path, desired, live}`` whose
    spec path holds exactly the desired value (a field written as it is sent; not a reference, a default or a value
    another field derives), and the entries it takes."""
    patch, taken = {}, []
    for entry in drift:
        steps = entry["path"].split(".")
        if steps[0] != "spec" or "[" in entry["path"] or len(steps) < 2:
            continue
        if not _same(get_spec(spec, ".".join(steps[1:])), entry["desired"]):
            continue
        current = get_spec(spec, ".".join(steps[1:]))
        _set(patch, tuple(steps[1:]), cr_value(steps[-1], entry["live"], current))
        taken.append(entry)
    return patch, taken
