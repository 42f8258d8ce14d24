# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The live gateway as a document (the export/adopt round trip): each object with its module's options, parents by
natural key, secrets as placeholders.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import PRICE_NAME, SECRET_NAME, scrub
from ansible_collections.llmops.litellm.plugins.module_utils._fields import PartialDict, is_env_reference, litellm_masks
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import (
    OWNER_KEY,
    REDACTED,
    is_placeholder,
    natural_name,
    placeholder,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.registry import KINDS


def export_object(resource, raw, names):
    """A live object in the document format: the module's options, parents by natural key, secrets as
    placeholders. ``names`` maps (kind, id) to natural keys for the references."""
    view = resource.view(raw)
    name = natural_name(resource, view)
    options = {}
    for field in resource.options:
        value = view.get(field.name)
        if field.create_only or (field.name == resource.id_field and not resource.export_id):
            continue
        if field.write_only or (field.has_secrets and value is None and field.name == "provider_api_key"):
            value = placeholder(resource, name, field.name)
        elif value is None:
            continue
        elif field.name == "provider_api_key" and not is_env_reference(value):
            value = placeholder(resource, name, field.name)
        elif field.no_log and isinstance(value, dict):
            value = dict((k, placeholder(resource, name, field.name, k)) for k in value)
        elif isinstance(field, PartialDict):
            value = dict((k, placeholder(resource, name, field.name, k) if isinstance(v, str) and litellm_masks(k)
                          else v) for k, v in value.items())
        if resource.owner_field == field.name and isinstance(value, dict):
            value = dict((k, v) for k, v in value.items() if k != OWNER_KEY) or None
            if value is None:
                continue
        options[field.name] = value
    if resource.members and view.get("members"):
        options["members"] = [dict((k, v) for k, v in m.items() if v is not None) for m in view["members"]]
    for link in resource.links:
        if view.get(link.name):
            options[link.name] = view[link.name]
    for reference in resource.references:
        parent = names.get((reference.target.kind, options.get(reference.field)))
        if parent:
            options[reference.option] = parent
            options.pop(reference.field)
    if resource.export_options:
        resource.export_options(options, view)
    return options


def scrub_export(data, secrets=()):
    """scrub_data for an export: secret-named fields blanked, except references and placeholders (no secrets)."""
    if isinstance(data, dict):
        return dict((k, v if is_placeholder(v) or is_env_reference(v) else
                     REDACTED if SECRET_NAME.search(str(k)) and not PRICE_NAME.search(str(k)) and v not in (None, "")
                     else scrub_export(v, secrets)) for k, v in data.items())
    if isinstance(data, list):
        return [scrub_export(v, secrets) for v in data]
    return scrub(data, secrets) if isinstance(data, str) and not is_placeholder(data) else data


def export_document(live, kinds, name_prefix=None, owner=None, only=None):
    """The live gateway as a document; objects defined in the proxy's config file, and objects without a natural key
    whose id LiteLLM generates (keys without an alias), are left out: they cannot be declared. ``only``: the (kind,
    id) pairs to export (default: all)."""
    names = dict(((r.kind, o.get(r.id_field)), o.get(r.key_field)) for r in KINDS for o in live.get(r.kind, []))
    document = {}
    for resource in KINDS:
        if resource.plural not in kinds:
            continue
        objects = []
        for raw in live.get(resource.kind, []):
            view = resource.view(raw)
            name = natural_name(resource, view)
            if not name or (not resource.export_id and not view.get(resource.key_field)):
                continue
            if only is not None and (resource.kind, raw.get(resource.id_field)) not in only:
                continue
            if resource.read_only and resource.read_only(raw):
                continue
            if name_prefix and not str(name).startswith(name_prefix):
                continue
            field = resource.owner_field
            if owner and (not field or (view.get(field) or {}).get(OWNER_KEY) != owner):
                continue
            objects.append(export_object(resource, raw, names))
        document[resource.plural] = sorted(objects, key=lambda o: str(natural_name(resource, o)))
    return document
