# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: osdk_metric
short_description: Create or update a custom Prometheus metric of the operator
description:
  - Posts the metric to the operator's metrics listener, which creates it on first use and serves it with the
    operator's own metrics.
  - llmops.litellm's implementation of operator_sdk.util's module of the same name and arguments. Without
    I(address), the listener the operator named for the run (C(LLMOPS_OPERATOR_OSDK_METRICS_URL)) is used, else
    C(http://localhost:5050/metrics).
options:
  name:
    description: The metric's name.
    type: str
    required: true
  description:
    description: The metric's help text.
    type: str
    required: true
  address:
    description: The operator's metrics listener.
    type: str
  counter:
    description: A counter; C(increment) or C(add) a value.
    type: dict
    suboptions:
      increment: {description: Add 1., type: bool}
      add: {description: Add this value (not negative)., type: float}
  gauge:
    description: A gauge; the first operation given is applied.
    type: dict
    suboptions:
      set: {description: Set it to this value., type: float}
      increment: {description: Add 1., type: bool}
      decrement: {description: Subtract 1., type: bool}
      add: {description: Add this value., type: float}
      subtract: {description: Subtract this value., type: float}
      set_to_current_time: {description: Set it to the current Unix time., type: bool}
  histogram:
    description: A histogram.
    type: dict
    suboptions:
      observe: {description: Add one observation., type: float}
  summary:
    description: A summary.
    type: dict
    suboptions:
      observe: {description: Add one observation., type: float}
author: llmops.litellm
"""

EXAMPLES = r"""
- name: Count reconciles
  operator_sdk.util.osdk_metric:
    name: my_reconciles
    description: Reconciles of my kind
    counter:
      increment: true
"""

RETURN = r"""
status_code:
  description: The listener's HTTP status, when it refused the metric.
  returned: failure
  type: int
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

DEFAULT_ADDRESS = "http://localhost:5050/metrics"


def main():
    number = {"type": "float"}
    flag = {"type": "bool"}
    module = AnsibleModule(
        argument_spec={
            "name": {"type": "str", "required": True},
            "description": {"type": "str", "required": True},
            "address": {"type": "str"},
            "counter": {"type": "dict", "options": {"increment": flag, "add": number}},
            "gauge": {"type": "dict", "options": {"set": number, "increment": flag, "decrement": flag, "add": number,
                                                  "subtract": number, "set_to_current_time": flag}},
            "histogram": {"type": "dict", "options": {"observe": number}},
            "summary": {"type": "dict", "options": {"observe": number}},
        },
    )
    payload = {"name": module.params["name"], "description": module.params["description"]}
    for kind in ("counter", "gauge", "histogram", "summary"):
        if module.params.get(kind) is not None:
            payload[kind] = dict((k, v) for k, v in module.params[kind].items() if v is not None)
    address = module.params.get("address") or os.environ.get("LLMOPS_OPERATOR_OSDK_METRICS_URL") or DEFAULT_ADDRESS
    try:
        open_url(address, data=json.dumps(payload), method="POST", headers={"Content-Type": "application/json"}, timeout=30)
    except HTTPError as exc:
        module.fail_json(msg="metric {0}: the metrics listener {1} refused it: {2}".format(payload["name"], address, exc.read().decode("utf-8", "replace")),
                         status_code=exc.code)
    except URLError as exc:
        module.fail_json(msg="metric {0}: the metrics listener {1} did not answer: {2}".format(payload["name"], address, exc.reason))
    module.exit_json(changed=True)


if __name__ == "__main__":
    main()
