# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: requeue_after
short_description: Ask the operator to reconcile the custom resource again after a period
description:
  - Returns C(period); the operator (ansible-operator, or llmops.litellm's) reads it from the run's events and
    reconciles the custom resource again after that period, even when nothing changed.
  - llmops.litellm's implementation of operator_sdk.util's module of the same name and arguments.
options:
  time:
    description: A period such as C(30s), C(5m), C(1h30m) (hours, minutes, seconds).
    type: str
    required: true
author: llmops.litellm
"""

EXAMPLES = r"""
- name: Reconcile again in 30 seconds
  operator_sdk.util.requeue_after:
    time: 30s
"""

RETURN = r"""
period:
  description: The period given.
  returned: success
  type: str
"""

import re

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={"time": {"type": "str", "required": True}}, supports_check_mode=True)
    if not re.match(r"^(\d+(\.\d+)?[hms])+$", module.params["time"]):
        module.fail_json(msg="invalid time input: {0!r} is not a period such as 30s, 5m or 1h30m".format(module.params["time"]))
    module.exit_json(changed=False, period=module.params["time"])


if __name__ == "__main__":
    main()
