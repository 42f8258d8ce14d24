# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """The user of one membership (team_member, organization_member), and the filter of the member info modules."""

    DOCUMENTATION = r'''
options:
  user_id:
    description:
      - ID of the user. Required unless O(user_email) is set.
      - The member is found by O(user_id) when it is set, otherwise by O(user_email).
    type: str
  user_email:
    description: Email of the user (compared without case), used when O(user_id) is not set.
    type: str
notes:
  - LiteLLM's member requests also take C(member) as a list (several users in one call); this module takes one
    user, O(user_id) or O(user_email), so each task manages one membership.
'''

    INFO = r'''
options:
  user_id:
    description: Return only the member with this user ID. Mutually exclusive with O(user_email).
    type: str
  user_email:
    description: Return only the member with this email (compared without case).
    type: str
'''
