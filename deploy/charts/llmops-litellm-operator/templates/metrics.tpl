{{- /*
Prometheus metrics: the operator serves /metrics on its container port `metrics`. A Service for them, and with
the Prometheus Operator, a ServiceMonitor and the PrometheusRule of deploy/monitoring/ (files/, generated); the
Grafana dashboard as a ConfigMap for Grafana's dashboard sidecar.
*/}}
{{- if .Values.metrics.enabled }}
{{- $fullname := include "llmops-litellm-operator.fullname" . }}
apiVersion: v1
kind: Service
metadata:
  name: {{ $fullname }}-metrics
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
    app.kubernetes.io/component: metrics
  {{- with .Values.metrics.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.metrics.service.type }}
  selector:
    {{- include "llmops-litellm-operator.selectorLabels" . | nindent 4 }}
  ports:
    - name: metrics
      port: {{ .Values.metrics.port }}
      targetPort: metrics
      protocol: TCP
{{- if .Values.metrics.serviceMonitor.enabled }}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
    {{- with .Values.metrics.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "llmops-litellm-operator.selectorLabels" . | nindent 6 }}
      app.kubernetes.io/component: metrics
  namespaceSelector:
    matchNames:
      - {{ .Release.Namespace }}
  endpoints:
    - port: metrics
      path: /metrics
      # The CR-count gauges carry a namespace label of their own: keep it rather than the Service's.
      honorLabels: true
      interval: {{ .Values.metrics.serviceMonitor.interval }}
      {{- with .Values.metrics.serviceMonitor.scrapeTimeout }}
      scrapeTimeout: {{ . }}
      {{- end }}
{{- end }}
{{- if .Values.metrics.prometheusRule.enabled }}
{{- $rule := .Files.Get "files/prometheusrule.yaml" | fromYaml }}
{{- if not $rule.spec }}
{{- fail "metrics.prometheusRule.enabled: this chart has no files/prometheusrule.yaml (deploy/monitoring/prometheusrule.yaml was missing when scripts/gen-packaging ran)" }}
{{- end }}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ $fullname }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
    {{- with .Values.metrics.prometheusRule.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- toYaml $rule.spec | nindent 2 }}
{{- end }}
{{- if .Values.metrics.dashboard.enabled }}
{{- $dashboard := .Files.Get "files/grafana-dashboard.json" }}
{{- if not $dashboard }}
{{- fail "metrics.dashboard.enabled: this chart has no files/grafana-dashboard.json (deploy/monitoring/grafana-dashboard.json was missing when scripts/gen-packaging ran)" }}
{{- end }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $fullname }}-dashboard
  namespace: {{ default .Release.Namespace .Values.metrics.dashboard.namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
    {{- toYaml .Values.metrics.dashboard.labels | nindent 4 }}
data:
  llmops-litellm-operator.json: {{ $dashboard | quote }}
{{- end }}
{{- end }}
