# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """Metadata, and the options LiteLLM keeps inside it (tags, guardrails)."""

    DOCUMENTATION = r'''
options:
  metadata:
    description:
      - Free-form metadata. It replaces the object's metadata as a whole.
      - LiteLLM keeps some options in the metadata too (C(tags), C(guardrails), C(model_rpm_limit),
        C(model_tpm_limit) and others, where the module has them). Those keys are not shown in this option, are
        kept when it is written, and must not be set in it.
    type: dict
'''

    TAGS = r'''
options:
  tags:
    description:
      - Tags for spend tracking and tag-based routing. Order does not matter.
      - A non-empty list needs a LiteLLM Enterprise licence.
    type: list
    elements: str
  guardrails:
    description:
      - Guardrails that run on the requests. Order does not matter.
      - A non-empty list needs a LiteLLM Enterprise licence.
    type: list
    elements: str
'''

    MODELS = r'''
options:
  models:
    description:
      - Models that may be used; for a team or an organization, by its keys. An empty list means all models.
      - Order does not matter.
    type: list
    elements: str
'''
