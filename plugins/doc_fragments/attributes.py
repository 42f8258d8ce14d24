# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode the module reads the live object, returns the object as it would be after the run and
        sends no request that writes (the HTTP client refuses them).
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: full
    details:
      - The diff shows the object before and after, with secret values (fields named like key, token, secret or
        password) blanked.
  action_group:
    description: Use C(group/llmops.litellm.litellm) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - llmops.litellm.litellm
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details:
      - This module only reads, and behaves the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: N/A
    details:
      - This module only reads.
  action_group:
    description: Use C(group/llmops.litellm.litellm) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - llmops.litellm.litellm
'''
