{{/*
Waiting for dependencies (compose depends_on -> services.<n>.dependsOn), see docs/dependencies.md.
Context of every helper: (dict "root" $ "name" <service key> "svc" <service values>).
*/}}

{{/*
The waits of a service that are rendered, as JSON: a list of
  {"name": <dependency key>, "job": true}                      (condition completed, a Job)
  {"name": <dependency key>, "host": <Service>, "port": <port>} (started/healthy: its Service)
A dependency that is absent, disabled, or has no Service port to wait for is not waited for,
so an environment that disables a dependency never blocks the services that use it.
*/}}
{{- define "kubealign.waits" -}}
{{- $root := .root -}}
{{- $dw := $root.Values.global.dependencyWait | default dict -}}
{{- $waits := list -}}
{{- if include "kubealign.flag" (dict "map" $dw "key" "enabled" "default" true) -}}
{{- range $dep, $d := .svc.dependsOn -}}
{{- $other := index ($root.Values.services | default dict) $dep -}}
{{- if and $other (include "kubealign.flag" (dict "map" $d "key" "enabled" "default" true)) (include "kubealign.flag" (dict "map" $other "key" "enabled" "default" true)) -}}
{{- $octx := dict "root" $root "name" $dep "svc" $other -}}
{{- if eq (include "kubealign.kind" $octx) "Job" -}}
{{- if eq $d.condition "completed" -}}
{{- $waits = append $waits (dict "name" $dep "job" true) -}}
{{- end -}}
{{- else if include "kubealign.hasService" $octx -}}
{{- $first := index (include "kubealign.exposedPorts" $octx | fromJsonArray) 0 -}}
{{- $port := $d.port | default ($first.port | default $first.containerPort) -}}
{{- $waits = append $waits (dict "name" $dep "host" (include "kubealign.serviceName" $octx) "port" (printf "%v" $port)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $waits -}}
{{- end -}}

{{/* "true" when the service waits for a Job (it then needs the API token volume). */}}
{{- define "kubealign.waitsForJob" -}}
{{- range (include "kubealign.waits" . | fromJsonArray) -}}
{{- if .job }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* securityContext and resources shared by every wait container (restricted profile). */}}
{{- define "kubealign.waitContainerSpec" -}}
{{- $dw := .Values.global.dependencyWait | default dict -}}
{{- $uid := $dw.runAsUser | default 65534 -}}
securityContext:
  runAsNonRoot: true
  runAsUser: {{ $uid }}
  runAsGroup: {{ $uid }}
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop:
      - ALL
  seccompProfile:
    type: RuntimeDefault
{{- with $dw.resources }}
resources:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The wait init containers of a service, as a YAML list (empty when none). */}}
{{- define "kubealign.waitContainers" -}}
{{- $root := .root -}}
{{- $g := $root.Values.global -}}
{{- $dw := $g.dependencyWait | default dict -}}
{{- $timeout := $dw.timeout | default "10m" -}}
{{- $pull := $g.imagePullPolicy | default "IfNotPresent" -}}
{{- $shell := include "kubealign.image" (dict "root" $root "svc" (dict "image" ($dw.image | default (dict "repository" "busybox" "tag" "1.36.1")))) -}}
{{- $kubectl := include "kubealign.image" (dict "root" $root "svc" (dict "image" ($dw.kubectlImage | default (dict "registry" "registry.k8s.io" "repository" "kubectl" "tag" "v1.31.4")))) -}}
{{- range (include "kubealign.waits" . | fromJsonArray) }}
{{- $w := . }}
{{- if .job }}
{{- /* Two steps: `wait --for=condition` fails at once on a Job that does not exist yet. */}}
{{- range $step := list "create" "condition=complete" }}
- name: {{ printf "%s-%s" (eq $step "create" | ternary "exists" "wait") $w.name | trunc 63 }}
  image: {{ $kubectl | toJson }}
  imagePullPolicy: {{ $pull }}
  args:
    - wait
    - {{ printf "--for=%s" $step | toJson }}
    - {{ printf "job/%s" $w.name | toJson }}
    - {{ printf "--timeout=%s" $timeout | toJson }}
  env:
    - name: HOME
      value: /tmp
  volumeMounts:
    - name: kubealign-wait-token
      mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      readOnly: true
    - name: kubealign-wait-tmp
      mountPath: /tmp
  {{- include "kubealign.waitContainerSpec" $root | nindent 2 }}
{{- end }}
{{- else }}
- name: {{ printf "wait-%s" .name | trunc 63 }}
  image: {{ $shell | toJson }}
  imagePullPolicy: {{ $pull }}
  command:
    - sh
    - -c
    - 'until nc -z -w 2 "$WAIT_HOST" "$WAIT_PORT"; do echo "waiting for $WAIT_HOST:$WAIT_PORT"; sleep 2; done'
  env:
    - name: WAIT_HOST
      value: {{ .host | toJson }}
    - name: WAIT_PORT
      value: {{ .port | toJson }}
  {{- include "kubealign.waitContainerSpec" $root | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Pod volumes of the Job waits, as JSON: the ServiceAccount token (only the wait containers
mount it; the pod keeps automountServiceAccountToken false) and a scratch /tmp for kubectl. */}}
{{- define "kubealign.waitVolumes" -}}
{{- $volumes := list -}}
{{- if include "kubealign.waitsForJob" . -}}
{{- $token := dict "serviceAccountToken" (dict "path" "token" "expirationSeconds" 3607) -}}
{{- $ca := dict "configMap" (dict "name" "kube-root-ca.crt" "items" (list (dict "key" "ca.crt" "path" "ca.crt"))) -}}
{{- $ns := dict "downwardAPI" (dict "items" (list (dict "path" "namespace" "fieldRef" (dict "fieldPath" "metadata.namespace")))) -}}
{{- $volumes = append $volumes (dict "name" "kubealign-wait-token" "projected" (dict "defaultMode" 292 "sources" (list $token $ca $ns))) -}}
{{- $volumes = append $volumes (dict "name" "kubealign-wait-tmp" "emptyDir" (dict "sizeLimit" "16Mi")) -}}
{{- end -}}
{{- toJson $volumes -}}
{{- end -}}
