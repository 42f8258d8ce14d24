# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: k8s_event
short_description: Create or update a Kubernetes Event
description:
  - Creates the Event I(name), or counts it again (C(count) + 1, C(lastTimestamp)) when it exists with the same
    reason.
  - llmops.litellm's implementation of operator_sdk.util's module of the same name and arguments.
options:
  state: {description: Accepted for compatibility (events are only created or updated)., type: str, default: present, choices: [present, absent]}
  name: {description: The Event's name., type: str, required: true}
  namespace: {description: The Event's namespace., type: str, required: true}
  merge_type: {description: Accepted for compatibility., type: list, elements: str, choices: [json, merge, strategic-merge]}
  message: {description: The message., type: str, required: true}
  reason: {description: One CamelCase word., type: str, required: true}
  reportingComponent: {description: The reporting component., type: str}
  type: {description: Normal or Warning., type: str, choices: [Normal, Warning]}
  appendTimestamp: {description: Append the current time to the name (a new Event each time)., type: bool}
  source:
    description: The event's source.
    type: dict
    suboptions:
      component: {description: The component., type: str, required: true}
  involvedObject:
    description: The object the Event is about (its uid and resourceVersion are looked up).
    type: dict
    suboptions:
      apiVersion: {description: apiVersion., type: str, required: true}
      kind: {description: kind., type: str, required: true}
      name: {description: name., type: str, required: true}
      namespace: {description: namespace., type: str, required: true}
extends_documentation_fragment:
  - operator_sdk.util.osdk_auth_options
author: llmops.litellm
"""

EXAMPLES = r"""
- name: Tell the user
  operator_sdk.util.k8s_event:
    name: "{{ ansible_operator_meta.name }}-scaled"
    namespace: "{{ ansible_operator_meta.namespace }}"
    reason: Scaled
    message: Scaled to 3
    type: Normal
    involvedObject:
      apiVersion: cache.example.com/v1alpha1
      kind: Memcached
      name: "{{ ansible_operator_meta.name }}"
      namespace: "{{ ansible_operator_meta.namespace }}"
"""

RETURN = r"""
result:
  description: The Event.
  returned: success
  type: dict
"""

import datetime

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.operator_sdk.util.plugins.module_utils.k8s import AUTH_ARG_SPEC, api_client, resource


def main():
    spec = dict(AUTH_ARG_SPEC)
    spec.update({
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "name": {"type": "str", "required": True},
        "namespace": {"type": "str", "required": True},
        "merge_type": {"type": "list", "elements": "str", "choices": ["json", "merge", "strategic-merge"]},
        "message": {"type": "str", "required": True},
        "reason": {"type": "str", "required": True},
        "reportingComponent": {"type": "str"},
        "type": {"type": "str", "choices": ["Normal", "Warning"]},
        "appendTimestamp": {"type": "bool"},
        "source": {"type": "dict", "options": {"component": {"type": "str", "required": True}}},
        "involvedObject": {"type": "dict", "options": {
            "apiVersion": {"type": "str", "required": True}, "kind": {"type": "str", "required": True},
            "name": {"type": "str", "required": True}, "namespace": {"type": "str", "required": True}}},
    })
    module = AnsibleModule(argument_spec=spec)
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError  # pylint: disable=import-outside-toplevel

    api = api_client(module)
    events = resource(module, api, "v1", "Event")
    params = module.params
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    name = params["name"] + ("." + now.strftime("%Y%m%d%H%M%S%f") if params.get("appendTimestamp") else "")
    involved = dict(params.get("involvedObject") or {})
    if involved:
        try:
            target = resource(module, api, involved["apiVersion"], involved["kind"]).get(name=involved["name"], namespace=involved["namespace"])
            involved.update(uid=target.metadata.uid, resourceVersion=target.metadata.resourceVersion)
        except NotFoundError:
            pass
    try:
        prior = events.get(name=name, namespace=params["namespace"]).to_dict()
    except NotFoundError:
        prior = None
    same = prior is not None and prior.get("reason") == params["reason"]
    event = {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": params["namespace"]},
        "message": params["message"], "reason": params["reason"], "type": params.get("type"),
        "reportingComponent": params.get("reportingComponent") or "", "source": params.get("source") or {},
        "involvedObject": involved, "count": (prior.get("count") or 1) + 1 if same else 1,
        "firstTimestamp": prior.get("firstTimestamp") if same else stamp, "lastTimestamp": stamp,
    }
    try:
        if prior is None:
            result = events.create(body=event, namespace=params["namespace"]).to_dict()
        else:
            result = events.patch(body=event, name=name, namespace=params["namespace"],
                                  content_type="application/merge-patch+json").to_dict()
    except DynamicApiError as exc:
        module.fail_json(msg="Unable to create event {0}: {1}".format(name, exc.summary()))
    module.exit_json(changed=True, result=result)


if __name__ == "__main__":
    main()
