# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fallbacks (``/fallback``): the models the router tries, in order, when a model's call fails; one object per model
with its general, context-window and content-policy fallbacks, read from the router settings."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import Requires
from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap
from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._router_settings import one_writer
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Names,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL


# (option, LiteLLM's fallback_type, the router setting that holds its rules)
FALLBACK_TYPES = (
    ("fallback_models", "general", "fallbacks"),
    ("context_window_fallback_models", "context_window", "context_window_fallbacks"),
    ("content_policy_fallback_models", "content_policy", "content_policy_fallbacks"),
)
OPTIONS = tuple(option for option, _type, _setting in FALLBACK_TYPES)


def _fallbacks(answer):
    """Every model's fallbacks from GET /router/settings (``current_values``), one object per model, as the router
    uses them: the first rule that names a model wins (LiteLLM's get_fallback_model_group, and POST /fallback
    changes that one)."""
    values = (answer or {}).get("current_values") or {}
    found = {}
    for option, _type, setting in FALLBACK_TYPES:
        for rule in values.get(setting) or []:
            for model, fallbacks in (rule.items() if isinstance(rule, dict) else []):
                if isinstance(fallbacks, list) and option not in found.setdefault(model, {"model": model}):
                    found[model][option] = fallbacks
    return [found[model] for model in sorted(found)]


def _own_fallback(desired):
    """LiteLLM refuses a model that falls back to itself, and a list naming a model twice tries it twice."""
    for option in OPTIONS:
        models = desired.get(option) or []
        if desired.get("model") in models:
            return "%s must not name the model itself ('%s'): LiteLLM refuses a model that is its own fallback" % (
                option, desired["model"])
        twice = sorted(set(m for m in models if models.count(m) > 1))
        if twice:
            return "%s lists %s more than once" % (option, ", ".join("'%s'" % m for m in twice))
    return None


def _deletable(model, what):
    """DELETE /fallback/{model} cannot name a model with '/' (the router matches one path segment)."""
    if "/" in model:
        raise ValidationError("cannot %s of model '%s': LiteLLM's DELETE /fallback/{model} cannot name a model with "
                              "'/' in 1.106.2 (the route matches one path segment)" % (what, model))


def _send(client, model, changes):
    """POST /fallback for each fallback type set non-empty, DELETE /fallback/{model} for each one emptied; every
    request is checked before the first is sent. LiteLLM writes the router settings back whole on each: one writer
    at a time (_router_settings)."""
    calls = []
    for option, fallback_type, _setting in FALLBACK_TYPES:
        if option not in changes:
            continue
        if changes[option]:
            calls.append(("POST", "/fallback", dict(model=model, fallback_models=changes[option],
                                                    fallback_type=fallback_type), None))
        else:
            _deletable(model, "remove the %s fallbacks" % fallback_type)
            calls.append(("DELETE", "/fallback/%s" % model, None, dict(fallback_type=fallback_type)))
    for method, path, body, params in calls:
        with one_writer(client.url):
            client.request(method, path, params=params, body=body, idempotent=True)


def _create(client, resource, body):
    if not any(body.get(option) for option in OPTIONS):
        raise ValidationError("one of %s is required to create a fallback of model '%s'" % (
            ", ".join(OPTIONS), body["model"]))
    _send(client, body["model"], body)
    return body["model"]


def _update(client, resource, changes, raw):
    _send(client, raw["model"], changes)


def _delete(client, resource, raw):
    _send(client, raw["model"], dict((option, []) for option in OPTIONS if raw.get(option)))


FALLBACK = Resource(
    kind="fallback",
    plural="fallbacks",
    id_field="model",
    key_field="model",
    fields=[
        Field("model"),
        Field("fallback_models", "list", elements="str", ordered=True),
        Field("context_window_fallback_models", "list", elements="str", ordered=True),
        Field("content_policy_fallback_models", "list", elements="str", ordered=True),
    ],
    create=Endpoint("POST", "/fallback", idempotent=True),
    update=Endpoint("POST", "/fallback", idempotent=True),
    delete=Endpoint("DELETE", "/fallback/{id}", idempotent=True),
    get=None,  # GET /fallback/{model} reads one type from the router in memory: the router settings have all three
    find=Endpoint("GET", "/router/settings", items=_fallbacks, paginated=False),
    create_with=_create,
    update_with=_update,
    delete_with=_delete,
    requires=Requires(settings=("store_model_in_db",)),
    rules=[_own_fallback],
    names=[Names((option,), MODEL, ("model_name",)) for option in ("model",) + OPTIONS],
    named_parents=[(MODEL, ("model",))],
    # playbooks/operator/fallback.yml: the model is the natural key and LiteLLM's id; the three lists as written
    cr_map=CRMap(name="model", name_default=None, required=("model",)),
    cr_kind="LiteLLMFallback",
)
