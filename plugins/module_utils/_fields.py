# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fields more than one kind uses: dicts LiteLLM merges or masks, secrets it masks, and its own metadata keys.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.llmops.litellm.plugins.module_utils._errors import ValidationError
from ansible_collections.llmops.litellm.plugins.module_utils._spec import (
    Field,
    get_path,
    prune,
)


# Keys LiteLLM stores in a team's metadata on behalf of other request fields (LiteLLM_ManagementEndpoint_
# MetadataFields and ..._Premium in litellm/proxy/_types.py), plus the server-owned team_member_budget_id and a
# team's require_trace_id (LiteLLM 1.108+).
# The metadata option never shows them, and writing metadata keeps their live values.
LITELLM_METADATA_KEYS = (
    "model_rpm_limit", "model_tpm_limit", "model_itpm_limit", "model_otpm_limit", "default_estimated_output_tokens",
    "default_estimated_output_tokens_per_model", "mcp_rpm_limit", "tag_rpm_limit", "rpm_limit_type",
    "tpm_limit_type", "enforced_params", "temp_budget_increase", "temp_budget_expiry",
    "allowed_vector_store_indexes", "enforced_batch_output_expires_after", "enforced_file_expires_after",
    "throttle_on_budget_exceeded", "enable_prompt_caching", "end_user_budget_id",
    "disable_global_guardrails", "guardrails", "policies", "tags", "team_member_key_duration", "prompts",
    "logging", "secret_manager_settings", "allowed_passthrough_routes", "denied_passthrough_routes",
    "team_member_budget_id", "require_trace_id",
)


def budget_table_field(name, *args, **kwargs):
    """An option kept in the object's budget (``litellm_budget_table``), under ``key`` (default: the same name)."""
    return Field(name, *args, path=("litellm_budget_table", kwargs.pop("key", name)), **kwargs)


# LiteLLM 1.106.2 masks, in every answer, a string stored under a key whose name contains one of these words
# (get_masked_values in litellm/litellm_core_utils/litellm_logging.py): first two and last two characters around
# four asterisks, or five asterisks for four characters or fewer.
LITELLM_MASKED_WORDS = ("authorization", "token", "key", "secret", "vertex_credentials", "credentials", "password",
                        "passwd")
ENV_REFERENCE = "os.environ/"


def litellm_masks(key):
    """Whether LiteLLM masks string values stored under ``key`` in its answers."""
    return any(word in key.lower() for word in LITELLM_MASKED_WORDS)


def litellm_mask(value):
    """A string as LiteLLM shows it under a masked key."""
    return "*****" if len(value) <= 4 else value[:2] + "****" + value[-2:]


def is_env_reference(value):
    """``os.environ/NAME``: LiteLLM reads the value from its own environment; the reference itself is no secret."""
    return isinstance(value, str) and value.startswith(ENV_REFERENCE)


class MaskedSecret(Field):
    """A string secret LiteLLM returns masked: a literal value is write-only; an ``os.environ/NAME`` reference is
    not a secret and is compared in the masked form LiteLLM returns (first and last two characters)."""

    has_secrets = True

    def public(self, value):
        return value if is_env_reference(value) else None

    def secret(self, value):
        return None if is_env_reference(value) else value

    def differs(self, desired, live):
        return litellm_mask(desired) != live

    def merged(self, live, desired):
        return litellm_mask(desired)


class PartialDict(Field):
    """A dict LiteLLM fills with many keys of its own (a guardrail's litellm_params): only the keys the user sets
    are compared and sent; the others keep their values. Keys LiteLLM masks accept only ``os.environ/``
    references here (compared masked); literal secrets belong in a write-only option."""

    def __init__(self, name, path, keep_keys, secrets_option):
        super(PartialDict, self).__init__(name, "dict", path=path, keep_keys=keep_keys)
        self.secrets_option = secrets_option

    def validate(self, value):
        super(PartialDict, self).validate(value)
        for key, item in value.items():
            if litellm_masks(key) and isinstance(item, str) and item and not is_env_reference(item):
                raise ValidationError("%s.%s holds a secret, which LiteLLM never returns: set it in %s (write-only, "
                                      "never logged) or as an %sNAME reference" % (
                                          self.name, key, self.secrets_option, ENV_REFERENCE))

    @staticmethod
    def _item(key, value):
        if isinstance(value, str) and value and litellm_masks(key):
            return litellm_mask(value)
        return prune(value)

    def differs(self, desired, live):
        live = live or {}
        return any(self._item(k, v) != live.get(k) for k, v in desired.items())

    def merged(self, live, desired):
        merged = dict(live or {})
        merged.update((k, self._item(k, v)) for k, v in desired.items())
        return prune(merged) or None

    def write(self, value, raw):
        return value


class ListOrString(Field):
    """A list option LiteLLM may store as one string (a guardrail's mode)."""

    def read(self, raw):
        value = get_path(raw, self.path)
        return self.normalise([value] if isinstance(value, str) else value)


class MergedDict(Field):
    """A dict LiteLLM merges on update and cannot drop keys from (a model's litellm_params): only the keys the user
    sets are compared and sent; the others keep their values. With ``whole``, an update sends the live dict with
    the user's keys merged in, for where LiteLLM merges in memory but replaces in its database (a credential's
    credential_info)."""

    def __init__(self, name, path=None, keep_keys=(), no_log=None, whole=False, key_requires=None):
        super(MergedDict, self).__init__(name, "dict", path=path, keep_keys=keep_keys, no_log=no_log,
                                         key_requires=key_requires)
        self.whole = whole

    def differs(self, desired, live):
        live = live or {}
        return any(prune(value) != live.get(key) for key, value in desired.items())

    def merged(self, live, desired):
        merged = dict(live or {})
        merged.update((key, prune(value)) for key, value in desired.items())
        return prune(merged) or None

    def write(self, value, raw):
        if self.whole and raw:
            return dict(get_path(raw, self.path) or {}, **value)
        return value
