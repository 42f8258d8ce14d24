# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Gateway documents: reading them from files, validating every object with its module's argument spec, the scope,
and how secrets are written in them (placeholders).

A document maps each kind's plural (``models``, ``teams``, ``virtual_keys`` ...) to a list of objects written with the
options of the kind's module, validated with the module's own argument spec, plus the references the kind declares
(a parent by natural key). Nothing is read or written before the whole document is valid.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
from collections import namedtuple

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.llmops.litellm.plugins.module_utils._errors import UnsupportedError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import BY_PLURAL, KINDS, cascades_of


# The key of the ownership marker in the kind's owner_field (a dict option the engine may add one key to).
OWNER_KEY = "llmops_owner"
# A secret left out of an export. As a desired value it means: do not touch (not compared, never sent).
PLACEHOLDER = "llmops-secret/"
# How a secret value shows in plans and reports.
REDACTED = "********"


def is_placeholder(value):
    return isinstance(value, str) and value.startswith(PLACEHOLDER)


def placeholder(resource, name, option, key=None):
    """The placeholder of one secret: names the environment variable a user would fill it from."""
    words = [resource.kind, name, option] + ([key] if key else [])
    return PLACEHOLDER + re.sub(r"[^A-Z0-9]+", "_", "_".join(str(w) for w in words).upper()).strip("_")


def drop_placeholders(params):
    """Params without placeholders (whole options, or keys of dict options); returns (params, dropped names)."""
    kept, dropped = {}, []
    for name, value in params.items():
        if is_placeholder(value):
            dropped.append(name)
        elif isinstance(value, dict):
            kept[name] = dict((k, v) for k, v in value.items() if not is_placeholder(v))
            dropped.extend("%s.%s" % (name, k) for k, v in value.items() if is_placeholder(v))
        else:
            kept[name] = value
    return kept, dropped


def object_spec(resource):
    """The argument spec of one object of a kind in a document: its module's options, plus references."""
    spec = resource.argument_spec()
    if "update_secrets" in spec:
        spec["update_secrets"] = dict(spec["update_secrets"], default=None)
    for reference in resource.references:
        spec[reference.option] = dict(type="str")
    if cascades_of(resource):
        spec["cascade"] = dict(type="bool")  # unset: the document's cascade option
    spec.update(resource.document_options)
    return spec


def natural_name(resource, obj):
    """How reports name an object: its natural key, else its id."""
    return obj.get(resource.key_field) or obj.get(resource.id_field)


Scope = namedtuple("Scope", "kinds name_prefix owner exclude")


def parse_document(document, invalid=None):
    """The declared objects: [(Resource, where, params)], validated with each kind's module argument spec.

    Raises ValidationError naming the object and the option for the first problem found; nothing is read or
    written before the whole document is valid. With a list as ``invalid`` (``invalid: skip``), an object that is
    not valid on its own is left out and appended there as (Resource, where, object, ValidationError) instead; a
    document that is not a mapping of kinds to lists is still refused whole.
    """
    if not isinstance(document, dict):
        raise ValidationError("the document must be a mapping of kinds to lists of objects")
    unknown = sorted(set(document) - set(BY_PLURAL))
    if unknown:
        raise ValidationError("unknown kind%s %s in the document (known: %s)" % (
            "s" if len(unknown) > 1 else "", ", ".join(unknown), ", ".join(r.plural for r in KINDS)))
    declared = []
    for resource in KINDS:
        objects = document.get(resource.plural)
        if objects is None:
            continue
        if not isinstance(objects, list):
            raise ValidationError("%s must be a list of objects" % resource.plural)
        validator = ArgumentSpecValidator(object_spec(resource),
                                          mutually_exclusive=resource.mutually_exclusive or None,
                                          required_one_of=None if len(resource.lookup_options) == 1 else
                                          [resource.lookup_options])
        for index, obj in enumerate(objects):
            where = "%s[%d]" % (resource.plural, index)
            try:
                declared.append(parse_object(resource, validator, where, obj))
            except ValidationError as exc:
                if invalid is None:
                    raise
                invalid.append((resource, where, obj, exc))
    return ensure_declared_once(declared, invalid)


def identities(resource, params):
    """What names a declared object, in words: its id, and its natural key (with the kind's further filters, a
    model's provider model, which tell apart objects that share a natural key)."""
    found = []
    if resource.id_field != resource.key_field and params.get(resource.id_field):
        found.append("%s '%s'" % (resource.id_field, params[resource.id_field]))
    if params.get(resource.key_field):
        more = sorted((resource.key_filters(params) if resource.key_filters else {}).items())
        # a filter that is an option of the kind is named as such (a JWT key mapping's jwt_claim_name); a model's
        # provider model is its litellm_params.model
        found.append(" with ".join(["%s '%s'" % (resource.key_field, params[resource.key_field])]
                                   + ["%s%s '%s'" % ("" if name in resource.by_name else "litellm_params.", name, value)
                                      for name, value in more if value is not None]))
    return found


def ensure_declared_once(declared, invalid=None):
    """Refuse a document declaring one object twice (by id or by natural key): two declarations would create two
    objects, or fight over one. Returns ``declared``; with a list as ``invalid``, the later declarations are moved
    there (see parse_document) instead."""
    seen = {}

    def once(resource, where, params):
        for identity in identities(resource, params):
            first = seen.setdefault((resource.kind, identity), where)
            if first != where:
                raise ValidationError("%s: %s is declared twice (%s declares it too)" % (where, identity, first))
    return keep_valid(declared, once, invalid)


def keep_valid(declared, check, invalid=None):
    """The declared (Resource, where, params) that ``check(resource, where, params)`` lets pass. One it refuses
    (ValidationError, UnsupportedError) fails the run, or, with a list as ``invalid`` (``invalid: skip``), is
    appended there as (Resource, where, params, error) instead."""
    kept = []
    for resource, where, params in declared:
        try:
            check(resource, where, params)
        except (ValidationError, UnsupportedError) as exc:
            if invalid is None:
                raise
            invalid.append((resource, where, params, exc))
            continue
        kept.append((resource, where, params))
    return kept


def parse_object(resource, validator, where, obj):
    if not isinstance(obj, dict):
        raise ValidationError("%s must be a mapping of options" % where)
    refused = sorted(set(obj).intersection(resource.refused))
    if refused:
        raise ValidationError("%s: %s not allowed in a document (a rotation is an act, not a state; a new key's value "
                              "goes to key_dir, to the key's key_file, or is declared with key)" % (
                                  where, ", ".join(refused)))
    params, dropped = drop_placeholders(obj)
    if len(resource.lookup_options) == 1 and not params.get(resource.key_field):
        raise ValidationError("%s: %s is required" % (where, resource.key_field))
    result = validator.validate(params)
    unsupported = sorted(result.unsupported_parameters)
    if unsupported:
        raise ValidationError("%s: unsupported option%s %s for a %s (its options: %s)" % (
            where, "s" if len(unsupported) > 1 else "", ", ".join(unsupported), resource.kind,
            ", ".join(sorted(validator.argument_spec))))
    if result.error_messages:
        raise ValidationError("%s: %s" % (where, result.error_messages[0]))
    params = result.validated_parameters
    try:
        params["_desired"] = resource.desired(params)
    except ValidationError as exc:
        raise ValidationError("%s: %s" % (where, exc.msg))
    params["_dropped"] = dropped
    params["_no_log"] = set(result._no_log_values)  # pylint: disable=protected-access
    return resource, where, params


def key_file_name(alias):
    return re.sub(r"[^A-Za-z0-9._-]", "_", alias)


def make_scope(document, kinds=None, name_prefix=None, owner=None, exclude=None):
    """The Scope: ``exclude`` {kind: [natural key or id]} names live objects that are never unmanaged."""
    declared = [p for p in BY_PLURAL if document.get(p) is not None]
    kinds = list(kinds) if kinds else declared
    unknown = sorted(set(kinds) - set(BY_PLURAL))
    if unknown:
        raise ValidationError("scope.kinds: unknown kind %s (known: %s)" % (", ".join(unknown), ", ".join(BY_PLURAL)))
    exclude = exclude or {}
    for kind, names in exclude.items():
        if kind not in BY_PLURAL:
            raise ValidationError("scope.exclude: unknown kind %s (known: %s)" % (kind, ", ".join(BY_PLURAL)))
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValidationError("scope.exclude.%s: must be a list of natural keys or ids (strings)" % kind)
    return Scope(kinds, name_prefix, owner, dict((k, frozenset(v)) for k, v in exclude.items()))


def merge_documents(documents):
    """One document from several: each kind's lists concatenated, in the order given."""
    merged = {}
    for where, document in documents:
        if document is None:
            continue
        if not isinstance(document, dict):
            raise ValidationError("%s: a document must be a mapping of kinds to lists of objects" % where)
        for kind, objects in document.items():
            if not isinstance(objects, list):
                raise ValidationError("%s: %s must be a list of objects" % (where, kind))
            merged.setdefault(kind, []).extend(objects)
    return merged


def read_documents(paths, load):
    """[(path, document)] of YAML or JSON files (``load`` parses text); a directory gives its *.yml, *.yaml and
    *.json files, sorted."""
    found = []
    for path in paths:
        names = [os.path.join(path, n) for n in sorted(os.listdir(path)) if n.endswith((".yml", ".yaml", ".json"))] \
            if os.path.isdir(path) else [path]
        for name in names:
            try:
                with open(name) as handle:
                    found.append((name, load(handle.read())))
            except (IOError, OSError) as exc:
                raise ValidationError("cannot read %s: %s" % (name, exc.strerror))
            except ValueError as exc:
                raise ValidationError("cannot parse %s: %s" % (name, exc))
    return found
