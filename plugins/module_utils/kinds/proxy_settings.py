# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The proxy's settings that LiteLLM keeps in its database and lets the Admin UI change: one per proxy.

Two sections, each a mapping compared key by key (only the keys declared are owned; the others are left alone):

- ``general_settings``: LiteLLM's general settings (alerting, spend-log retention, limits, ...) and the Admin UI's
  settings that LiteLLM 1.106.2 handles with them (``max_ui_session_budget``, ``budget_rollover``, ...). Read from
  /config/list (one call for the keys it lists) and /config/field/info (one call per other declared key), written
  one key at a time with /config/field/update, removed with /config/field/delete.
- ``router_settings``: read from /get/config/callbacks (the router's settings in force), written with
  /config/update, which merges the keys it is sent into the database's row.

LiteLLM reads these rows only when it stores its configuration in the database (``store_model_in_db``); with it off
the writes are accepted and never used, so the kind refuses then. A key set in the proxy's config file cannot be
overridden through the API (LiteLLM refuses it): refused before any write. Secrets are given as ``os.environ/NAME``
references, never as literals (LiteLLM would store and show them in plain text).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Undescribed
from ansible_collections.llmops.litellm.plugins.module_utils._errors import (
    REDACTED,
    LiteLLMError,
    SECRET_NAME,
    ValidationError,
)
from ansible_collections.llmops.litellm.plugins.module_utils._fields import is_env_reference
from ansible_collections.llmops.litellm.plugins.module_utils._router_settings import one_writer

KIND = "proxy_settings"
SECTIONS = ("general_settings", "router_settings")
# LiteLLM's own list of general settings it treats as secrets beyond those whose name says so
# (proxy_server._EXTRA_SECRET_GENERAL_SETTINGS_FIELDS in 1.106.2).
SECRET_SETTINGS = frozenset(["database_url", "database_extra_connection_params", "alert_to_webhook_url"])
STORE_IN_DB = "store_model_in_db"
STORE_REFUSAL = ("proxy_settings needs the proxy setting store_model_in_db: true, which is off on this proxy (LiteLLM "
                 "would store the settings and never read them)")

CONFIG_LIST = ("GET", "/config/list")
FIELD_INFO = ("GET", "/config/field/info")
FIELD_UPDATE = ("POST", "/config/field/update")
FIELD_DELETE = ("POST", "/config/field/delete")
CONFIG_UPDATE = ("POST", "/config/update")
CALLBACKS = ("GET", "/get/config/callbacks")
# every call of the kind: the operator's request log names their routes, which the route test cannot check
UNDESCRIBED = Undescribed((CONFIG_LIST, FIELD_INFO, FIELD_UPDATE, FIELD_DELETE, CONFIG_UPDATE, CALLBACKS),
                          "LiteLLM leaves its /config/* and /get/config/* routes out of /openapi.json (include_in_schema=False)")


def literal_secrets(section, value, path=(), secret=False):
    """The dotted paths of the literal strings in ``value`` that are secrets: under a key whose name says so (or one
    of SECRET_SETTINGS), at any depth; ``os.environ/`` references are not secrets."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            named = SECRET_NAME.search(str(key)) or (section == "general_settings" and not path
                                                     and key in SECRET_SETTINGS)
            found.extend(literal_secrets(section, item, path + (str(key),), secret or bool(named)))
        return found
    if isinstance(value, list):
        return [p for item in value for p in literal_secrets(section, item, path, secret)]
    if secret and isinstance(value, str) and value and not is_env_reference(value):
        return [".".join((section,) + path)]
    return []


def shown(section, key, value):
    """A live value as output may show it: a secret literal (set in the Admin UI) blanked."""
    return REDACTED if value is not None and literal_secrets(section, {key: value}) else value


def validate(params):
    """Refuse, in one sentence, what needs no request to refuse; returns the declared sections."""
    declared = dict((s, params[s]) for s in SECTIONS if params.get(s) is not None)
    if not declared:
        raise ValidationError("set general_settings or router_settings: %s owns only the keys it declares" % KIND)
    for section, value in declared.items():
        literals = literal_secrets(section, value)
        if literals:
            raise ValidationError("%s %s a secret: give it as an os.environ/NAME reference (LiteLLM stores and "
                                  "shows a literal in plain text)" % (", ".join(literals),
                                                                      "is" if len(literals) == 1 else "are"))
    if params["state"] == "absent" and "router_settings" in declared:
        raise ValidationError("router_settings cannot be removed: LiteLLM's /config/update merges the router "
                              "settings it is sent, drops empty values, and no endpoint deletes one; declare the "
                              "value the key must have instead")
    return declared


def same(desired, live):
    """Whether a declared value is the live one (numbers by value: LiteLLM answers 5 as 5.0 for some settings)."""
    if isinstance(desired, (int, float)) and isinstance(live, (int, float)) and not isinstance(desired, bool) \
            and not isinstance(live, bool):
        return float(desired) == float(live)
    return desired == live


class Live(object):
    """One reading of the declared keys: value (None: not set), and where LiteLLM says it comes from."""

    def __init__(self):
        self.values = {}
        self.from_config = set()
        self.stored = set()  # keys set by a write of the API (not defaults, not the config file)


def read_general(client, keys):
    """The live general settings of ``keys`` (a Live)."""
    live = Live()
    listed = dict((f["field_name"], f) for f in client.get(CONFIG_LIST[1], params={"config_type": "general_settings"}))
    for key in keys:
        field = listed.get(key)
        if field is None:
            try:
                field = client.get(FIELD_INFO[1], params={"field_name": key})
            except LiteLLMError as exc:
                if exc.status == 400 and "is not set" in (exc.msg or ""):
                    field = {"field_value": None, "source": "unset"}
                elif exc.status == 400 and "Invalid field" in (exc.msg or ""):
                    raise ValidationError("general_settings.%s is not a general setting this LiteLLM knows "
                                          "(its /config/field/info refuses it)" % key)
                else:
                    raise
        live.values[key] = field.get("field_value")
        if field.get("source") == "config" or field.get("editable") is False:
            live.from_config.add(key)
        elif field.get("source") not in (None, "unset"):
            live.stored.add(key)
    return live


def read_router(client, keys=None):
    """The router settings in force (of ``keys``, if set) (a Live)."""
    live = Live()
    settings = client.get(CALLBACKS[1]).get("router_settings") or {}
    for key in settings if keys is None else keys:
        live.values[key] = settings.get(key)
    return live


def store_in_db(client):
    """Whether the proxy reads its settings from the database (``store_model_in_db``)."""
    listed = dict((f["field_name"], f) for f in client.get(CONFIG_LIST[1], params={"config_type": "general_settings"}))
    return (listed.get(STORE_IN_DB) or {}).get("field_value") is True


def read(client, declared):
    """{section: Live} of the declared keys."""
    found = {}
    if "general_settings" in declared:
        found["general_settings"] = read_general(client, sorted(declared["general_settings"]))
    if "router_settings" in declared:
        found["router_settings"] = read_router(client, sorted(declared["router_settings"]))
    return found


def plan(declared, live, state):
    """{section: {key: (live value, desired value or None to remove)}}: only what differs."""
    changes = {}
    for section, wanted in declared.items():
        for key, value in wanted.items():
            have = live[section].values.get(key)
            if state == "absent":
                if key in live[section].stored or key in live[section].from_config:
                    changes.setdefault(section, {})[key] = (have, None)
            elif not same(value, have):
                changes.setdefault(section, {})[key] = (have, value)
    return changes


def refuse_config_owned(changes, live):
    """Refuse changes to keys the proxy's config file sets (LiteLLM refuses to let the API override them)."""
    owned = sorted("%s.%s" % (section, key) for section, keys in changes.items() for key in keys
                   if key in live[section].from_config)
    if owned:
        raise ValidationError("%s %s set in the proxy's config file, which LiteLLM does not let the API override: "
                              "change it there" % (", ".join(owned), "is" if len(owned) == 1 else "are"))


def apply(client, changes):
    """Send ``changes`` (see plan): general settings one key at a time, router settings in one request (one writer
    of the router settings at a time: _router_settings)."""
    for key, (_have, value) in sorted(changes.get("general_settings", {}).items()):
        if value is None:
            client.post(FIELD_DELETE[1], {"config_type": "general_settings", "field_name": key})
        else:
            client.post(FIELD_UPDATE[1], {"config_type": "general_settings", "field_name": key, "field_value": value})
    router = dict((key, value) for key, (_have, value) in changes.get("router_settings", {}).items())
    if router:
        with one_writer(client.url):
            client.post(CONFIG_UPDATE[1], {"router_settings": router})


def view(declared, live, changes=None):
    """The declared keys as they are (or, with ``changes``, as they will be), by section."""
    found = {}
    for section, wanted in declared.items():
        values = dict((key, shown(section, key, live[section].values.get(key))) for key in wanted)
        for key, (_have, value) in (changes or {}).get(section, {}).items():
            values[key] = value
        found[section] = values
    return found


def change_list(changes):
    """[{path, live, desired}] of ``changes`` (see plan), sorted: the shape of the gateway engine's changes."""
    return [dict(path="%s.%s" % (section, key), live=shown(section, key, have), desired=value)
            for section in SECTIONS for key, (have, value) in sorted(changes.get(section, {}).items())]


def read_all(client):
    """Every general setting /config/list shows as set (with where it comes from) and every router setting in force,
    secrets blanked: what proxy_settings_info returns."""
    general, sources = {}, {}
    for field in client.get(CONFIG_LIST[1], params={"config_type": "general_settings"}):
        if field.get("source") not in (None, "unset"):
            general[field["field_name"]] = shown("general_settings", field["field_name"], field.get("field_value"))
            sources[field["field_name"]] = field["source"]
    router = read_router(client).values
    return dict(general_settings=general, general_settings_sources=sources,
                router_settings=dict((key, shown("router_settings", key, value)) for key, value in router.items()))


# In a gateway_state document: a list (documents merge kind by kind) of entries holding the two sections; the
# entries of several files are merged key by key, and a key declared twice must have one value.
PLURAL = "proxy_settings"


def from_document(document):
    """(the document without ``proxy_settings``, the declared sections or None), refused as the module refuses."""
    entries = document.get(PLURAL)
    rest = dict((k, v) for k, v in document.items() if k != PLURAL)
    declared = {}
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict) or set(entry) - set(SECTIONS):
            raise ValidationError("%s[%d]: an entry holds only general_settings and router_settings" % (PLURAL, index))
        for section in SECTIONS:
            for key, value in (entry.get(section) or {}).items():
                have = declared.setdefault(section, {})
                if key in have and have[key] != value:
                    raise ValidationError("%s[%d]: %s.%s is declared twice with different values" % (
                        PLURAL, index, section, key))
                have[key] = value
    if not declared:
        return rest, None
    validate(dict(general_settings=declared.get("general_settings"), router_settings=declared.get("router_settings"),
                  state="present"))
    return rest, declared


NAME = "proxy"  # how the gateway engine's reports name the proxy's one set of settings


def report(changes, status=None):
    """The gateway engine's change entry of the proxy's settings."""
    entry = dict(kind=KIND, name=NAME, action="update", changes=change_list(changes))
    if status:
        entry["status"] = status
    return entry


def export(client):
    """The general settings LiteLLM's database holds, as a document's ``proxy_settings`` (the router settings are
    left out: LiteLLM shows only those in force, its defaults included)."""
    found = read_all(client)
    general = dict((k, v) for k, v in found["general_settings"].items()
                   if found["general_settings_sources"].get(k) == "db")
    return [dict(general_settings=general)] if general else []


class SettingsKind(object):
    """The proxy's settings as the custom-resource table (gateway/custom_resources.py) sees a kind. They are no
    Resource (the gateway engine plans them apart, see from_document): one object per proxy, named NAME, whose
    options are the two sections. Custom resource LiteLLMProxySettings, one per LiteLLMInstance: ``generalSettings``
    and ``routerSettings`` hold LiteLLM's keys as LiteLLM names them (snake_case, not camelCased), compared key by
    key like the module's options."""

    kind = plural = KIND
    cr_kind = "LiteLLMProxySettings"
    cr_ref = cr_alias = key_field = id_field = key_filters = None
    fields = options = references = cascaded_by = ()
    by_name = {}
    document_options = {}
    cr_map = CRMap(name_default=None, singleton=NAME)

    @staticmethod
    def argument_spec():
        return dict((section, dict(type="dict")) for section in SECTIONS)


PROXY_SETTINGS = SettingsKind()
