# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How custom resources of the llmops operator write what documents and modules write: field names (camelCase in a
CR spec, snake_case in options), names, and money values.

One rule each, used by the export to custom resources (gateway/manifests.py) and by the operator (extravars,
drift paths, api-wins write-back), which imports this file from the collection it ships in. Which kinds have a
custom resource, and how other resources name them, each kind declares (Resource.cr_kind, cr_ref, cr_alias).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

CR_API_VERSION = "litellm.llmops.dev/v1alpha1"

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def snake(name):
    """``apiKeySecretRef`` -> ``api_key_secret_ref``; ``maxBudgetUSD`` -> ``max_budget_usd``."""
    return _CAMEL.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).replace("-", "_").lower()


def camel(name):
    """``max_budget`` -> ``maxBudget`` (the inverse of ``snake`` for names without acronyms)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_keys(value):
    """A dict with its keys camelCased (the values as they are; a camelCase key stays as it is)."""
    return dict((camel(k), v) for k, v in value.items())


def cr_name(name):
    """A DNS-1123 name for a natural key (lower case, dashes, at most 63 characters)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", str(name).lower()).strip("-") or "object"
    return cleaned[:63].rstrip("-")


def is_money(field):
    """Whether a CR spec field is an amount of money: int-or-string in the CRDs (``maxBudget``, ``budgetLimit``)."""
    return field.endswith("Budget") or field == "budgetLimit"


def cr_value(field, value, current=None):
    """A value as the CRD takes it in spec field ``field``: money is int-or-string (as PalenaAI's ``maxBudget:
    "100"``): a whole number stays a number, anything else becomes its decimal string; a number that the spec
    holds as a string (``current``) stays a string."""
    if isinstance(value, float) and (is_money(field) or isinstance(current, str)):
        return int(value) if value.is_integer() and not isinstance(current, str) else repr(value)
    return value


# Fields of every custom resource that are the operator's, not LiteLLM's.
OPERATOR_FIELDS = ("instanceRef", "deletionPolicy")


class CRRef(object):
    """A spec field naming another custom resource (``teamRef: {name}``; ``teamRefs: [{name}]`` for a list), and
    the document option it becomes (``option``, a dotted path for a nested one): the referenced resource's natural
    name in LiteLLM (``by="name"``, its spec's ``cr_alias`` field or else its metadata name), its LiteLLM id
    (``by="id"``, its ``status.litellmId``, else its natural name where that is its id), or its id once it has one
    and its natural name until then (``by="id_or_name"``, for an option taking either: a user's ``teams``, so that
    a user rides the run that creates its team). ``within``: the spec field that holds the reference (a model's
    ``litellmParams``)."""

    def __init__(self, field, option, target, by="name", within=None, export=True):
        self.field = field
        self.option = option
        self.target = target
        self.by = by
        self.within = within
        self.export = export  # False: an export writes the option's value as it is (budgetId, not budgetRef)

    @property
    def spec_path(self):
        return "%s.%s" % (self.within, self.field) if self.within else self.field


class CRSecret(object):
    """A spec field taking a Secret reference (``apiKeySecretRef: {name, key}``) or a map of them (``secretParams:
    {param: {name, key}}``, ``each=True``) and where its value goes among the document options (``option``, a
    path). Secrets are left out of a document unless the caller hands in their values."""

    def __init__(self, field, option, each=False):
        self.field = field  # a spec path: ``litellmParams.apiKeySecretRef``
        self.option = option  # a tuple, or callable(spec) -> tuple
        self.each = each

    def path(self, spec):
        return tuple(self.option(spec) if callable(self.option) else self.option)


class CRRule(object):
    """A mapping that is not a rename: ``to_options(spec, name, options, origins)`` sets options from the spec
    (``origins``: document path -> spec path) and returns a problem sentence or None; ``to_spec(options, spec)``
    is its inverse for the export (it removes from ``options`` what it took). ``fields``: the spec fields it
    maps (no other rule maps them); ``options``: the document options it writes."""

    def __init__(self, fields, options, to_options, to_spec=None):
        self.fields = tuple(fields)
        self.options = tuple(options)
        self.to_options = to_options
        self.to_spec = to_spec


def same(value):
    return value


class CRMap(object):
    """How a kind's custom resource spec maps to its document options, declared once in the kind's file.

    Every spec field is the option of the same name in snake_case (``maxBudget`` -> ``max_budget``) with its value
    as written, except: ``refs`` (CRRef), ``secrets`` (CRSecret), ``rules`` (CRRule), ``camel_keys`` (dict or
    list-of-dict options whose keys are camelCase in the spec: ``objectPermission.mcpServers``), ``operator``
    (spec fields of the operator only, not LiteLLM's). ``name``: the option holding the natural name, defaulting
    to the resource's metadata name (through ``name_default``, e.g. ``-`` to ``_``) unless ``unless`` is set;
    ``status_id``: the kind's id option is the resource's ``status.litellmId`` unless the spec sets it;
    ``required``: spec paths that must be set; ``singleton``: the kind has one object per proxy, of this name (the
    proxy's settings: ``proxy``), which no spec field names: one custom resource per instance manages it."""

    def __init__(self, name=None, name_default=same, unless=None, status_id=False, refs=(), secrets=(), rules=(),
                 camel_keys=(), operator=(), required=(), singleton=None):
        self.name = name
        self.singleton = singleton
        self.name_default = name_default
        self.unless = unless
        self.status_id = status_id
        self.refs = tuple(refs)
        self.secrets = tuple(secrets)
        self.rules = tuple(rules)
        self.camel_keys = frozenset(camel_keys)
        self.operator = frozenset(OPERATOR_FIELDS + tuple(operator))
        self.required = tuple(required)


def option_keys(value, convert):
    """A dict's keys (or those of each dict of a list) converted one level (``camel``, ``snake``): the rule of a
    CRMap's ``camel_keys`` options (a model's ``litellmParams``: ``mockResponse`` -> ``mock_response``, LiteLLM's
    name), which the operator's playbooks call through the ``llmops.litellm.cr_option_keys`` filter."""
    if isinstance(value, dict):
        return dict((convert(k), v) for k, v in value.items())
    if isinstance(value, list):
        return [option_keys(v, convert) if isinstance(v, dict) else v for v in value]
    return value


def keys_tree(value, convert):
    """Dict keys converted (``camel``, ``snake``), recursively, inside lists too."""
    if isinstance(value, dict):
        return dict((convert(str(k)), keys_tree(v, convert)) for k, v in value.items())
    if isinstance(value, list):
        return [keys_tree(v, convert) for v in value]
    return value


def members_rule(default_role):
    """Members of a team or organization: ``members: [{email | userId, role}]`` with ``memberManagement`` ``crd``
    (the list is the members: the others are removed), ``mixed`` (listed ones added, others kept) or ``sso``
    (members left to LiteLLM's SSO sync)."""

    def to_options(spec, _name, options, origins):
        management = spec.get("memberManagement") or "crd"
        if management not in ("crd", "mixed", "sso"):
            return "spec.memberManagement: %r is not one of crd, mixed, sso" % management
        if spec.get("members") is None or management == "sso":
            return None
        for index, member in enumerate(spec["members"]):
            for field in ("email", "userId"):
                if not isinstance(member, dict) or not isinstance(member.get(field, ""), str):
                    return "spec.members[%d].%s: must be a string" % (index, field)
        members = [dict(user_email=m.get("email"), user_id=m.get("userId"), role=m.get("role") or default_role)
                   for m in spec["members"]]
        emails = [m["user_email"].lower() for m in members if m["user_email"]]
        if len(set(emails)) != len(emails):
            return "spec.members: an email is listed more than once"
        options["members"] = [dict((k, v) for k, v in m.items() if v is not None) for m in members]
        options["purge_members"] = management == "crd"
        origins["members"] = "spec.members"
        return None

    def to_spec(options, spec):
        members = options.pop("members", None)
        purge = options.pop("purge_members", None)
        if members is not None:
            fields = (("email", "user_email"), ("userId", "user_id"), ("role", "role"))
            spec["members"] = [dict((k, m[f]) for k, f in fields if m.get(f) is not None) for m in members]
            if purge is False:
                spec["memberManagement"] = "mixed"

    return CRRule(("members", "memberManagement"), ("members", "purge_members"), to_options, to_spec)


def _monthly(spec, _name, options, origins):
    if spec.get("maxBudgetMonthly") is None:
        return None
    if spec.get("maxBudget") is not None:
        return "spec.maxBudgetMonthly: set either maxBudget or maxBudgetMonthly, not both"
    options["max_budget"] = spec["maxBudgetMonthly"]
    origins["max_budget"] = "spec.maxBudgetMonthly"
    if spec.get("budgetDuration") is None:
        options["budget_duration"] = "1mo"
        origins["budget_duration"] = "spec.maxBudgetMonthly"
    return None


# PalenaAI's maxBudgetMonthly: max_budget per month (budget_duration 1mo unless budgetDuration says otherwise).
MONTHLY_BUDGET = CRRule(("maxBudgetMonthly",), (), _monthly)


def model_budgets(option):
    """A rule for a budget-per-model option (``model_max_budget``: {model name: {maxBudget, budgetDuration, ...}}):
    the models' names as written, their budgets' keys camelCased in the spec and money as int-or-string."""
    field = camel(option)

    def to_options(spec, _name, options, origins):
        budgets = spec.get(field)
        if budgets is None:
            return None
        options[option] = dict((model, dict((snake(k), float(v) if is_money(k) and v is not None else v)
                                            for k, v in (budget or {}).items()))
                               for model, budget in budgets.items())
        origins[option] = "spec." + field
        return None

    def to_spec(options, spec):
        budgets = options.pop(option, None)
        if budgets is not None:
            spec[field] = dict((model, dict((camel(k), cr_value(camel(k), v)) for k, v in budget.items()))
                               for model, budget in budgets.items())

    return CRRule((field,), (option,), to_options, to_spec)


MODEL_BUDGETS = model_budgets("model_max_budget")
