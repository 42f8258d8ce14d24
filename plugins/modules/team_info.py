#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: team_info
short_description: Read teams of the LiteLLM proxy
version_added: 0.1.0
description:
  - Returns one team by O(team_id), the teams with an alias given by O(team_alias), or every team.
  - The teams have the same keys as the C(team) result of M(llmops.litellm.team), so they can be fed back to it.
author:
  - llmops.litellm maintainers (@llmops)
extends_documentation_fragment:
  - llmops.litellm.connection
  - llmops.litellm.attributes.INFO_MODULE
options:
  team_alias:
    description:
      - Return the teams with exactly this alias (LiteLLM does not enforce unique aliases).
      - Mutually exclusive with O(team_id).
    type: str
  team_id:
    description:
      - Return the team with this ID; an unknown ID returns an empty list.
      - Mutually exclusive with O(team_alias).
    type: str
seealso:
  - module: llmops.litellm.team
'''

EXAMPLES = r'''
- name: Read one team by alias
  llmops.litellm.team_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
    team_alias: research
  register: research

- name: Read every team
  llmops.litellm.team_info:
    api_url: http://localhost:4000
    api_key: "{{ litellm_master_key }}"
  register: all_teams

- name: Show the alias and spend of each team
  ansible.builtin.debug:
    msg: "{{ all_teams.teams | map(attribute='team_alias') | zip(all_teams.teams | map(attribute='spend')) }}"
'''

RETURN = r'''
teams:
  description:
    - The teams found, each with the keys of the C(team) result of M(llmops.litellm.team).
  returned: always
  type: list
  elements: dict
  sample:
    - team_id: 0f4b7a9c-3a4e-4c67-8b1e-6d9b2f1c2e11
      team_alias: research
      models: [claude-sonnet, gpt-4o]
      max_budget: 100.0
      members: [{"user_id": "alice", "user_email": null, "role": "admin"}]
      spend: 0.0
'''

from ansible_collections.llmops.litellm.plugins.module_utils._module import InfoModule
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.team import TEAM


def main():
    InfoModule(TEAM).execute()


if __name__ == '__main__':
    main()
