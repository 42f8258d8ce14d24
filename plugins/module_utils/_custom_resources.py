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
