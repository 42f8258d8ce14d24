# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The refusals both engines make before a write: a natural key already taken, a create LiteLLM would refuse or
misread, a parent or a named object that does not exist."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import MissingObject, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import get_path


def ensure_key_free(resource, key, raw, holders):
    """Refuse to create or rename to a natural key another object already has (LiteLLM allows duplicates);
    ``holders`` are the live objects that have ``key``, ``raw`` the object being renamed (None for a create)."""
    others = [o for o in holders if not raw or o[resource.id_field] != raw[resource.id_field]]
    if others:
        raise ValidationError("%s '%s' is already used by %s %s" % (
            resource.key_field, key, resource.id_field, ", ".join(sorted(o[resource.id_field] for o in others))))


def missing_required(resource, desired):
    """The options a create of ``resource`` needs that ``desired`` leaves unset."""
    return [name for name in resource.required if get_path(desired, name.split(".")) in (None, "")]


def ensure_creatable(resource, params, desired):
    """Refuse a create that LiteLLM would refuse or misread, in the modules and the gateway engine alike: an id that
    LiteLLM chooses itself (``params`` set it), or an option it needs that ``desired`` leaves unset."""
    object_id = params.get(resource.id_field)
    if object_id and resource.generated_id and resource.id_field != resource.key_field:
        raise ValidationError("no %s has %s '%s', and LiteLLM chooses the %s of a new %s: leave %s out to create one"
                              % (resource.kind, resource.id_field, object_id, resource.id_field, resource.kind,
                                 resource.id_field))
    missing = missing_required(resource, desired)
    if missing:
        raise ValidationError("%s %s required to create a %s" % (
            " and ".join(missing), "is" if len(missing) == 1 else "are", resource.kind))


def no_parent(target, option, key):
    """Why an object cannot name its parent (a key its team) by natural key: no such parent."""
    return "no %s has %s '%s'" % (target.kind, option, key)


def ensure_names_exist(resource, desired, known, params=None):
    """Refuse options that name objects which do not exist (a model's credential, a tag's models): ``known(names)``
    is the set of names of ``names.target`` that exist (live in a module; declared or live in a document). A name
    with ``*`` is a pattern, not an object."""
    for option, names, name in resource.named(desired, params):
        if "*" not in str(name) and name not in known(names):
            raise MissingObject("%s names %s %s '%s', which does not exist" % (
                option, "an" if names.target.kind[0] in "aeiou" else "a", names.target.kind, name),
                "%s '%s'" % (names.target.kind, name))


def map_names(resource, desired, params, change):
    """Each name of the options LiteLLM takes as ids (``Names.to``) replaced, in place, by ``change(names, name)``:
    in ``desired``, or in ``params`` for a link option (a user's ``teams``)."""
    for names in resource.names:
        holder = desired if get_path(desired, names.path) is not None else params
        value = get_path(holder, names.path) if names.to and holder is not None else None
        if value in (None, "", []):
            continue
        get_path(holder, names.path[:-1])[names.path[-1]] = \
            [change(names, name) for name in value] if isinstance(value, list) else change(names, value)


def resolve_names(resource, desired, objects, params=None):
    """The names of the options LiteLLM takes as ids (``Names.to``: a user's ``teams``, team ids) made ids, in the
    modules and the gateway engine alike: a name that is the id of an object is that object, else the one object
    with it as another of the ``fields`` (a team's alias). ``objects(names)``: [(fields, id)] of the objects of
    ``names.target`` ({field: value}, and the id or the caller's stand-in for one that is not created yet). A name
    no object has is left as it is (ensure_names_exist refuses it); one that several objects have is refused."""
    listed = {}  # the objects of each Names, listed once

    def resolve(names, name):
        if names not in listed:
            listed[names] = objects(names)
        found = listed[names]
        if any(object_id == name for _fields, object_id in found):
            return name
        matches = sorted(set(object_id for fields, object_id in found
                             if any(fields.get(f) == name for f in names.fields if f != names.to)))
        if len(matches) > 1:
            raise ValidationError("%s names %s %s '%s', which %d %s have (%s %s): name it by its %s" % (
                ".".join(names.path), "an" if names.target.kind[0] in "aeiou" else "a", names.target.kind, name,
                len(matches), names.target.plural, names.to, ", ".join(matches), names.to))
        return matches[0] if matches else name
    map_names(resource, desired, params, resolve)
