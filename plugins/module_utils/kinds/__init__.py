# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One file per LiteLLM object kind; kinds.registry lists them in the order the gateway engine applies them.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type
