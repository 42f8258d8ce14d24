# Copyright: contributors to llmops.litellm
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action of llmops.litellm.customer_info: ansible-core's, with the module's payload kept (plugin_utils/cached_payload.py)."""

from __future__ import annotations

from ansible_collections.llmops.litellm.plugins.plugin_utils.cached_payload import ActionModule  # noqa: F401 pylint: disable=unused-import
