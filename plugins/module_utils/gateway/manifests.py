# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A gateway document as custom resources of the llmops operator (litellm.llmops.dev/v1alpha1), by the table of
gateway/custom_resources.py (whose ``document_from_crs`` is the inverse).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CR_API_VERSION, cr_name
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.custom_resources import cr_spec, object_name
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import CR_KINDS

__all__ = ["cr_spec", "manifests"]


def manifests(document, instance, namespace=None):
    """The document as custom resources of the llmops operator (kinds without a CRD are left out; the entries of a
    kind with one object per proxy, the proxy's settings, make one custom resource)."""
    found = []
    for resource in CR_KINDS:
        kind = resource.cr_kind
        objects = document.get(resource.plural) or [] if kind else []
        if len(objects) > 1 and resource.cr_map.singleton:
            merged = {}
            for options in objects:
                for option, value in options.items():
                    merged[option] = dict(merged.get(option) or {}, **value) if isinstance(value, dict) else value
            objects = [merged]
        for options in objects:
            metadata = {"name": cr_name(object_name(resource, options))}
            if namespace:
                metadata["namespace"] = namespace
            found.append({"apiVersion": CR_API_VERSION, "kind": kind, "metadata": metadata,
                          "spec": cr_spec(resource, options, instance)})
    return found
