# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Model discovery: an OpenAI-compatible provider's models (``GET {api_base}/models``), filtered and named, as model
objects of the gateway document; the model kind's planner and executor declare them (see the model_discovery
module). Pure functions but ``list_provider``.

The semantics follow the ackstorm operator's ModelDiscovery: include patterns first (a non-empty include list that
matches nothing is an error), then exclude patterns; both regular expressions anchored at the start of the provider's
model id; ``litellm_params.model`` is ``<litellm_provider>/<id>``; the provider key used to list is never given to the
models; a name that a model of someone else already holds is skipped, not taken over.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import string

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client
from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError, ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import get_path
from ansible_collections.llmops.litellm.plugins.module_utils.gateway.document import OWNER_KEY

# The marker a discovery writes into the model_info of the models it declares (the gateway engine's owner marker).
OWNER_FORMAT = "model_discovery/%s"
PLACEHOLDERS = ("prefix", "id", "provider")
DEFAULT_TEMPLATE = "{prefix}.{id}"
# The provider's route (OpenAI's API), not LiteLLM's: the route test of LiteLLM's calls does not hold it.
PROVIDER_MODELS = "/models"


def selection_spec():
    """The options that list, choose and name the models (model_discovery and model_discovery_info)."""
    return dict(
        name=dict(type="str", required=True),
        api_base=dict(type="str"),
        provider_api_key=dict(type="str", no_log=True),
        litellm_provider=dict(type="str", default="openai"),
        prefix=dict(type="str"),
        name_template=dict(type="str", default=DEFAULT_TEMPLATE),
        include=dict(type="list", elements="str", default=[]),
        exclude=dict(type="list", elements="str", default=[]),
        litellm_params=dict(type="dict"),
        model_info=dict(type="dict"),
    )


def owner_of(name):
    return OWNER_FORMAT % name


def compile_patterns(option, patterns):
    """The patterns of ``option`` compiled, or one sentence naming the bad one."""
    compiled = []
    for index, pattern in enumerate(patterns or []):
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ValidationError("%s[%d]: '%s' is not a valid regular expression (%s)" % (option, index, pattern, exc))
    return compiled


def check_template(template):
    """Refuse a name template with a placeholder other than {prefix}, {id} and {provider}, or without {id}."""
    try:
        fields = [f for _text, f, _spec, _conv in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ValidationError("name_template: '%s' is not a valid template (%s)" % (template, exc))
    unknown = sorted(set(fields) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError("name_template: unknown placeholder {%s} (known: {prefix}, {id}, {provider})"
                              % unknown[0])
    if "id" not in fields:
        raise ValidationError("name_template: '%s' must contain {id}, or every discovered model gets one name"
                              % template)


def select(ids, include, exclude):
    """The provider's ids kept by the filters, in the provider's order: include first (any pattern, anchored at the
    start), then exclude. A non-empty include that keeps nothing is an error (the provider does not list what the
    discovery expects)."""
    include, exclude = compile_patterns("include", include), compile_patterns("exclude", exclude)
    kept = [i for i in ids if not include or any(p.match(i) for p in include)]
    if include and not kept:
        raise ValidationError("include: no model the provider lists matches %s (it lists %d: %s)" % (
            ", ".join("'%s'" % p.pattern for p in include), len(ids), ", ".join(ids[:10]) or "none"))
    return [i for i in kept if not any(p.match(i) for p in exclude)]


def model_name(template, prefix, provider, model_id):
    return template.format(prefix=prefix, id=model_id, provider=provider)


def model_objects(ids, params):
    """The model objects (the model module's options) for the kept ``ids``: ``litellm_params`` of the discovery with
    ``model`` set to ``<litellm_provider>/<id>`` and ``api_base`` defaulting to the provider's; ``model_info`` and
    the models' own provider key as given."""
    provider = params["litellm_provider"]
    prefix = provider if params.get("prefix") is None else params["prefix"]
    template = params.get("name_template") or DEFAULT_TEMPLATE
    objects = []
    for model_id in ids:
        litellm_params = dict(params.get("litellm_params") or {})
        litellm_params.setdefault("api_base", params["api_base"])
        litellm_params["model"] = "%s/%s" % (provider, model_id)
        obj = dict(model_name=model_name(template, prefix, provider, model_id), litellm_params=litellm_params)
        if params.get("model_info"):
            obj["model_info"] = dict(params["model_info"])
        if params.get("model_provider_api_key") is not None:
            obj["provider_api_key"] = params["model_provider_api_key"]
        objects.append(obj)
    return objects


def split_taken(objects, live_models, owner):
    """(objects to declare, skipped): a discovered model whose name and provider model a live model already has
    without this discovery's marker is skipped, reason ``ExplicitModelExists`` (a model of someone else) or
    ``Conflict`` (another discovery's, named in ``owned_by``), never taken over."""
    holders = {}
    for raw in live_models:
        key = (raw.get("model_name"), get_path(raw, ("litellm_params", "model")))
        holders.setdefault(key, []).append(get_path(raw, ("model_info", OWNER_KEY)))
    keep, skipped = [], []
    for obj in objects:
        others = [o for o in holders.get((obj["model_name"], obj["litellm_params"]["model"]), []) if o != owner]
        if not others:
            keep.append(obj)
            continue
        theirs = next((o for o in others if isinstance(o, str) and o.startswith(OWNER_FORMAT % "")), None)
        entry = dict(name=obj["model_name"], model=obj["litellm_params"]["model"],
                     reason="Conflict" if theirs else "ExplicitModelExists")
        if theirs:
            entry["owned_by"] = theirs[len(OWNER_FORMAT % ""):]
        skipped.append(entry)
    return keep, skipped


def list_provider(api_base, api_key, timeout=30, validate_certs=True, ca_path=None):
    """The model ids of ``GET {api_base}/models`` (OpenAI's list format), in the provider's order. The key is sent
    as a Bearer token, and only there."""
    client = Client(api_base, api_key or None, timeout=timeout, validate_certs=validate_certs, ca_path=ca_path,
                    logged=False)
    try:
        answer = client.get(PROVIDER_MODELS)
    except LiteLLMError as exc:
        raise LiteLLMError("cannot list the models of the provider at %s: %s" % (
            api_base, exc.msg.replace("cannot reach LiteLLM at", "cannot reach")), status=exc.status)
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in data):
        raise LiteLLMError("the provider at %s/models did not answer with OpenAI's model list ({\"data\": [{\"id\": "
                           "...}]})" % api_base.rstrip("/"))
    ids = []
    for entry in data:
        if entry["id"] not in ids:
            ids.append(entry["id"])
    return ids


def validate(params):
    """Every check of the options that needs no request, before the provider is listed."""
    check_template(params.get("name_template") or DEFAULT_TEMPLATE)
    compile_patterns("include", params.get("include"))
    compile_patterns("exclude", params.get("exclude"))


def discover(params, step):
    """(the provider's ids the filters keep, their model objects); ``step(what)`` names what is being done."""
    step("list the models of the provider of")
    ids = list_provider(params["api_base"], params.get("provider_api_key"), params["timeout"],
                        params["validate_certs"], params["ca_path"])
    step("select the models of")
    ids = select(ids, params.get("include"), params.get("exclude"))
    return ids, model_objects(ids, params)


def summary(ids, objects):
    """The ``discovered`` result: the provider's id, the model name and the provider model of each model."""
    return [dict(id=i, model_name=o["model_name"], model=o["litellm_params"]["model"]) for i, o in zip(ids, objects)]
