{{- define "sophia.labels" -}}
app.kubernetes.io/part-of: sophia
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "sophia.image" -}}
{{- $root := index . 0 -}}
{{- $name := index . 1 -}}
{{- $svc := index . 2 -}}
{{- $tag := $root.Values.image.tag -}}
{{- if and $svc.image $svc.image.tag }}{{ $tag = $svc.image.tag }}{{ end -}}
{{ $root.Values.global.imageRegistry }}/{{ $name }}:{{ $tag }}
{{- end -}}
