# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The changes a gateway plan reports for an object: per field (a dict option per key, secrets redacted) and per
member, each ``{path, desired, live}``."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._fields import MergedDict, PartialDict
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import REDACTED

# The desired value of an id that a parent created by the same run gets (a new team's team_id, in its keys).
KNOWN_AFTER_APPLY = "(known after apply)"


def stand_in(label):
    """What stands for the id of an object created by the same run in a list of ids (a user's teams), until then."""
    return "(known after apply: %s)" % label


def field_changes(resource, changes, view):
    """The per-field changes of an update: [{path, desired, live}], a dict option split into its keys."""
    found = []
    for name in sorted(changes):
        field, desired, live = resource.by_name[name], changes[name], view.get(name)
        if field.no_log:
            found.append(dict(path=name, desired=REDACTED, live=REDACTED if live is not None else None))
            continue
        if field.type == "dict" and isinstance(desired, dict):
            partial = isinstance(field, (MergedDict, PartialDict))
            live = live if isinstance(live, dict) else {}
            keys = sorted(set(desired) | (set() if partial else set(live)), key=str)
            merged = field.merged(live, desired) or {}
            for key in keys:
                if merged.get(key) != live.get(key):
                    found.append(dict(path="%s.%s" % (name, key), desired=merged.get(key), live=live.get(key)))
            continue
        found.append(dict(path=name, desired=field.normalise(desired) if desired != KNOWN_AFTER_APPLY else desired,
                          live=live))
    return found


def member_changes(resource, plan, live):
    """The per-member changes of a MemberPlan against the live members: [{path, desired, live}] of roles."""
    spec = resource.members

    def path(member):  # named by email where there is one, as documents usually name members
        return "members[user_email=%s]" % member["user_email"] if member.get("user_email") else \
            "members[user_id=%s]" % member["user_id"]

    def live_role(member):
        return next((m["role"] for m in live if spec.matches(member, m)), None)
    return ([dict(path=path(m), desired=m["role"], live=None) for m in plan.add]
            + [dict(path=path(m), desired=m["role"], live=live_role(m)) for m in plan.update]
            + [dict(path=path(m), desired=None, live=m["role"]) for m in plan.remove])


def link_changes(links, view):
    """The changes of the links (a user's teams) of [(Links, LinkPlan)]: [{path, desired, live}] of each that changes."""
    return [dict(path=link.name, desired=plan.predicted, live=view.get(link.name)) for link, plan in links
            if plan.add or plan.remove]
