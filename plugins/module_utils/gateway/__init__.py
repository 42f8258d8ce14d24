# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The gateway engine behind gateway_state and gateway_state_info: one document of many objects of many kinds,
planned against the live state read with list calls, and applied at once. One file per stage: document (parsing
and validation), live (reading), plan, apply, export, manifests (custom resources).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type
