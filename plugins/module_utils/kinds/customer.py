# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Customers (end users): budget and limits of their own, or a shared budget by id."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._custom_resources import CRMap, CRRef
from ansible_collections.llmops.litellm.plugins.module_utils._fields import budget_table_field
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Cascade,
    Endpoint,
    Field,
    Names,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.budget import BUDGET


CUSTOMER_BUDGET = ("max_budget", "budget_duration", "tpm_limit", "rpm_limit")


def _customer_update(client, resource, changes, raw):
    """/customer/update changes every option but the limits other than max_budget, which live in the customer's
    budget: those are written to that budget, or to a new budget that is then linked to the customer."""
    limits = dict((k, v) for k, v in changes.items() if k in CUSTOMER_BUDGET)
    rest = dict((k, v) for k, v in changes.items() if k not in CUSTOMER_BUDGET)
    if limits and raw.get("budget_id"):
        client.post("/budget/update", dict(limits, budget_id=raw["budget_id"]), idempotent=True)
    elif limits:
        rest["budget_id"] = client.post("/budget/new", limits)["budget_id"]
    if rest:
        client.post(resource.update.path, resource.payload(rest, raw), idempotent=True)


def _customer_export(options, view):
    """A customer with a budget of its own exports its limits with that budget, not with the customer."""
    if view.get("budget_id"):
        for name in CUSTOMER_BUDGET:
            options.pop(name, None)


CUSTOMER = Resource(
    kind="customer",
    plural="customers",
    id_field="user_id",
    key_field="user_id",
    fields=[
        Field("user_id"),
        Field("alias"),
        Field("blocked", "bool"),
        Field("budget_id"),
        budget_table_field("max_budget", "float", minimum=0),
        budget_table_field("budget_duration"),
        budget_table_field("tpm_limit", "int", minimum=0),
        budget_table_field("rpm_limit", "int", minimum=0),
        Field("allowed_model_region", choices=("eu", "us")),
        Field("default_model"),
        Field("models", "list", elements="str"),
        Field("spend", "float", option=False),
    ],
    create=Endpoint("POST", "/customer/new"),
    update=Endpoint("POST", "/customer/update", idempotent=True),
    delete=Endpoint("POST", "/customer/delete", body=lambda user_id: {"user_ids": [user_id]}),
    get=Endpoint("GET", "/customer/info", param="end_user_id"),
    find=Endpoint("GET", "/customer/list", paginated=False),
    update_with=_customer_update,
    named_parents=[(BUDGET, ("budget_id",))],
    # /budget/delete leaves the customers of the budget without it (their foreign key is ON DELETE SET NULL)
    cascaded_by=[Cascade(BUDGET, ("budget_id",), "left without its budget: LiteLLM unsets its budget_id")],
    names=[Names(("budget_id",), BUDGET, ("budget_id",))],
    mutually_exclusive=[("budget_id", limit) for limit in CUSTOMER_BUDGET],
    export_options=_customer_export,
    cr_map=CRMap(name="user_id", refs=[CRRef("budgetRef", "budget_id", BUDGET, export=False)]),
    cr_kind="LiteLLMCustomer",
)
