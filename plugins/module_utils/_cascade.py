# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""LiteLLM's cascades: what the deletion of an object takes with it (a team's keys) or leaves broken (the models of a
credential), found in the live objects before anything is deleted. The kinds declare them (``cascaded_by``); the
modules and the gateway engine refuse a deletion with a cascade the user did not opt in to (``cascade``), and name
every object that went with one they did."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import get_path
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import natural_name
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import cascades_of

DELETED = "deleted"
CASCADE_OPTION = dict(type="bool", default=False)


def cascade_of(resource, raw, live):
    """[(child Resource, child raw, effect)]: the live objects (``live``: kind -> raw objects) that LiteLLM's
    deletion of ``raw``, an object of ``resource``, deletes or leaves changed."""
    object_id = raw.get(resource.id_field)
    return [(child, obj, cascade.effect) for child, cascade in cascades_of(resource)
            for obj in live.get(child.kind, []) if object_id is not None and get_path(obj, cascade.path) == object_id]


def describe(found):
    """``virtual_key 'a' (deleted), model 'b' (left naming ...)`` for cascade_of's answer."""
    return ", ".join("%s '%s' (%s)" % (child.kind, natural_name(child, obj), effect) for child, obj, effect in found)


def refuse(deleting, found, outside, remedy):
    """The one sentence refusing a deletion (``deleting``: "teams[0]: deleting team 'a'") whose cascade the user
    did not opt in to; ``outside`` says why the objects found are not expected to go, ``remedy`` the other way out
    (with %s for "it" or "them")."""
    them = "it" if len(found) == 1 else "them"
    raise ValidationError("%s would, by LiteLLM's cascade, also take %d object%s %s: %s; %s, or set cascade: true to "
                          "let %s go with it" % (deleting, len(found), "" if len(found) == 1 else "s", outside,
                                                 describe(found), remedy % them, them))


def report(found):
    """[{kind, name, effect}] for results."""
    return [dict(kind=child.kind, name=natural_name(child, obj), effect=effect) for child, obj, effect in found]
