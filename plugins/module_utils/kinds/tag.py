# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tags for tag-based routing: models, budget and limits."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._capabilities import ENTERPRISE_OPTION, Requires
from ansible_collections.llmops.litellm.plugins.module_utils._fields import budget_table_field
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Endpoint,
    Field,
    Names,
    Resource,
)
from ansible_collections.llmops.litellm.plugins.module_utils.kinds.model import MODEL


def tag_body(body, raw):
    """/tag/update sets description and models to what it is sent, empty when left out: send their live values."""
    if raw:
        for name in ("description", "models"):
            body.setdefault(name, raw.get(name))
    return body


TAG = Resource(
    kind="tag",
    plural="tags",
    id_field="name",
    key_field="name",
    fields=[
        Field("name"),
        Field("description"),
        Field("models", "list", elements="str"),
        budget_table_field("max_budget", "float", minimum=0),
        budget_table_field("soft_budget", "float", minimum=0),
        budget_table_field("budget_duration"),
        budget_table_field("tpm_limit", "int", minimum=0),
        budget_table_field("rpm_limit", "int", minimum=0),
        budget_table_field("max_parallel_requests", "int", minimum=0),
        budget_table_field("model_max_budget", "dict", requires=ENTERPRISE_OPTION),
        Field("model_info", "dict", option=False),
        budget_table_field("budget_id", option=False),
        Field("created_by", option=False),
        Field("created_at", option=False),
        Field("updated_at", option=False),
    ],
    create=Endpoint("POST", "/tag/new", unwrap="tag"),
    update=Endpoint("POST", "/tag/update", idempotent=True),
    delete=Endpoint("POST", "/tag/delete", body=lambda name: {"name": name}),
    get=None,
    # /tag/list also lists "dynamic" tags, only seen in requests' metadata: they have no model_info.
    find=Endpoint("GET", "/tag/list", paginated=False, where=lambda tag: "model_info" in tag),
    request_body=tag_body,
    names=[Names(("models",), MODEL, ("model_name", "model_id"))],
    requires=Requires(),
)
