{{/* Names: the release's full name, trimmed to what Kubernetes allows. */}}
{{- define "offhours.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "offhours.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "offhours.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of everything the release creates; each object adds its component. */}}
{{- define "offhours.commonLabels" -}}
helm.sh/chart: {{ include "offhours.chart" . }}
app.kubernetes.io/name: {{ include "offhours.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: offhours
{{- end }}

{{- define "offhours.labels" -}}
{{ include "offhours.commonLabels" . }}
app.kubernetes.io/component: daemon
{{- end }}

{{- define "offhours.selectorLabels" -}}
app.kubernetes.io/name: {{ include "offhours.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: daemon
{{- end }}

{{- define "offhours.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "offhours.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "offhours.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The HTTP port the daemon listens on: config.http.port, which the probes and the Service follow. */}}
{{- define "offhours.port" -}}
{{- $http := default (dict) .Values.config.http }}
{{- default 9464 $http.port | int }}
{{- end }}

{{/* The bundled Redis (redis.deploy). */}}
{{- define "offhours.redis.fullname" -}}
{{- printf "%s-redis" (include "offhours.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "offhours.redis.labels" -}}
{{ include "offhours.commonLabels" . }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "offhours.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "offhours.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{/* true when the config names its Redis itself, so the chart's redis values are not used */}}
{{- define "offhours.config.hasRedisUrl" -}}
{{- $redis := default (dict) .Values.config.redis }}
{{- if $redis.url }}true{{ end }}
{{- end }}

{{/*
The config file: .Values.config as YAML, with redis.url pointing at ${OFFHOURS_REDIS_URL} (set on the
container from the redis values) unless the config names its Redis itself. test/ship renders it the
same way and checks it with offhours' own validation.
*/}}
{{- define "offhours.config" -}}
{{- $config := deepCopy (default (dict) .Values.config) }}
{{- if not (include "offhours.config.hasRedisUrl" .) }}
{{- $redis := deepCopy (default (dict) $config.redis) }}
{{- $_ := set $redis "url" "${OFFHOURS_REDIS_URL}" }}
{{- $_ := set $config "redis" $redis }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/* true when the bundled Redis runs: redis.deploy.enabled and no other Redis named */}}
{{- define "offhours.redis.deployed" -}}
{{- if and .Values.redis.deploy.enabled (not .Values.redis.url) (not .Values.redis.existingSecret) (not (include "offhours.config.hasRedisUrl" .)) }}true{{ end }}
{{- end }}

{{/* The OFFHOURS_REDIS_URL variable, from the first of: redis.existingSecret, redis.url, redis.deploy. */}}
{{- define "offhours.redisUrlEnv" -}}
{{- if not (include "offhours.config.hasRedisUrl" .) }}
- name: OFFHOURS_REDIS_URL
{{- if .Values.redis.existingSecret }}
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.existingSecretKey }}
{{- else if .Values.redis.url }}
  value: {{ .Values.redis.url | quote }}
{{- else if include "offhours.redis.deployed" . }}
  value: {{ printf "redis://%s:6379" (include "offhours.redis.fullname" .) | quote }}
{{- else }}
{{- fail "offhours: no Redis: set redis.url, redis.existingSecret, redis.deploy.enabled=true or config.redis.url" }}
{{- end }}
{{- end }}
{{- end }}
