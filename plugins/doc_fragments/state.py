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
    type: str
    choices: [present, absent]
    default: present
'''
