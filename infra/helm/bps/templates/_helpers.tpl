{{/* The release's full name: <release>-bps, or the release name when it already says bps. */}}
{{- define "bps.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "bps.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bps
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selects every pod of this release (the default-deny NetworkPolicy's selector). */}}
{{- define "bps.releaseSelector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selects one component's pods: dict "root" $ "name" <service> */}}
{{- define "bps.selector" -}}
{{ include "bps.releaseSelector" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* The image reference: repository, then @digest or :tag (the appVersion when empty). */}}
{{- define "bps.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "bps.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "bps.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* A service's Kubernetes Service name: dict "root" $ "name" <service> */}}
{{- define "bps.serviceName" -}}
{{- printf "%s-%s" (include "bps.fullname" .root) .name -}}
{{- end -}}

{{/* A service's gRPC address for its callers (the DNS name its gRPC certificate must carry). */}}
{{- define "bps.grpcAddress" -}}
{{- $svc := index .root.Values.services .name -}}
{{- printf "%s.%s.svc:%v" (include "bps.serviceName" .) .root.Release.Namespace $svc.grpcPort -}}
{{- end -}}

{{/* The env name prefix of a service: REGISTRY, PROPOSALS, … (infra/scripts/services.ts). */}}
{{- define "bps.envPrefix" -}}
{{- . | upper | replace "-" "_" -}}
{{- end -}}

{{/* A service's value with the chart-wide default: dict "svc" $svc "root" $ "key" "resources" */}}
{{- define "bps.setting" -}}
{{- $v := index .svc .key -}}
{{- if kindIs "invalid" $v -}}{{- $v = index .root.Values .key -}}{{- end -}}
{{- toYaml $v -}}
{{- end -}}
