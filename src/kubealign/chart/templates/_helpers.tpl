{{/*
Helpers of the fixed chart. Per-service templates call them with a context
  (dict "root" $ "name" <service key> "svc" <service values>)
so that every object of a service is named and labelled the same way.
*/}}

{{/* helm.sh/chart label value. */}}
{{- define "kubealign.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
A boolean with a default: "true" or "". Needed because `default` treats an explicit
`false` as empty, which would silently turn a relaxation like `readOnlyRootFilesystem: false`
back on. Call: (dict "map" <map or nil> "key" <key> "default" <bool>).
*/}}
{{- define "kubealign.flag" -}}
{{- $m := .map | default dict -}}
{{- if hasKey $m .key -}}
{{- if index $m .key }}true{{ end -}}
{{- else if .default -}}
true
{{- end -}}
{{- end -}}

{{/* Selector labels of a service's pods; never change for an existing release. */}}
{{- define "kubealign.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{/* Labels of every object of a service (common labels cannot override the standard ones). */}}
{{- define "kubealign.labels" -}}
{{- $labels := dict -}}
{{- range $k, $v := .root.Values.global.commonLabels }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- if .svc -}}
{{- range $k, $v := .svc.labels }}{{ $_ := set $labels $k $v }}{{ end -}}
{{- end -}}
{{- $component := .name -}}
{{- if and .svc .svc.component }}{{ $component = .svc.component }}{{ end -}}
{{- $_ := set $labels "helm.sh/chart" (include "kubealign.chart" .root) -}}
{{- $_ := set $labels "app.kubernetes.io/name" .name -}}
{{- $_ := set $labels "app.kubernetes.io/instance" .root.Release.Name -}}
{{- $_ := set $labels "app.kubernetes.io/component" $component -}}
{{- $_ := set $labels "app.kubernetes.io/part-of" (.root.Values.global.partOf | default .root.Release.Name) -}}
{{- $_ := set $labels "app.kubernetes.io/managed-by" .root.Release.Service -}}
{{- toYaml $labels -}}
{{- end -}}

{{/* Object metadata: name, namespace, labels. Call with the context plus "objectName". */}}
{{- define "kubealign.metadata" -}}
name: {{ .objectName }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "kubealign.labels" . | nindent 2 }}
{{- end -}}

{{/* Full image reference: [registry/]repository[:tag][@digest]. */}}
{{- define "kubealign.image" -}}
{{- $img := .svc.image -}}
{{- $registry := .root.Values.global.imageRegistry -}}
{{- if hasKey $img "registry" }}{{ $registry = $img.registry }}{{ end -}}
{{- if $registry }}{{ trimSuffix "/" $registry }}/{{ end -}}
{{- required (printf "services.%s.image.repository is required: the compose service has neither image nor build (see values-<env>.yaml)" .name) $img.repository -}}
{{- if $img.tag }}:{{ $img.tag }}{{ end -}}
{{- if $img.digest }}@{{ $img.digest }}{{ end -}}
{{- end -}}

{{/* Name of the Service of a service (defaults to the compose service name). */}}
{{- define "kubealign.serviceName" -}}
{{- $spec := .svc.service | default dict -}}
{{- $spec.name | default .name -}}
{{- end -}}

{{/* Ports listed on the Service, as JSON (a list). */}}
{{- define "kubealign.exposedPorts" -}}
{{- $ports := list -}}
{{- range .svc.ports -}}
{{- if include "kubealign.flag" (dict "map" . "key" "expose" "default" true) -}}
{{- $ports = append $ports . -}}
{{- end -}}
{{- end -}}
{{- toJson $ports -}}
{{- end -}}

{{/* Whether the Service is rendered: "true" or "". */}}
{{- define "kubealign.hasService" -}}
{{- $ports := include "kubealign.exposedPorts" . | fromJsonArray -}}
{{- if include "kubealign.flag" (dict "map" .svc.service "key" "enabled" "default" (gt (len $ports) 0)) -}}
{{- if $ports }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* Name of the governing Service of a StatefulSet. */}}
{{- define "kubealign.governingServiceName" -}}
{{- if and (include "kubealign.hasService" .) (include "kubealign.flag" (dict "map" .svc.service "key" "headless" "default" false)) -}}
{{- include "kubealign.serviceName" . -}}
{{- else -}}
{{- printf "%s-headless" .name -}}
{{- end -}}
{{- end -}}

{{/* The workload kind. */}}
{{- define "kubealign.kind" -}}
{{- .svc.kind | default "Deployment" -}}
{{- end -}}

{{/* A probe with every timing explicit. */}}
{{- define "kubealign.probe" -}}
{{- with .exec }}
exec:
  command:
    {{- toYaml .command | nindent 4 }}
{{- end }}
{{- with .httpGet }}
httpGet:
  path: {{ .path | default "/" | toJson }}
  port: {{ .port | toJson }}
  scheme: {{ .scheme | default "HTTP" }}
  {{- with .httpHeaders }}
  httpHeaders:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- with .tcpSocket }}
tcpSocket:
  port: {{ .port | toJson }}
{{- end }}
initialDelaySeconds: {{ .initialDelaySeconds | default 0 }}
periodSeconds: {{ .periodSeconds | default 10 }}
timeoutSeconds: {{ .timeoutSeconds | default 1 }}
failureThreshold: {{ .failureThreshold | default 3 }}
successThreshold: {{ .successThreshold | default 1 }}
{{- end -}}
