# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""cr_option_keys: a custom resource's map field with its keys as LiteLLM names them (snake_case, one level), by the
rule the custom-resource table follows for a kind's ``camel_keys`` options (one rule: _custom_resources.option_keys),
so that an operator playbook writes what the table compares."""

from __future__ import annotations

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import option_keys, snake


def cr_option_keys(value):
    return option_keys(value, snake)


class FilterModule:
    def filters(self) -> dict:
        return {"cr_option_keys": cr_option_keys}
