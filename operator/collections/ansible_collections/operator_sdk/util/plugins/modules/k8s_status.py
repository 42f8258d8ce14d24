# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_status
short_description: Set fields and conditions of a Kubernetes object's status
description:
  - Patches (merge patch) or replaces the status subresource of an object, merging I(conditions) by type.
  - llmops.litellm's implementation of operator_sdk.util's module of the same name and arguments.
options:
  api_version: {description: The object's apiVersion., type: str, default: v1, aliases: [api, version]}
  kind: {description: The object's kind., type: str, required: true}
  name: {description: The object's name., type: str, required: true}
  namespace: {description: The object's namespace., type: str}
  status:
    description: Fields set on the status. One of I(status) or I(conditions) is required.
    type: dict
  conditions:
    description: Conditions merged by type into status.conditions (all replaced with I(replace)).
    type: list
    elements: dict
    suboptions:
      type: {description: The condition's type., type: str, required: true}
      status: {description: Its status., type: str, required: true, choices: ["True", "False", "Unknown"]}
      reason: {description: One CamelCase word., type: str}
      message: {description: A sentence., type: str}
      lastHeartbeatTime: {description: RFC 3339., type: str}
      lastTransitionTime: {description: RFC 3339; now when left out., type: str}
  replace:
    description: Replace the whole status (PUT) instead of patching it.
    type: bool
    default: false
    aliases: [force]
  replace_lists:
    description: Lists other than conditions count as changed unless equal (not only when an item is missing).
    type: bool
    default: false
extends_documentation_fragment:
  - operator_sdk.util.osdk_auth_options
author: llmops.litellm
"""

EXAMPLES = r"""
- name: Report the replicas
  operator_sdk.util.k8s_status:
    api_version: cache.example.com/v1alpha1
    kind: Memcached
    name: "{{ ansible_operator_meta.name }}"
    namespace: "{{ ansible_operator_meta.namespace }}"
    status:
      replicas: 3
"""

RETURN = r"""
result:
  description: The object after the change.
  returned: success
  type: dict
"""

import copy
import datetime

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.operator_sdk.util.plugins.module_utils.k8s import AUTH_ARG_SPEC, NAME_ARG_SPEC, api_client, resource

CONDITION = {
    "type": {"type": "str", "required": True},
    "status": {"type": "str", "required": True, "choices": ["True", "False", "Unknown"]},
    "reason": {"type": "str"},
    "message": {"type": "str"},
    "lastHeartbeatTime": {"type": "str"},
    "lastTransitionTime": {"type": "str"},
}


def merge_conditions(old, new):
    """``old`` with each of ``new`` put in by type; a condition that did not change (but for its time) is kept."""
    merged = copy.deepcopy(old)
    for condition in new:
        index = next((i for i, c in enumerate(merged) if c.get("type") == condition["type"]), None)
        if index is None:
            merged.append(condition)
        elif any(k != "lastTransitionTime" and v != merged[index].get(k) for k, v in condition.items()):
            merged[index] = condition
    return merged


def contains(obj, subset, replace_lists):
    if isinstance(subset, dict):
        return isinstance(obj, dict) and all(contains(obj.get(k), v, replace_lists) for k, v in subset.items())
    if isinstance(subset, list) and isinstance(obj, list) and not replace_lists:
        return all(item in obj for item in subset)
    return obj == subset


def main():
    spec = dict(AUTH_ARG_SPEC, **NAME_ARG_SPEC)
    spec.update({
        "status": {"type": "dict"},
        "conditions": {"type": "list", "elements": "dict", "options": CONDITION},
        "replace": {"type": "bool", "default": False, "aliases": ["force"]},
        "replace_lists": {"type": "bool", "default": False},
    })
    module = AnsibleModule(argument_spec=spec, required_one_of=[["status", "conditions"]], supports_check_mode=True)
    status = copy.deepcopy(module.params.get("status") or {})
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    conditions = [dict((k, v) for k, v in c.items() if v is not None) for c in module.params.get("conditions") or []]
    for condition in conditions:
        condition.setdefault("lastTransitionTime", now)
    if conditions and status.get("conditions"):
        module.fail_json(msg="You cannot specify conditions in both the 'status' and 'conditions' parameters")
    if conditions:
        status["conditions"] = conditions
    from kubernetes.dynamic.exceptions import DynamicApiError  # pylint: disable=import-outside-toplevel

    api = api_client(module)
    found = resource(module, api, module.params["api_version"], module.params["kind"])
    if "status" not in (found.subresources or {}):
        module.fail_json(msg="Resource {0}.{1} does not support the status subresource".format(found.api_version, found.kind))
    try:
        instance = found.get(name=module.params["name"], namespace=module.params.get("namespace")).to_dict()
    except DynamicApiError as exc:
        module.fail_json(msg="Failed to retrieve requested object {0} {1}: {2}".format(module.params["kind"], module.params["name"], exc.summary()))
    current = instance.get("status") or {}
    if module.params["replace"]:
        wanted = status
        changed = current != wanted
    else:
        wanted = copy.deepcopy(status)
        if current.get("conditions") and wanted.get("conditions"):
            wanted["conditions"] = merge_conditions(current["conditions"], wanted["conditions"])
        changed = bool(status) and not contains(current, wanted, module.params["replace_lists"])
    if not changed or module.check_mode:
        module.exit_json(changed=changed, result=instance)
    try:
        if module.params["replace"]:
            instance["status"] = wanted
            result = found.status.replace(body=instance).to_dict()
        else:
            body = {"apiVersion": instance["apiVersion"], "kind": instance["kind"],
                    "metadata": {"name": module.params["name"], "namespace": module.params.get("namespace")}, "status": wanted}
            result = found.status.patch(body=body, name=module.params["name"], namespace=module.params.get("namespace"),
                                        content_type="application/merge-patch+json").to_dict()
    except DynamicApiError as exc:
        module.fail_json(msg="Failed to update the status of {0} {1}: {2}".format(module.params["kind"], module.params["name"], exc.summary()))
    module.exit_json(changed=True, result=result)


if __name__ == "__main__":
    main()
