# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options of operator_sdk.util's Kubernetes modules and the client they build (K8S_AUTH_* as
kubernetes.core reads them: the operator points K8S_AUTH_KUBECONFIG at its API proxy for each run)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

AUTH_ARG_SPEC = {
    "kubeconfig": {"type": "path"},
    "context": {"type": "str"},
    "host": {"type": "str"},
    "api_key": {"type": "str", "no_log": True},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"]},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"]},
    "client_cert": {"type": "path", "aliases": ["cert_file"]},
    "client_key": {"type": "path", "aliases": ["key_file"]},
    "proxy": {"type": "str"},
    "persist_config": {"type": "bool"},
}

NAME_ARG_SPEC = {
    "kind": {"type": "str", "required": True},
    "name": {"type": "str", "required": True},
    "namespace": {"type": "str"},
    "api_version": {"type": "str", "default": "v1", "aliases": ["api", "version"]},
}


def _option(module, name):
    value = module.params.get(name)
    if value is None:
        value = os.environ.get("K8S_AUTH_" + name.upper())
        if value is not None and name == "validate_certs":
            value = value.lower() in ("1", "true", "yes", "on")
    return value


def api_client(module):
    """A kubernetes ApiClient from the module's options, K8S_AUTH_*, the kubeconfig or the in-cluster config."""
    try:
        from kubernetes import client, config  # pylint: disable=import-outside-toplevel
    except ImportError:
        module.fail_json(msg="the kubernetes Python package is required (pip install kubernetes)")
    configuration = client.Configuration()
    host = _option(module, "host")
    kubeconfig = _option(module, "kubeconfig")
    if host:
        configuration.host = host
        api_key = _option(module, "api_key")
        if api_key:
            configuration.api_key = {"authorization": "Bearer " + api_key}
        if _option(module, "username"):
            configuration.username = _option(module, "username")
            configuration.password = _option(module, "password")
    elif kubeconfig or os.environ.get("KUBECONFIG") or not os.environ.get("KUBERNETES_SERVICE_HOST"):
        config.load_kube_config(config_file=kubeconfig, context=_option(module, "context"),
                                client_configuration=configuration, persist_config=False)
    else:
        config.load_incluster_config(client_configuration=configuration)
    for option, attribute in (("ca_cert", "ssl_ca_cert"), ("client_cert", "cert_file"), ("client_key", "key_file"),
                              ("proxy", "proxy")):
        if _option(module, option):
            setattr(configuration, attribute, _option(module, option))
    if _option(module, "validate_certs") is not None:
        configuration.verify_ssl = bool(_option(module, "validate_certs"))
    return client.ApiClient(configuration)


def resource(module, api, api_version, kind):
    """The dynamic client's resource of ``api_version`` / ``kind`` (fails the module naming it when unknown)."""
    from kubernetes.dynamic import DynamicClient  # pylint: disable=import-outside-toplevel
    from kubernetes.dynamic.exceptions import ResourceNotFoundError  # pylint: disable=import-outside-toplevel

    try:
        return DynamicClient(api).resources.get(api_version=api_version, kind=kind)
    except ResourceNotFoundError:
        module.fail_json(msg="Failed to find exact match for {0}.{1} by [kind, name, singularName, shortNames]".format(api_version, kind))
    return None
