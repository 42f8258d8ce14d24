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


def ensure_names_exist(resource, desired, objects, params=None):
    """Refuse options that name objects which do not exist (a model's credential, a tag's models): ``objects(names,
    name)`` lists the objects of ``names.target`` that ``name`` names (live in a module; declared or live in a
    document), as for resolve_names. A name with ``*`` is a pattern, not an object."""
    for option, names, name in resource.named(desired, params):
        if "*" not in str(name) and not objects(names, name):
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
    with it as another of the ``fields`` (a team's alias). ``objects(names, name)``: [(fields, id)] of the objects of
    ``names.target`` that ``name`` names ({field: value}, and the id or the caller's stand-in for one that is not
    created yet), a NameIndex's look-up. A name no object has is left as it is (ensure_names_exist refuses it); one
    that several objects have is refused."""

    def resolve(names, name):
        found = objects(names, name)
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


class NameIndex(object):
    """The objects of ``names.target`` that the names of one ``Names`` may name, found by name at once (a look-up,
    not a pass over every object for every name: thousands of users naming teams). Each object is added with its
    ``fields`` ({field: value}), its ``object_id`` (its ``names.to``, or a stand-in for one not created yet; None
    without ``to``) and ``counts``: None, or a function saying, when a name is looked up, whether the object still
    counts (a plan's declared object not held back since). Called with a name: [(fields, id)] of the objects that
    have it as their id or as one of ``names.fields``."""

    def __init__(self, names):
        self.names = names
        self.by_name = {}

    def add(self, fields, object_id, counts=None):
        entry = (fields, object_id, counts)
        for name in set(v for v in [object_id] + [fields.get(f) for f in self.names.fields] if hashable(v)):
            self.by_name.setdefault(name, []).append(entry)

    def __call__(self, name):
        found = self.by_name.get(name, ()) if hashable(name) else ()
        return [(fields, object_id) for fields, object_id, counts in found if counts is None or counts()]


def hashable(value):
    """Whether ``value`` may be a name (not None, not a list or a mapping an option holds by mistake)."""
    return value is not None and not isinstance(value, (list, dict, set))
