# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):  # pylint: disable=useless-object-inheritance
    """Connection options of the Kubernetes modules (each also read from C(K8S_AUTH_<OPTION>))."""

    DOCUMENTATION = r"""
options:
  kubeconfig: {description: Path of a kubeconfig (env C(K8S_AUTH_KUBECONFIG))., type: path}
  context: {description: The kubeconfig's context., type: str}
  host: {description: The API server's URL., type: str}
  api_key: {description: A bearer token., type: str}
  username: {description: Basic authentication user., type: str}
  password: {description: Basic authentication password., type: str}
  validate_certs: {description: Verify the API server's certificate., type: bool, aliases: [verify_ssl]}
  ca_cert: {description: CA bundle., type: path, aliases: [ssl_ca_cert]}
  client_cert: {description: Client certificate., type: path, aliases: [cert_file]}
  client_key: {description: Client key., type: path, aliases: [key_file]}
  proxy: {description: HTTP proxy URL., type: str}
  persist_config: {description: Accepted for compatibility; ignored., type: bool}
"""
