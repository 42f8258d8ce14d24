#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: organization_member
short_description: Manage one member of an organization of the LiteLLM proxy
version_added: 0.1.0
description:
  - Add a user to an organization of the LiteLLM proxy (AI gateway), change the user's role and budget in the
    organization, or remove the user from it, without owning the organization's whole member list.
  - Organizations are a LiteLLM Enterprise feature. On a proxy without the licence the module fails with one
    sentence saying so (from C(/health/license)), before anything is read or written.
  - The organization is found by O(organization_id) when it is set, otherwise by O(organization_alias); it must
    exist (the module fails, writing nothing, when it does not; with O(state=absent) a missing organization is no
    change).
  - LiteLLM 1.106.2 adds organization members by user ID only, so a member given by email must be an existing
    user; the module finds its ID, and fails before any write when no user, or several, have the email.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.member
  - llmops.litellm.attributes
options:
  organization_id:
    description: ID of the organization. Required unless O(organization_alias) is set.
    type: str
  organization_alias:
    description: Alias of the organization, used when O(organization_id) is not set. It must name exactly one.
    type: str
  role:
    description:
      - Role of the user in the organization. A member that is added without it gets V(internal_user); an
        existing member keeps its role when it is not set.
    type: str
    choices: [org_admin, internal_user, internal_user_viewer]
  max_budget_in_organization:
    description:
      - Maximum spend of the user in the organization, in USD. Must not be negative.
      - LiteLLM keeps it in a budget of the membership, which C(/organization/info) leaves out; the module reads it
        from C(/budget/list).
    type: float
notes:
  - The organization's members can be managed from two places; give each membership one owner. The C(members)
    option of M(llmops.litellm.organization) (with C(purge_members)) owns the whole list, this module owns one
    membership.
seealso:
  - module: llmops.litellm.organization_member_info
  - module: llmops.litellm.organization
  - module: llmops.litellm.user
  - name: LiteLLM organizations
    description: LiteLLM's documentation of organizations and their roles.
    link: https://docs.litellm.ai/docs/proxy/access_control
'''

EXAMPLES = r'''
- name: Make sure Alice is an admin of the research organization, with a budget of her own
  llmops.litellm.organization_member:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    organization_alias: research
    user_email: alice@example.com
    role: org_admin
    max_budget_in_organization: 200

- name: Remove a service account from the organization
  llmops.litellm.organization_member:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    organization_alias: research
    user_id: svc-batch
    state: absent
'''

RETURN = r'''
organization_member:
  description:
    - The membership after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options and C(spend).
  returned: always
  type: dict
  contains:
    organization_id:
      description: ID of the organization.
      type: str
      sample: dbb3d6a3-68a6-4dd8-84bd-7fa02df363e5
    organization_alias:
      description: Alias of the organization.
      type: str
      sample: research
    user_id:
      description: ID of the user.
      type: str
      sample: alice
    user_email:
      description: Email of the user.
      type: str
      sample: alice@example.com
    role:
      description: Role of the user in the organization.
      type: str
      sample: org_admin
    max_budget_in_organization:
      description: Maximum spend of the member in the organization, in USD.
      type: float
      sample: 200.0
    spend:
      description: Spend of the member in the organization so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._members import MemberModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization_member import ORGANIZATION_MEMBERSHIP


def main():
    MemberModule(ORGANIZATION_MEMBERSHIP).execute()


if __name__ == '__main__':
    main()
