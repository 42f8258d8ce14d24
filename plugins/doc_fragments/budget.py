# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Budgets and rate limits, the options every kind that spends has (teams, users, keys, budgets ...)."""

    DOCUMENTATION = r'''
options:
  max_budget:
    description:
      - Maximum spend, in USD, after which requests fail. Must not be negative.
    type: float
  budget_duration:
    description:
      - Period after which the spend resets, for example V(30d) or V(1mo).
    type: str
  tpm_limit:
    description:
      - Tokens per minute allowed. For a team, a user or an organization, all its keys together. Must not be negative.
    type: int
  rpm_limit:
    description:
      - Requests per minute allowed. For a team, a user or an organization, all its keys together. Must not be
        negative.
    type: int
'''

    SOFT_BUDGET = r'''
options:
  soft_budget:
    description:
      - Spend, in USD, at which LiteLLM alerts without refusing requests. Must not be negative.
    type: float
'''

    TPD_LIMIT = r'''
options:
  tpd_limit:
    description:
      - Tokens per day allowed; batch submissions count against it. Must not be negative.
    type: int
'''

    MAX_PARALLEL_REQUESTS = r'''
options:
  max_parallel_requests:
    description:
      - Requests allowed in flight at once. Must not be negative.
    type: int
'''

    MODEL_LIMITS = r'''
options:
  model_rpm_limit:
    description:
      - 'Requests per minute per model, for example C({"gpt-4o": 100}). Values must not be negative.'
    type: dict
  model_tpm_limit:
    description:
      - 'Tokens per minute per model, for example C({"gpt-4o": 10000}). Values must not be negative.'
    type: dict
'''
