# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model aliases: the router's ``model_group_alias`` (a name clients send as ``model`` -> the model group it means),
one object per alias, as the ackstorm operator's ModelAlias declares them. LiteLLM keeps them in the router settings;
they are read from /router/settings (the router's settings in force) and written with /config/update, which replaces
the whole map: each write reads the map again and changes only its own alias, so the other aliases stay as they are.
/config/update is left out of LiteLLM's OpenAPI document (as for proxy_settings), so the Resource declares no write
endpoint the route check would look for there: UNDESCRIBED names it.

Two writers of the map at once would lose an alias (both read the map, each writes it back with its own alias
only), and so would a write of another router setting at the same time (LiteLLM writes the router settings' row
back whole): each read-and-write is one at a time on this host (_router_settings.one_writer).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires, Undescribed
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._router_settings import one_writer
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint, Field, Resource

ROUTER_SETTINGS = "/router/settings"
CONFIG_UPDATE = "/config/update"
UNDESCRIBED = Undescribed((("POST", CONFIG_UPDATE),), "LiteLLM declares /config/update with include_in_schema=False")
# The alias names ackstorm's ModelAliasEntry takes: what model identifiers hold ([1m] context variants, ollama tags,
# @ version pins), never whitespace.
ALIAS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+\[\]-]{0,252}$")


def _aliases_of(answer):
    """The router's aliases in force (GET /router/settings), one object each, in either of LiteLLM's entry forms
    (``"alias": "model"`` or ``"alias": {"model": ..., "hidden": ...}``)."""
    found = []
    aliases = ((answer or {}).get("current_values") or {}).get("model_group_alias") or {}
    for alias in sorted(aliases if isinstance(aliases, dict) else {}):
        entry = aliases[alias]
        item = dict(entry) if isinstance(entry, dict) else dict(model=entry)
        found.append(dict(alias=alias, model=item.get("model"), hidden=bool(item.get("hidden", False))))
    return found


def _entry(obj):
    """The map entry LiteLLM keeps for an alias: the plain form unless it is hidden."""
    return dict(model=obj["model"], hidden=True) if obj.get("hidden") else obj["model"]


def _write(client, alias, obj):
    """Read the map in force, set (``obj``) or remove (None) one alias, write the map back (one_writer)."""
    with one_writer(client.url):
        aliases = dict(((client.get(ROUTER_SETTINGS).get("current_values") or {}).get("model_group_alias")) or {})
        if obj is None:
            aliases.pop(alias, None)
        else:
            aliases[alias] = _entry(obj)
        client.post(CONFIG_UPDATE, {"router_settings": {"model_group_alias": aliases}})


def _create(client, resource, body):
    _write(client, body["alias"], body)
    return body["alias"]


def _update(client, resource, changes, raw):
    _write(client, raw["alias"], dict(raw, **changes))


def _delete(client, resource, raw):
    _write(client, raw["alias"], None)


def _alias_name(desired):
    alias = desired.get("alias")
    if alias is not None and not ALIAS_NAME.match(alias):
        return "alias '%s' is not a model name clients can send: letters, digits and . _ : / @ + [ ] - only, " \
               "starting with a letter or digit, at most 253 characters" % alias
    if alias is not None and alias == desired.get("model"):
        return "alias '%s' must not name itself as its model" % alias
    return None


MODEL_ALIAS = Resource(
    kind="model_alias",
    plural="model_aliases",
    id_field="alias",
    key_field="alias",
    fields=[
        Field("alias"),
        Field("model"),
        Field("hidden", "bool"),
    ],
    create=None,  # written with UNDESCRIBED's call (see above)
    update=None,
    delete=None,
    get=None,  # one alias is read from the router settings, as all of them
    find=Endpoint("GET", ROUTER_SETTINGS, items=_aliases_of, paginated=False),
    create_with=_create,
    update_with=_update,
    delete_with=_delete,
    required=("model",),
    requires=Requires(settings=("store_model_in_db",)),
    rules=[_alias_name],
    # playbooks/operator/model_alias.yml: one alias per custom resource, spec.alias its natural key (an alias such
    # as claude-opus-4[1m] is no DNS name, so it is not taken from the resource's name)
    cr_map=CRMap(name="alias", name_default=None, required=("alias", "model")),
    cr_kind="LiteLLMModelAlias",
)
