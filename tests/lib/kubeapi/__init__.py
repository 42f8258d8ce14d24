"""A Kubernetes API for the project's tests: PyPI kmock plus a compatibility layer we own.

- ``server``: kmock's ``KubernetesScaffold`` with the layer that makes it behave like a real API
  server for kubernetes.core, the ``kubernetes`` client and Kopf; ``ServerThread`` runs it.
- ``store``, ``patches``, ``openapi``, ``selectors``, ``registry``, ``errors``: that layer.
- ``fixtures``: the pytest fixtures ``kube_api`` (session) and ``kube_namespace``.
- ``validate``: ``validate_manifest(obj, version)`` against Kubernetes' own schemas.
"""
