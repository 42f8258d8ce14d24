# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
requirements:
  - Python 3 on the host that runs the module; its standard library is enough (no Python package to install)
notes:
  - The module runs where its task runs, usually C(localhost), and talks HTTP with Python's standard library, so its
    interpreter needs no package (requirements-collection.txt lists none for the modules). On C(localhost), set
    C(ansible_python_interpreter) to C({{ ansible_playbook_python }}) so that the interpreter of C(ansible-playbook)
    runs it, not another Python found on the host (pyenv, the system Python).
options:
  api_url:
    description:
      - Base URL of the LiteLLM proxy, for example C(http://litellm.example.com:4000).
      - If not set, the value of the E(LITELLM_PROXY_URL) environment variable is used.
      - The module fails, naming this option and the environment variable, when neither is set.
    type: str
  api_key:
    description:
      - The LiteLLM master key, or the key of a proxy admin, sent as a bearer token.
      - If not set, the value of the E(LITELLM_PROXY_API_KEY) environment variable is used, then E(LITELLM_MASTER_KEY).
      - The module fails, naming this option and the environment variables, when none is set.
      - Never logged, and removed from every error message. Set the environment variables in the environment of
        C(ansible-playbook) (or use this option with a vaulted variable), not with the task's C(environment)
        keyword, whose values Ansible itself prints at C(-vvv).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of O(api_url).
      - Set to V(false) only for a proxy with a self-signed certificate you cannot trust otherwise.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file with the certificate authorities used to verify O(api_url).
      - Ignored when O(validate_certs=false).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request (connecting and reading).
      - Requests that are safe to repeat are retried with backoff on connection errors and HTTP 429, 502, 503
        and 504; each try has this timeout.
    type: float
    default: 30
'''
