{{- /*
The operator, as deploy/manager/deployment.yaml runs it (its arguments, environment, ports and liveness probe
come from there: templates/_manager.tpl, generated): `python -m llmops_operator` (Kopf), non-root with a
read-only root file system, ansible-runner's data and HOME in an emptyDir at /tmp. Recreate: never two reconcilers at once during an upgrade; more replicas are hot standbys that
take over through Kopf peering.
*/}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.peering.enabled) }}
{{- fail "replicaCount: more than one replica needs peering.enabled (the replicas agree through Kopf peering which one works)" }}
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "llmops-litellm-operator.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "llmops-litellm-operator.labels" . | nindent 4 }}
    app.kubernetes.io/component: operator
spec:
  replicas: {{ .Values.replicaCount }}
  strategy:
    type: Recreate
  selector:
    matchLabels:
      {{- include "llmops-litellm-operator.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "llmops-litellm-operator.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/component: operator
        {{- with .Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "llmops-litellm-operator.serviceAccountName" . }}
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.podSecurityContext | nindent 8 }}
      containers:
        - name: operator
          image: {{ include "llmops-litellm-operator.image" . }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          command: [python, -m, llmops_operator]
          args:
            {{- include "llmops-litellm-operator.managerArgs" . | nindent 12 }}
          env:
            # Empty: every namespace; else the comma-separated watchNamespaces.
            - name: WATCH_NAMESPACE
              value: {{ join "," .Values.watchNamespaces | quote }}
            # The port the operator serves /metrics on; 0 turns the endpoint off.
            - name: LLMOPS_OPERATOR_METRICS_PORT
              value: {{ ternary (toString .Values.metrics.port) "0" .Values.metrics.enabled | quote }}
            {{- if .Values.peering.enabled }}
            - name: LLMOPS_OPERATOR_PEERING
              value: {{ include "llmops-litellm-operator.peeringName" . }}
            {{- end }}
            {{- include "llmops-litellm-operator.managerEnv" . | nindent 12 }}
            {{- with .Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            {{- include "llmops-litellm-operator.managerPorts" . | nindent 12 }}
            {{- if .Values.metrics.enabled }}
            - name: metrics
              containerPort: {{ .Values.metrics.port }}
              protocol: TCP
            {{- end }}
          livenessProbe:
            {{- include "llmops-litellm-operator.managerLivenessProbe" . | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ .Values.tmpSizeLimit }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
