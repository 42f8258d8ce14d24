# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A gateway document as custom resources of the llmops operator (litellm.llmops.dev/v1alpha1).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import (
    CR_API_VERSION,
    camel,
    camel_keys,
    cr_name,
    cr_value,
)
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import is_placeholder, natural_name
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.credential import CREDENTIAL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS


def cr_spec(resource, options, instance):
    """A document object as the spec of its custom resource: camelCased options, parents as their kind's ``cr_ref``
    (``teamRef: {name}``), secrets left out: the CRDs take them from Kubernetes Secrets only (apiKeySecretRef, ...),
    which an export cannot name (placeholders, and os.environ/ references, which name the proxy's environment)."""
    spec = {"instanceRef": {"name": instance}}
    references = dict((r.option, r.target.cr_ref) for r in resource.references)
    secrets = set(f.name for f in resource.options if f.has_secrets)
    for name, value in options.items():
        if name in references:
            spec[references[name]] = {"name": cr_name(value)}
        elif name == "members":
            fields = (("email", "user_email"), ("userId", "user_id"), ("role", "role"))
            spec["members"] = [dict((k, m[f]) for k, f in fields if m.get(f) is not None) for m in value]
        elif name == "litellm_params" and resource is MODEL:
            params = dict((camel(k), v) for k, v in value.items() if k != "litellm_credential_name")
            if value.get("litellm_credential_name"):
                params[CREDENTIAL.cr_ref] = {"name": cr_name(value["litellm_credential_name"])}
            spec.setdefault("litellmParams", {}).update(params)
        elif name in resource.by_name and resource.by_name[name].cr_camel_keys:
            spec[camel(name)] = [camel_keys(item) for item in value] if isinstance(value, list) else camel_keys(value)
        elif name == "model_max_budget":
            spec["modelMaxBudget"] = dict((model, dict((camel(k), cr_value(camel(k), v)) for k, v in budget.items()))
                                          for model, budget in value.items())
        elif name in secrets:
            continue
        elif not is_placeholder(value) and not (isinstance(value, dict) and any(map(is_placeholder, value.values()))):
            spec[camel(name)] = cr_value(camel(name), value)
    return spec


def manifests(document, instance, namespace=None):
    """The document as custom resources of the llmops operator (kinds without a CRD are left out)."""
    found = []
    for resource in KINDS:
        kind = resource.cr_kind
        for options in document.get(resource.plural) or [] if kind else []:
            metadata = {"name": cr_name(natural_name(resource, options))}
            if namespace:
                metadata["namespace"] = namespace
            found.append({"apiVersion": CR_API_VERSION, "kind": kind, "metadata": metadata,
                          "spec": cr_spec(resource, options, instance)})
    return found
