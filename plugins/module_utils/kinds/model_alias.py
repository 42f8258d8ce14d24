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
only): gateway_state writes its aliases from a thread pool, and the operator runs the playbooks of several
LiteLLMModelAlias resources side by side. Each read-and-write is therefore one at a time on this host: the threads
of a process by a lock, the processes by an advisory lock on a file named after the proxy's URL. Writers on other
hosts are not held back (give each alias one owner, and one operator per proxy).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import hashlib
import os
import re
import tempfile
import threading

try:
    import fcntl
except ImportError:  # not POSIX: the threads of one process are still held back
    fcntl = None

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires, Undescribed
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._spec import Endpoint, Field, Resource

ROUTER_SETTINGS = "/router/settings"
CONFIG_UPDATE = "/config/update"
UNDESCRIBED = Undescribed((("POST", CONFIG_UPDATE),), "LiteLLM declares /config/update with include_in_schema=False")
# The alias names ackstorm's ModelAliasEntry takes: what model identifiers hold ([1m] context variants, ollama tags,
# @ version pins), never whitespace.
ALIAS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+\[\]-]{0,252}$")
_WRITING = threading.Lock()


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


def lock_path(url):
    """The advisory lock file of the alias map of the proxy at ``url`` (the same for every process of this host)."""
    digest = hashlib.sha256(url.rstrip("/").encode("utf-8")).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), "llmops-litellm-model-aliases-%s.lock" % digest)


@contextlib.contextmanager
def one_writer(url):
    """Hold every other writer of the alias map of the proxy at ``url`` on this host back: the threads of this
    process, and the processes that can open the lock file (one that cannot, a read-only /tmp, still writes)."""
    with _WRITING:
        try:  # read only, never written, no symbolic link followed: only its lock is used
            descriptor = os.open(lock_path(url), os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644) \
                if fcntl is not None else None
        except (IOError, OSError):
            descriptor = None
        try:
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            if descriptor is not None:
                os.close(descriptor)  # releases the lock


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
