{{- /* Kopf's peering object: the replicas agree through it that one works at a time (LLMOPS_OPERATOR_PEERING). */}}
{{- if .Values.peering.enabled }}
{{- if not .Values.watchNamespaces }}
apiVersion: kopf.dev/v1
kind: ClusterKopfPeering
metadata:
  name: {{ include "llmops-litellm-operator.peeringName" . }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
{{- else }}
{{- range $namespace := .Values.watchNamespaces }}
---
apiVersion: kopf.dev/v1
kind: KopfPeering
metadata:
  name: {{ include "llmops-litellm-operator.peeringName" $ }}
  namespace: {{ $namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" $ | nindent 4 }}
{{- end }}
{{- end }}
{{- end }}
