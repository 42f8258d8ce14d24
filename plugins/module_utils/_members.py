# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules for the members of an object (the users of a team: team_member, team_member_info): one member
managed without owning the object's whole member list, and the members listed."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._module import LiteLLMModule
from ansible_collections.llmops.litellm.plugins.module_utils._read import Reader
from ansible_collections.llmops.litellm.plugins.module_utils._write import send


class MembershipModule(LiteLLMModule):
    """Base of the modules for the members of an object (the users of a team).

    ``membership`` is a Membership: the parent Resource (found by its id or natural key), the member Resource (the
    member's identity, role and settings such as a budget in the parent) and ``read(whole answer)``, the parent's
    members as raw objects.
    """

    def __init__(self, membership, argument_spec, **kwargs):
        self.membership = membership
        super(MembershipModule, self).__init__(argument_spec, **kwargs)
        self.parents = Reader(self.client, membership.parent)

    def read(self):
        """(the parent's raw object, its members' views); (None, []) when the parent does not exist."""
        parent, member, params = self.membership.parent, self.membership.member, self.params
        self.action = "read %s" % parent.label(params)
        if member.requires:  # refused in one sentence before anything is read or written (an Enterprise kind)
            self.require(member.requires, member.requires.what or member.kind, member,
                         read_only=isinstance(self, MemberInfoModule))
        if params[parent.id_field]:
            whole = self.parents.by_id(params[parent.id_field], whole=True)
        else:
            whole = self.parents.by_key(params[parent.key_field], whole=True)
        if whole is None:
            return None, []
        raw = self.parents.unwrap(whole)
        members = self.membership.read(whole)
        if member.hydrate:  # what the parent's answer leaves out of its members (an organization member's budget)
            members = member.hydrate(self.client, members)
        return raw, [member.view(m) for m in members]


class MemberModule(MembershipModule):
    """One member of an object, managed without owning the object's whole member list.

    The member is matched and its role planned by the parent's Members spec; its settings are compared, predicted
    and diffed like any object's options. Check mode, diff and ``changed`` work as in EntityModule.
    """

    IDENTITY = ("user_id", "user_email", "role")

    def __init__(self, membership, **kwargs):
        parent = membership.parent
        super(MemberModule, self).__init__(
            membership, membership.member.argument_spec(),
            required_one_of=[(parent.id_field, parent.key_field), ("user_id", "user_email")], **kwargs)

    def run(self):
        parent, spec, params = self.membership.parent, self.membership.member, self.params
        members = parent.members
        label = "member '%s' of %s" % (params["user_id"] or params["user_email"], parent.label(params))
        self.action = "validate %s" % label
        desired = spec.desired(params)
        settings = dict((k, v) for k, v in desired.items()
                        if k not in self.IDENTITY and k not in (parent.id_field, parent.key_field))
        raw, live = self.read()
        if raw is None and params["state"] == "present":
            self.action = "add %s" % label
            raise ValidationError("%s does not exist" % parent.label(params))
        wanted = dict((k, params[k]) for k in self.IDENTITY)
        before = next((m for m in live if members.matches(wanted, m)), None) or {}

        if params["state"] == "absent":
            changed, after = bool(before), {}
            if before and not self.check_mode:
                self.action = "remove %s" % label
                send(self.client, members.delete, dict(members.identity(before), **{parent.id_field: raw[parent.id_field]}))
        else:
            changed, after = self.present(label, raw, before, live, wanted, settings)
        result = dict(changed=changed)
        result[spec.kind] = self.secret_free(after)
        if self._diff:
            result["diff"] = dict(before=self.secret_free(self.declared(before)), after=self.secret_free(self.declared(after)))
        return result

    def declared(self, view):
        spec = self.membership.member
        return dict((k, v) for k, v in view.items() if k not in spec.by_name or spec.by_name[k].option)

    def present(self, label, raw, before, live, wanted, settings):
        parent, spec = self.membership.parent, self.membership.member
        members = parent.members
        wanted["role"] = wanted["role"] or before.get("role") or members.default_role
        if not before and not wanted["user_id"] and members.resolve:  # LiteLLM adds this parent's members by id only
            self.action = "find the user of %s" % label
            wanted = dict(members.resolve(self.client, [wanted])[0], role=wanted["role"])
        plan = members.plan([wanted], live, False)
        changes = spec.changes(settings, before)
        if not (plan.add or plan.update or changes):
            return False, before
        predicted = spec.predict(before, changes)
        predicted.update(wanted if not before else dict(role=wanted["role"]))
        predicted.update(dict((k, raw.get(k)) for k in (parent.id_field, parent.key_field)))
        if self.check_mode:
            return True, predicted

        ids = {parent.id_field: raw[parent.id_field]}
        if plan.add:
            self.action = "add %s" % label
            send(self.client, members.add, dict(ids, member=[members.body(m) for m in plan.add]))
        if plan.update or changes:
            self.action = "update %s" % label
            body = dict(ids, **members.identity(before or plan.add[0]))
            if plan.update:
                body["role"] = wanted["role"]
            body.update(spec.payload(changes))
            send(self.client, members.update, body, idempotent=True)
        raw, live = self.read()
        return True, next((m for m in live if members.matches(wanted, m)), {})


class MemberInfoModule(MembershipModule):
    """The members of one object (the users of a team): all of them, or the one with a user_id or user_email."""

    def __init__(self, membership, **kwargs):
        parent = membership.parent
        spec = dict((name, dict(type="str")) for name in (parent.id_field, parent.key_field, "user_id", "user_email"))
        super(MemberInfoModule, self).__init__(
            membership, spec, required_one_of=[(parent.id_field, parent.key_field)],
            mutually_exclusive=[(parent.id_field, parent.key_field), ("user_id", "user_email")], **kwargs)

    def run(self):
        params, members = self.params, self.membership.parent.members
        raw, live = self.read()
        wanted = dict(user_id=params["user_id"], user_email=params["user_email"])
        if wanted["user_id"] or wanted["user_email"]:
            live = [m for m in live if members.matches(wanted, m)]
        result = dict(changed=False)
        result[self.membership.member.plural] = [self.secret_free(m) for m in live]
        return result
