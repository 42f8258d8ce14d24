# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a proxy offers: the API calls its OpenAPI description lists, its licence, its LiteLLM version, and the
Requires of a kind.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError, UnsupportedError


def _template(path):
    """A path with every ``{parameter}`` written ``{}``, so that ``/key/{id}/x`` matches ``/key/{key}/x``."""
    return re.sub(r"\{[^{}]*\}", "{}", path)


# A path every complete OpenAPI description of a LiteLLM proxy lists. A description without it is LiteLLM's
# filtered one (DOCS_FILTERED lists only the OpenAI routes) and says nothing about the management API.
OPENAPI_SENTINEL = "/key/generate"
# Where a proxy serves its OpenAPI description.
OPENAPI_PATH = "/openapi.json"


def missing_calls(openapi, calls):
    """The ``METHOD path`` calls that an OpenAPI description lacks; None when it cannot tell (not a complete
    description of a LiteLLM proxy). ``calls`` are (method or None, path) pairs."""
    paths = openapi.get("paths") if isinstance(openapi, dict) else None
    if not isinstance(paths, dict) or OPENAPI_SENTINEL not in paths:
        return None
    offered = {}
    for path, operations in paths.items():
        offered.setdefault(_template(path), set()).update(m.upper() for m in (operations or {}))
    return ["%s %s" % (method, path) if method else path for method, path in calls
            if _template(path) not in offered or (method and method.upper() not in offered[_template(path)])]


# The calls the collection makes outside its kinds' Endpoints, Members, Links and Requires: the engine's licence
# and version reads and the reads and writes of a kind's hooks (guardrail and MCP server preflights, team and organization
# hydration, a customer's budget). /openapi.json itself is left out: no description lists its own address.
OTHER_CALLS = (
    ("GET", "/health/license"),
    ("GET", "/health/readiness/details"),
    ("GET", "/.well-known/litellm-ui-config"),
    ("GET", "/guardrails/ui/add_guardrail_settings"),
    ("GET", "/guardrails/ui/provider_specific_params"),
    ("GET", "/budget/list"),
    ("POST", "/budget/new"),
    ("POST", "/budget/update"),
    ("GET", "/user/list"),
    ("GET", "/organization/info"),
    # a policy's versions and attachments (kinds/policy.py)
    ("PUT", "/policies/{id}/status"),
    ("GET", "/policies/attachments/list"),
    ("POST", "/policies/attachments"),
    ("DELETE", "/policies/attachments/{id}"),
    # a prompt's version number, which its list leaves out (kinds/prompt.py)
    ("GET", "/prompts/{id}"),
)


class Undescribed(object):
    """Calls the collection makes that LiteLLM leaves out of its OpenAPI description, and why (``reason``): a
    kind's file declares them instead of its Endpoints (proxy_settings' /config/* calls). The route test cannot
    check them against /openapi.json, so it checks that each is still left out of it (a call LiteLLM starts
    describing moves to the checked ones); the operator's request log keeps their words (``route_words``)."""

    def __init__(self, calls, reason):
        self.calls = tuple(calls)  # (method, path) pairs
        self.reason = reason


def collection_calls(declared):
    """Every (method or None, path) the collection calls that LiteLLM's OpenAPI description lists, sorted by path:
    the Endpoints, Members and Links of the Resources in ``declared``, the paths of the Requires in it (also those
    of a Resource and of its fields), and OTHER_CALLS. The Undescribed in it are left out (``undescribed_calls``)."""
    calls = set(OTHER_CALLS)
    for item in declared:
        if isinstance(item, Undescribed):
            continue
        if isinstance(item, Requires):
            calls.update(item.calls())
            continue
        endpoints = [item.create, item.update, item.delete, item.get, item.find]
        if item.members:
            endpoints += [item.members.add, item.members.update, item.members.delete]
        for link in item.links:
            endpoints += [link.join, link.leave]
        calls.update(("POST", e) if isinstance(e, str) else (e.method, e.path) for e in endpoints if e is not None)
        calls.update(c for requires in [item.requires] + [f.requires for f in item.fields]
                     if requires is not None and requires.paths for c in requires.calls())
    return sorted(calls, key=lambda call: (call[1], call[0] or ""))


def undescribed_calls(declared):
    """Every (method, path) of the Undescribed in ``declared``, sorted by path: calls LiteLLM makes but does not
    describe."""
    return sorted(set(call for item in declared if isinstance(item, Undescribed) for call in item.calls),
                  key=lambda call: (call[1], call[0]))


def route_words(calls):
    """The words of the paths of ``calls`` (every segment but the ``{parameters}``), and of OPENAPI_PATH."""
    return frozenset(segment for _method, path in list(calls) + [(None, OPENAPI_PATH)]
                     for segment in path.split("/") if segment and not segment.startswith("{"))


def route_missing(body):
    """Whether an error answer is the web framework's own: no such route (404) or method (405) on this proxy."""
    return body in ({"detail": "Not Found"}, {"detail": "Method Not Allowed"})


def litellm_version(answer):
    """The LiteLLM version a proxy reports (/health/readiness/details: ``litellm_version``; its OpenAPI description:
    ``info.version``), None when it does not."""
    if not isinstance(answer, dict):
        return None
    version = answer.get("litellm_version") or (answer.get("info") or {}).get("version")
    return version if isinstance(version, str) and re.match(r"^\d+\.\d+\.\d+", version) else None


def older_than(version, first):
    """Whether LiteLLM ``version`` ("1.106.2", "1.108.0.post1", "1.110.0-rc.1") comes before release ``first``."""
    def release(text):
        return tuple(int(part) for part in re.match(r"^(\d+)\.(\d+)\.(\d+)", text).groups())
    return release(version) < release(first)


def licence_type(answer):
    """The licence LiteLLM reports at /health/license (``enterprise`` or ``community``), None when it does not."""
    return answer.get("license_type") if isinstance(answer, dict) else None


class Requires(object):
    """What a proxy must offer for a module to manage a kind (or to do one action), found out by asking the proxy.

    ``paths``: the API calls needed, ``"PATCH /model/{id}/update"`` or ``"/model/new"``; None means every endpoint
    of the Resource (an info module needs only its reads). The engine checks them against the proxy's
    /openapi.json (at most once per module run) when they matter: before check mode predicts a write, and when
    LiteLLM answers that a route does not exist; a proxy that serves no complete description is not
    second-guessed. ``enterprise``: needs a LiteLLM Enterprise licence (asked at /health/license before anything
    else, and LiteLLM's refusals that name Enterprise are explained the same way). ``settings``: proxy settings
    that must be on (``store_model_in_db``); LiteLLM reports them reliably only when refusing a write, so an error
    naming one is explained as the setting being off. ``since``: the first LiteLLM release that has it (a request
    field an older LiteLLM silently drops), asked with the licence, before anything is written, from the version the
    proxy reports; a proxy that reports none is not second-guessed. ``what``: how messages name what needs it
    (default: the kind).
    """

    def __init__(self, paths=None, enterprise=False, settings=(), since=None, what=None):
        self.paths = None if paths is None else tuple(paths)
        self.enterprise = enterprise
        self.settings = tuple(settings)
        self.since = since
        self.what = what

    def calls(self, resource=None, read_only=False):
        """(method or None, path) pairs: the given paths, else the endpoints of ``resource``."""
        if self.paths is not None:
            return [tuple(p.split(" ", 1)) if " " in p else (None, p) for p in self.paths]
        endpoints = (resource.get, resource.find) if read_only else (
            resource.create, resource.update, resource.delete, resource.get, resource.find)
        return [(e.method, e.path) for e in endpoints if e is not None]

    def explain(self, what, msg, status):
        """LiteLLM's refusal restated as the one missing capability, or None when it is about something else."""
        if self.enterprise and "enterprise" in (msg or "").lower():
            return "%s needs a LiteLLM Enterprise licence (%s)" % (what, msg)
        for setting in self.settings:
            if setting.lower() in (msg or "").lower():
                return "%s needs the proxy setting %s: true, which is off on this proxy (%s)" % (what, setting, msg)
        return None


# An option LiteLLM keeps for Enterprise users (its LiteLLM_ManagementEndpoint_MetadataFields_Premium: a team's or
# key's tags, guardrails, ...). LiteLLM refuses only a value that is set: an empty one is no request for it.
ENTERPRISE_OPTION = Requires(paths=(), enterprise=True)


def since(version, enterprise=False):
    """An option (or a key of a dict option) that LiteLLM ``version`` added: older ones accept the request and drop
    it without a word (1.106.2 creates a team without its ``require_trace_id``), so it is refused there before any
    write."""
    return Requires(paths=(), enterprise=enterprise, since=version)


# How LiteLLM words a refusal for want of a licence: "only available for LiteLLM Enterprise users", "You must be a
# LiteLLM Enterprise user", "... is an enterprise feature".
_LICENCE_REFUSAL = re.compile(r"(?i)litellm enterprise|enterprise (?:user|feature|licen[cs]e)")


def licence_refusal(what, msg):
    """LiteLLM's refusal of an Enterprise-only feature, whichever kind or option it names, as the licence sentence
    (``what needs a LiteLLM Enterprise licence (...)``); None when ``msg`` is about something else. Options the
    kinds declare Enterprise-only are refused before any write; this covers what LiteLLM adds to its list later."""
    if msg and _LICENCE_REFUSAL.search(msg):
        return "%s needs a LiteLLM Enterprise licence (%s)" % (what, msg)
    return None


def unsupported(client, requires, what, resource=None, read_only=False, paths=True, licence=True):
    """Why this proxy cannot do what ``requires`` names, in one sentence, as the proxy itself tells; None when it
    can (or does not say). Reads /openapi.json (``paths``), /health/license and the version (``licence``: what is
    asked at once) at most once per client."""
    calls = requires.calls(resource, read_only) if paths else None
    if calls:
        try:
            missing = missing_calls(client.get_kept(OPENAPI_PATH), calls)
        except LiteLLMError:
            missing = None  # no description served (NO_OPENAPI, another OPENAPI_URL): nothing to go by
        if missing:
            return "%s needs %s of the LiteLLM API, which this proxy does not offer (its /openapi.json lacks %s)" % (
                what, ", ".join(missing), "it" if len(missing) == 1 else "them")
    if requires.since and licence:
        version, where = proxy_version(client)
        if version and older_than(version, requires.since):
            return "%s needs LiteLLM %s or newer, which this proxy is not (it reports version %s at %s)" % (
                what, requires.since, version, where)
    if requires.enterprise and licence:
        try:
            licence = licence_type(client.get_kept("/health/license"))
        except LiteLLMError:
            licence = None
        if licence and licence != "enterprise":
            return "%s needs a LiteLLM Enterprise licence (this proxy reports licence type '%s' at /health/license)" % (
                what, licence)
    return None


def proxy_version(client):
    """(the LiteLLM version the proxy reports, where), (None, None) when it reports none; asked at most once per
    client: /health/readiness/details (any valid key), else the version of its /openapi.json."""
    for where in ("/health/readiness/details", OPENAPI_PATH):
        try:
            version = litellm_version(client.get_kept(where))
        except LiteLLMError:
            continue
        if version:
            return version, where
    return None, None


def object_requirements(resource, desired):
    """(Requires, what) that managing an object of ``resource`` with the options ``desired`` holds the proxy to: the
    kind's own, those of the options set (a tag's ``model_max_budget``) and of the keys set in a dict option (a
    model's ``litellm_params.rpd``). The modules and the gateway engine both ask it."""
    found = [(resource.requires, resource.requires.what or resource.kind)] if resource.requires else []
    of_kind = "of %s %s" % ("an" if resource.kind[0] in "aeiou" else "a", resource.kind)
    for name in sorted(n for n in desired if desired[n] not in (None, "", [], {})):
        field = resource.by_name[name]
        if field.requires:
            found.append((field.requires, field.requires.what or "%s %s" % (name, of_kind)))
        keys = desired[name] if isinstance(desired[name], dict) else {}
        for key in sorted(k for k in keys if k in field.key_requires and keys[k] not in (None, "", [], {})):
            requires = field.key_requires[key]
            found.append((requires, requires.what or "%s.%s %s" % (name, key, of_kind)))
    return found


def refusal_reason(exc):
    """What to tell of a failed call no declared requirement explains: LiteLLM's licence refusals in the licence
    sentence (whatever option LiteLLM holds for Enterprise), else its own message. Modules and the gateway engine
    both say it this way."""
    if isinstance(exc, UnsupportedError):  # already the sentence
        return exc.msg
    return licence_refusal("this", exc.msg) or exc.msg
