# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  state:
    description:
      - V(present) creates the object when it does not exist and otherwise updates the options that differ.
        Only the options you set are compared and sent; options you leave out keep their current value.
      - V(absent) deletes the object when it exists. Deleting an object that does not exist reports no change.
      - A run that fails after LiteLLM accepted a write reports C(changed=true) and lists the writes it accepted
        in C(written) (C(POST /user/new)).
    type: str
    choices: [present, absent]
    default: present
'''

    # The objects whose deletion LiteLLM cascades to others (teams, users, organizations, credentials, budgets).
    CASCADE = r'''
options:
  cascade:
    description:
      - Whether O(state=absent) may delete the object when LiteLLM's deletion takes other objects with it or
        leaves them broken. LiteLLM deletes a team's virtual keys and team-owned models with the team, a user's
        keys with the user, an organization's teams and keys with the organization; it leaves the models of a
        deleted credential naming it (their requests then fail), and the customers and keys of a deleted budget
        without a budget.
      - V(false) refuses the deletion before anything is written, naming those objects (delete them first, or set
        V(true)). V(true) deletes the object; the result's C(cascaded) (C([{kind, name, effect}])) and the diff
        name every object that went with it (in check mode, that would).
      - Key files of keys deleted this way are not known to this module; M(llmops.litellm.gateway_state) with its
        C(key_dir) removes them.
    type: bool
    default: false
'''
