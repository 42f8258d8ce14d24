# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A gateway document as custom resources of the llmops operator (litellm.llmops.dev/v1alpha1).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import is_placeholder, natural_name
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS


CR_API_VERSION = "litellm.llmops.dev/v1alpha1"
# Secret options: the CRDs take them as references to Kubernetes Secrets, which a gateway export cannot name.
CR_SECRETS = frozenset(("provider_api_key", "secret_litellm_params", "credential_values", "credentials"))
# References become <kind>Ref: {name: <the parent's CR name>}.
CR_REFS = {"team_alias": "teamRef", "organization_alias": "organizationRef"}


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


def cr_name(name):
    """A DNS-1123 name for a natural key (lower case, dashes, at most 63 characters)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-") or "object"
    return cleaned[:63].rstrip("-")


def cr_value(field, value):
    """Budgets are int-or-string in the CRDs (as in PalenaAI's ``maxBudget: "100"``): a whole number stays a number,
    anything else becomes its decimal string."""
    if (field.endswith("Budget") or field == "budgetLimit") and isinstance(value, float):
        return int(value) if value.is_integer() else repr(value)
    return value


def cr_spec(resource, options, instance):
    """A document object as the spec of its custom resource: camelCased options, parents as ``<kind>Ref``, secrets
    (placeholders, and os.environ/ references, which name the proxy's environment, not a Secret) left out."""
    spec = {"instanceRef": {"name": instance}}
    references = set(r.option for r in resource.references)
    for name, value in options.items():
        if name in references:
            spec[CR_REFS[name]] = {"name": cr_name(value)}
        elif name == "members":
            fields = (("email", "user_email"), ("userId", "user_id"), ("role", "role"))
            spec["members"] = [dict((k, m[f]) for k, f in fields if m.get(f) is not None) for m in value]
        elif name == "litellm_params" and resource is MODEL:
            params = dict((camel(k), v) for k, v in value.items() if k != "litellm_credential_name")
            if value.get("litellm_credential_name"):
                params["credentialRef"] = {"name": cr_name(value["litellm_credential_name"])}
            spec.setdefault("litellmParams", {}).update(params)
        elif name == "model_max_budget":
            spec["modelMaxBudget"] = dict((model, dict((camel(k), cr_value(camel(k), v)) for k, v in budget.items()))
                                          for model, budget in value.items())
        elif name in CR_SECRETS:
            continue  # the CRDs take secrets from Kubernetes Secrets only (apiKeySecretRef, ...), never inline
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
