# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""key_rotation_due: whether a virtual key's value made at a time is due for rotation, by the rule the virtual_key
module's rotation_period follows (one rule: _virtual_key.rotation_due)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._virtual_key import rotation_due


def key_rotation_due(started, period):
    try:
        return rotation_due(started, period)
    except ValidationError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    def filters(self) -> dict:
        return {"key_rotation_due": key_rotation_due}
