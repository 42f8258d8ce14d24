"""TEST ONLY: switch LiteLLM's Enterprise licence check on.

Organizations and a few team options are LiteLLM Enterprise features (403 without a licence). The tests'
second proxy (the ``litellm_proxy_premium`` fixture) puts this folder on PYTHONPATH so that Python loads this
file at start-up and the proxy behaves as a licensed one. Nothing in the collection loads it.
"""

from litellm.proxy.auth.litellm_license import LicenseCheck

LicenseCheck.is_premium = lambda self: True
