{{- /*
Least privilege, the rules of deploy/rbac/ (templates/_rules.tpl, generated): watching every namespace, one
ClusterRole; watching a list of namespaces (watchNamespaces), a Role and a RoleBinding in each of them, plus the
read-only CRD watch Kopf needs to discover the resources it serves.
*/}}
{{- if .Values.rbac.create }}
{{- $fullname := include "llmops-litellm-operator.fullname" . }}
{{- $subject := dict "kind" "ServiceAccount" "name" (include "llmops-litellm-operator.serviceAccountName" .) "namespace" .Release.Namespace }}
{{- if not .Values.watchNamespaces }}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
rules:
  {{- include "llmops-litellm-operator.clusterRules" . | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $fullname }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $fullname }}
subjects:
  - {{- toYaml $subject | nindent 4 }}
{{- else }}
{{- range $namespace := .Values.watchNamespaces }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $fullname }}
  namespace: {{ $namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" $ | nindent 4 }}
rules:
  {{- include "llmops-litellm-operator.namespacedRules" $ | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $fullname }}
  namespace: {{ $namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" $ | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $fullname }}
subjects:
  - {{- toYaml $subject | nindent 4 }}
{{- end }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ $fullname }}-crd-reader
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
rules:
  {{- include "llmops-litellm-operator.crdReaderRules" . | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ $fullname }}-crd-reader
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ $fullname }}-crd-reader
subjects:
  - {{- toYaml $subject | nindent 4 }}
{{- end }}
{{- end }}
