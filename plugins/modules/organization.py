#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: organization
short_description: Manage an organization of the LiteLLM proxy
version_added: 0.1.0
description:
  - Create, update and delete an organization of the LiteLLM proxy (AI gateway), the level above teams, with its
    budget, its models and its members.
  - Organizations are a LiteLLM Enterprise feature. Against a proxy without an Enterprise licence the module fails
    with a message saying so, in check mode too, and writes nothing.
  - The organization is found by O(organization_id) when it is set, otherwise by O(organization_alias). LiteLLM does
    not enforce unique aliases; when two or more organizations have the alias, the module fails, naming their
    ids, and writes nothing. It also refuses to create an organization, or rename one, to an alias another
    organization already has.
  - Only the options you set are compared and sent; an option you leave out keeps its current value.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.state
  - llmops.litellm.state.CASCADE
  - llmops.litellm.attributes
  - llmops.litellm.budget
  - llmops.litellm.metadata
  - llmops.litellm.metadata.MODELS
options:
  organization_alias:
    description:
      - Name of the organization, its natural key. Required unless O(organization_id) is set.
      - With O(organization_id) set, a different O(organization_alias) renames the organization.
    type: str
  organization_id:
    description: ID of the organization. LiteLLM generates one when an organization is created without it.
    type: str
  members:
    description:
      - Users in the organization, each with a role. A member is matched by O(members[].user_id) when it is set,
        otherwise by O(members[].user_email).
      - Missing members are added, members with another role get the declared one; with O(purge_members=true),
        members not listed are removed.
      - LiteLLM 1.106.2 can add organization members by user ID only. A member given by O(members[].user_email)
        alone must be an existing user with that email (create it with M(llmops.litellm.user)); the module looks
        its ID up and fails, before any change, when no user or more than one user has the email.
    type: list
    elements: dict
    suboptions:
      user_id:
        description: ID of the user. Either this or O(members[].user_email) is required.
        type: str
      user_email:
        description: Email of the user. Either this or O(members[].user_id) is required.
        type: str
      role:
        description: Role of the user in the organization.
        type: str
        choices: [org_admin, internal_user, internal_user_viewer]
        default: internal_user
  purge_members:
    description:
      - Whether to remove members that O(members) does not list.
      - Has no effect when O(members) is not set; with O(members=[]) it removes every member.
    type: bool
    default: false
notes:
  - Deleting an organization also deletes its teams, its memberships and its keys.
  - LiteLLM keeps the budget options in a budget linked to the organization; the module reads them from there and
    updates the organization with LiteLLM's C(PATCH /v2/organization/{id}).
  - LiteLLM 1.106.2 request fields of C(NewOrganizationRequest) and C(OrganizationUpdateRequestV2) that this module
    does not offer, and why. C(soft_budget), C(max_parallel_requests), C(tpd_limit) and C(model_max_budget) are
    stored on the organization's budget but not enforced for organizations. C(model_rpm_limit) and
    C(model_tpm_limit) are not fields of the v2 update (which the module needs to replace metadata); set them on
    teams or keys. C(budget_id) links an existing budget instead of the organization's own. C(allowed_models),
    C(temp_budget_increase) and C(temp_budget_expiry) are member-budget fields LiteLLM shares with this request.
    C(object_permission) is not offered in this version.
seealso:
  - module: llmops.litellm.organization_info
  - module: llmops.litellm.team
  - module: llmops.litellm.user
  - name: LiteLLM organizations
    description: LiteLLM's documentation of organizations and their admins.
    link: https://docs.litellm.ai/docs/proxy/access_control
'''

EXAMPLES = r'''
- name: Ensure the organization exists with a budget and two members
  llmops.litellm.organization:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    organization_alias: acme-corp
    models: [gpt-4o, claude-sonnet]
    max_budget: 5000
    budget_duration: 30d
    members:
      - user_email: admin@acme.example
        role: org_admin
      - user_id: svc-batch
        role: internal_user

- name: Set connection options once for every module of the collection
  module_defaults:
    group/llmops.litellm.litellm:
      api_url: http://localhost:4000
      api_key: "{{ litellm_master_key }}"
  block:
    - name: Keep exactly these members
      llmops.litellm.organization:
        organization_alias: acme-corp
        members:
          - user_email: admin@acme.example
            role: org_admin
        purge_members: true

    - name: Put a team in the organization
      llmops.litellm.team:
        team_alias: acme-engineering
        organization_id: "{{ acme.organization.organization_id }}"

    - name: Delete the organization with its teams and keys
      llmops.litellm.organization:
        organization_alias: acme-corp
        state: absent
'''

RETURN = r'''
organization:
  description:
    - The organization after the run, or as it would be after the run in check mode. Empty after O(state=absent).
    - Keys are the module's options; C(members) lists every member.
  returned: always
  type: dict
  contains:
    organization_id:
      description: ID of the organization. V(null) when check mode predicts one would be created.
      type: str
      sample: 8556fad9-6ccc-4bfd-aee2-0d7501f470ea
    organization_alias:
      description: Name of the organization.
      type: str
      sample: acme-corp
    models:
      description: Models of the organization, sorted; V(null) for all models.
      type: list
      elements: str
      sample: [claude-sonnet, gpt-4o]
    max_budget:
      description: Maximum spend in USD.
      type: float
      sample: 5000.0
    members:
      description: Members of the organization, sorted by user ID.
      type: list
      elements: dict
      sample: [{"user_id": "svc-batch", "user_email": null, "role": "internal_user"}]
    spend:
      description: Spend of the organization so far, in USD.
      type: float
      sample: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import EntityModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.organization import ORGANIZATION


def main():
    EntityModule(ORGANIZATION).execute()


if __name__ == '__main__':
    main()
