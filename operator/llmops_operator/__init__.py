"""llmops.litellm's Kubernetes operator: a Kopf shim that runs Operator-SDK-style watches with ansible-runner."""
