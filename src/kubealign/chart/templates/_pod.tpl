{{/*
The pod template shared by Deployment, StatefulSet, DaemonSet and Job.
Context: (dict "root" $ "name" <service key> "svc" <service values>).
*/}}
{{- define "kubealign.podTemplate" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $svc := .svc -}}
{{- $g := $root.Values.global -}}
{{- $ps := $g.podSecurity | default dict -}}
{{- $sc := $svc.securityContext | default dict -}}
{{- $gpu := $svc.gpu | default dict -}}
{{- $gg := $g.gpu | default dict -}}
{{- /* $claimsGpu: a limit on the GPU resource. $hasGpu: on the GPU pool with its toleration
     and runtime, either claiming GPUs or sharing the node's (gpu.shared, compose `count: all`
     beside other GPU services). */}}
{{- $claimsGpu := gt (int ($gpu.count | default 0)) 0 -}}
{{- $sharesGpu := and (not $claimsGpu) (eq (toString ($gpu.shared | default false)) "true") -}}
{{- $hasGpu := or $claimsGpu $sharesGpu -}}
{{- $kind := include "kubealign.kind" . -}}
{{- $podAnnotations := dict -}}
{{- with $svc.configFiles }}
{{- $_ := set $podAnnotations "checksum/config" (toJson . | sha256sum) -}}
{{- end }}
{{- range $k, $v := $svc.podAnnotations }}{{ $_ := set $podAnnotations $k $v }}{{ end -}}
metadata:
  labels:
    {{- include "kubealign.labels" . | nindent 4 }}
    {{- range (($svc.networkPolicy | default dict).networks) }}
    network.kubealign.io/{{ . }}: "true"
    {{- end }}
  {{- with $podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ $name }}
  automountServiceAccountToken: {{ include "kubealign.flag" (dict "map" $svc.serviceAccount "key" "automountToken" "default" false) | eq "true" }}
  {{- if eq $kind "Job" }}
  restartPolicy: {{ ($svc.job | default dict).restartPolicy | default "OnFailure" }}
  {{- end }}
  {{- /* Pod-level security: the restricted profile unless the service relaxes it. */}}
  {{- $runAsUser := $ps.runAsUser -}}
  {{- if hasKey $sc "runAsUser" }}{{ $runAsUser = $sc.runAsUser }}{{ end -}}
  {{- $runAsGroup := $ps.runAsGroup -}}
  {{- if hasKey $sc "runAsGroup" }}{{ $runAsGroup = $sc.runAsGroup }}{{ end -}}
  {{- $fsGroup := $ps.fsGroup -}}
  {{- if hasKey $sc "fsGroup" }}{{ $fsGroup = $sc.fsGroup }}{{ end -}}
  {{- /* defaults docker: what Docker gives (image user, runtime capabilities, writable root). */}}
  {{- $docker := eq ($sc.defaults | default "restricted") "docker" -}}
  {{- $nonRootDefault := and (not $docker) (include "kubealign.flag" (dict "map" $ps "key" "runAsNonRoot" "default" true)) -}}
  {{- $nonRoot := include "kubealign.flag" (dict "map" $sc "key" "runAsNonRoot" "default" $nonRootDefault) | eq "true" -}}
  {{- if and $nonRoot (not (kindIs "invalid" $runAsUser)) (eq (int $runAsUser) 0) }}
  {{- fail (printf "services.%s.securityContext: runAsUser 0 contradicts runAsNonRoot; set runAsNonRoot: false to run as root explicitly" $name) }}
  {{- end }}
  {{- $seccomp := $sc.seccompProfile | default ($ps.seccompProfile | default "RuntimeDefault") }}
  securityContext:
    runAsNonRoot: {{ $nonRoot }}
    {{- if not (kindIs "invalid" $runAsUser) }}
    runAsUser: {{ $runAsUser }}
    {{- end }}
    {{- if not (kindIs "invalid" $runAsGroup) }}
    runAsGroup: {{ $runAsGroup }}
    {{- end }}
    {{- if not (kindIs "invalid" $fsGroup) }}
    fsGroup: {{ $fsGroup }}
    {{- end }}
    seccompProfile:
      type: {{ $seccomp }}
      {{- if eq $seccomp "Localhost" }}
      localhostProfile: {{ $sc.seccompLocalhostProfile | toJson }}
      {{- end }}
    {{- with $svc.sysctls }}
    sysctls:
      {{- range $k, $v := . }}
      - name: {{ $k }}
        value: {{ $v | toJson }}
      {{- end }}
    {{- end }}
  {{- with $g.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  {{- with $svc.hostname }}
  hostname: {{ . }}
  {{- end }}
  {{- with $svc.hostAliases }}
  hostAliases:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $svc.dnsConfig }}
  dnsConfig:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $svc.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- $runtimeClass := $svc.runtimeClassName | default "" -}}
  {{- if $hasGpu -}}
  {{- $runtimeClass = $gg.runtimeClassName | default "" -}}
  {{- if hasKey $gpu "runtimeClassName" }}{{ $runtimeClass = $gpu.runtimeClassName }}{{ end -}}
  {{- end }}
  {{- with $runtimeClass }}
  runtimeClassName: {{ . }}
  {{- end }}
  {{- if hasKey $svc "terminationGracePeriodSeconds" }}
  terminationGracePeriodSeconds: {{ $svc.terminationGracePeriodSeconds }}
  {{- end }}
  {{- /* Node selection: explicit selector plus the GPU pool. */}}
  {{- $selector := dict -}}
  {{- range $k, $v := $svc.nodeSelector }}{{ $_ := set $selector $k $v }}{{ end -}}
  {{- if and $hasGpu $gpu.pool -}}
  {{- $_ := set $selector ($gpu.nodeSelectorKey | default $gg.nodeSelectorKey) $gpu.pool -}}
  {{- end }}
  {{- with $selector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- $na := $svc.nodeAffinity | default dict -}}
  {{- if or $na.required $na.preferred $svc.antiAffinity }}
  affinity:
    {{- if or $na.required $na.preferred }}
    nodeAffinity:
      {{- with $na.required }}
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              {{- toYaml . | nindent 14 }}
      {{- end }}
      {{- with $na.preferred }}
      preferredDuringSchedulingIgnoredDuringExecution:
        {{- range . }}
        - weight: {{ .weight }}
          preference:
            matchExpressions:
              {{- toYaml .requirements | nindent 14 }}
        {{- end }}
      {{- end }}
    {{- end }}
    {{- if eq ($svc.antiAffinity | default "") "required" }}
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        - topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "kubealign.selectorLabels" . | nindent 14 }}
    {{- else if eq ($svc.antiAffinity | default "") "preferred" }}
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                {{- include "kubealign.selectorLabels" . | nindent 16 }}
    {{- end }}
  {{- end }}
  {{- if or (and $hasGpu (include "kubealign.flag" (dict "map" $gpu "key" "tolerate" "default" true))) $svc.tolerations }}
  tolerations:
    {{- if and $hasGpu (include "kubealign.flag" (dict "map" $gpu "key" "tolerate" "default" true)) }}
    - key: {{ $gg.taintKey | default "nvidia.com/gpu" }}
      operator: Exists
      effect: {{ $gg.taintEffect | default "NoSchedule" }}
    {{- end }}
    {{- with $svc.tolerations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
  {{- with $svc.topologySpread }}
  topologySpreadConstraints:
    {{- range . }}
    - topologyKey: {{ .topologyKey }}
      maxSkew: {{ .maxSkew | default 1 }}
      whenUnsatisfiable: {{ .whenUnsatisfiable | default "ScheduleAnyway" }}
      labelSelector:
        matchLabels:
          {{- include "kubealign.selectorLabels" $ | nindent 10 }}
    {{- end }}
  {{- end }}
  {{- with include "kubealign.waitContainers" . | trim }}
  initContainers:
    {{- . | nindent 4 }}
  {{- end }}
  containers:
    - name: {{ $name }}
      image: {{ include "kubealign.image" . | toJson }}
      imagePullPolicy: {{ $svc.image.pullPolicy | default ($g.imagePullPolicy | default "IfNotPresent") }}
      {{- with $svc.command }}
      command:
        {{- range . }}
        - {{ . | toJson }}
        {{- end }}
      {{- end }}
      {{- with $svc.args }}
      args:
        {{- range . }}
        - {{ . | toJson }}
        {{- end }}
      {{- end }}
      {{- with $svc.workingDir }}
      workingDir: {{ . | toJson }}
      {{- end }}
      {{- if $svc.tty }}
      tty: true
      {{- end }}
      {{- if $svc.stdin }}
      stdin: true
      {{- end }}
      {{- with $svc.ports }}
      ports:
        {{- range . }}
        - name: {{ .name }}
          containerPort: {{ .containerPort }}
          protocol: {{ .protocol | default "TCP" }}
        {{- end }}
      {{- end }}
      {{- $visibleAll := and $sharesGpu (not (hasKey ($svc.env | default dict) "NVIDIA_VISIBLE_DEVICES")) -}}
      {{- if or $svc.fieldEnv $svc.secretEnv $svc.env $svc.composedEnv $visibleAll }}
      env:
        {{- /* Order matters: $(VAR) only sees variables defined before it. */}}
        {{- range $k, $fieldPath := $svc.fieldEnv }}
        - name: {{ $k | toJson }}
          valueFrom:
            fieldRef:
              fieldPath: {{ $fieldPath | toJson }}
        {{- end }}
        {{- range $k, $ref := $svc.secretEnv }}
        - name: {{ $k | toJson }}
          valueFrom:
            secretKeyRef:
              name: {{ $ref.secretName }}
              key: {{ $ref.key | toJson }}
              {{- if $ref.optional }}
              optional: true
              {{- end }}
        {{- end }}
        {{- range $k, $v := $svc.env }}
        - name: {{ $k | toJson }}
          value: {{ $v | toJson }}
        {{- end }}
        {{- range $k, $v := $svc.composedEnv }}
        - name: {{ $k | toJson }}
          value: {{ $v | toJson }}
        {{- end }}
        {{- if $visibleAll }}
        - name: NVIDIA_VISIBLE_DEVICES
          value: "all"
        {{- end }}
      {{- end }}
      {{- $res := $svc.resources | default dict -}}
      {{- $limits := dict -}}
      {{- range $k, $v := $res.limits }}{{ $_ := set $limits $k $v }}{{ end -}}
      {{- if $claimsGpu -}}
      {{- $_ := set $limits ($gpu.resourceName | default ($gg.resourceName | default "nvidia.com/gpu")) (int $gpu.count) -}}
      {{- end }}
      {{- if or $limits $res.requests }}
      resources:
        {{- with $limits }}
        limits:
          {{- toYaml . | nindent 10 }}
        {{- end }}
        {{- with $res.requests }}
        requests:
          {{- toYaml . | nindent 10 }}
        {{- end }}
      {{- end }}
      {{- $probes := $svc.probes | default dict -}}
      {{- with $probes.liveness }}
      livenessProbe:
        {{- include "kubealign.probe" . | trim | nindent 8 }}
      {{- end }}
      {{- with $probes.readiness }}
      readinessProbe:
        {{- include "kubealign.probe" . | trim | nindent 8 }}
      {{- end }}
      {{- with $probes.startup }}
      startupProbe:
        {{- include "kubealign.probe" . | trim | nindent 8 }}
      {{- end }}
      {{- $caps := $sc.capabilities | default dict }}
      securityContext:
        runAsNonRoot: {{ $nonRoot }}
        {{- if not (kindIs "invalid" $runAsUser) }}
        runAsUser: {{ $runAsUser }}
        {{- end }}
        {{- if not (kindIs "invalid" $runAsGroup) }}
        runAsGroup: {{ $runAsGroup }}
        {{- end }}
        allowPrivilegeEscalation: {{ include "kubealign.flag" (dict "map" $sc "key" "allowPrivilegeEscalation" "default" false) | eq "true" }}
        {{- if include "kubealign.flag" (dict "map" $sc "key" "privileged" "default" false) }}
        privileged: true
        {{- end }}
        readOnlyRootFilesystem: {{ include "kubealign.flag" (dict "map" $sc "key" "readOnlyRootFilesystem" "default" (and (not $docker) (include "kubealign.flag" (dict "map" $ps "key" "readOnlyRootFilesystem" "default" true)))) | eq "true" }}
        {{- $drop := hasKey $caps "drop" | ternary $caps.drop ($docker | ternary (list) (list "ALL")) }}
        {{- if or $drop $caps.add }}
        capabilities:
          {{- with $drop }}
          drop:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $caps.add }}
          add:
            {{- toYaml . | nindent 12 }}
          {{- end }}
        {{- end }}
        seccompProfile:
          type: {{ $seccomp }}
          {{- if eq $seccomp "Localhost" }}
          localhostProfile: {{ $sc.seccompLocalhostProfile | toJson }}
          {{- end }}
      {{- with include "kubealign.volumeMounts" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
  {{- with include "kubealign.volumes" . | trim }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* volumeMounts of the container (empty when none). */}}
{{- define "kubealign.volumeMounts" -}}
{{- $svc := .svc -}}
{{- $mounts := list -}}
{{- range $key, $v := $svc.persistence -}}
{{- $m := dict "name" $key "mountPath" $v.mountPath -}}
{{- with $v.subPath }}{{ $_ := set $m "subPath" . }}{{ end -}}
{{- if $v.readOnly }}{{ $_ := set $m "readOnly" true }}{{ end -}}
{{- $mounts = append $mounts $m -}}
{{- end -}}
{{- range $key, $h := $svc.hostMounts -}}
{{- if ne ($h.source | default "emptyDir") "none" -}}
{{- $m := dict "name" (printf "host-%s" $key) "mountPath" $h.mountPath -}}
{{- if $h.readOnly }}{{ $_ := set $m "readOnly" true }}{{ end -}}
{{- $mounts = append $mounts $m -}}
{{- end -}}
{{- end -}}
{{- range $key, $f := $svc.configFiles -}}
{{- $mounts = append $mounts (dict "name" "config" "mountPath" $f.mountPath "subPath" $key "readOnly" true) -}}
{{- end -}}
{{- $i := 0 -}}
{{- range $key, $s := $svc.secretFiles -}}
{{- $mounts = append $mounts (dict "name" (printf "secret-%d" $i) "mountPath" ($s.mountPath | default (printf "/run/secrets/%s" $key)) "subPath" $s.key "readOnly" true) -}}
{{- $i = add1 $i -}}
{{- end -}}
{{- range $i, $t := $svc.tmpfs -}}
{{- $mounts = append $mounts (dict "name" (printf "tmpfs-%d" $i) "mountPath" $t.mountPath) -}}
{{- end -}}
{{- if $svc.shmSize -}}
{{- $mounts = append $mounts (dict "name" "dshm" "mountPath" "/dev/shm") -}}
{{- end -}}
{{- range $i, $w := $svc.writablePaths -}}
{{- $mounts = append $mounts (dict "name" (printf "writable-%d" $i) "mountPath" $w.mountPath) -}}
{{- end -}}
{{- with $mounts }}
volumeMounts:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Pod volumes (empty when none). StatefulSet claims come from volumeClaimTemplates. */}}
{{- define "kubealign.volumes" -}}
{{- $svc := .svc -}}
{{- $name := .name -}}
{{- $kind := include "kubealign.kind" . -}}
{{- $volumes := list -}}
{{- range $key, $v := $svc.persistence -}}
{{- if $v.claimName -}}
{{- $volumes = append $volumes (dict "name" $key "persistentVolumeClaim" (dict "claimName" $v.claimName)) -}}
{{- else if ne $kind "StatefulSet" -}}
{{- $volumes = append $volumes (dict "name" $key "persistentVolumeClaim" (dict "claimName" (printf "%s-%s" $name $key))) -}}
{{- end -}}
{{- end -}}
{{- /* A host path outside the repository: kubealign read none of it; the source is the
user's choice (values hostMounts.<name>.source: none, emptyDir, a claim or the node's path). */ -}}
{{- range $key, $h := $svc.hostMounts -}}
{{- $vol := printf "host-%s" $key -}}
{{- $source := $h.source | default "emptyDir" -}}
{{- if eq $source "none" -}}
{{- /* no volume: the image's own files at the mount path stay */ -}}
{{- else if eq $source "hostPath" -}}
{{- $hp := $h.hostPath | default dict -}}
{{- $spec := dict "path" (required (printf "services.%s.hostMounts.%s.hostPath.path: source hostPath needs the node's path" $name $key) $hp.path) -}}
{{- with $hp.type }}{{ $_ := set $spec "type" . }}{{ end -}}
{{- $volumes = append $volumes (dict "name" $vol "hostPath" $spec) -}}
{{- else if eq $source "persistentVolumeClaim" -}}
{{- $volumes = append $volumes (dict "name" $vol "persistentVolumeClaim" (dict "claimName" ($h.claimName | default (printf "%s-%s" $name $vol)))) -}}
{{- else -}}
{{- $volumes = append $volumes (dict "name" $vol "emptyDir" dict) -}}
{{- end -}}
{{- end -}}
{{- with $svc.configFiles -}}
{{- $items := list -}}
{{- range $key, $f := . -}}
{{- $items = append $items (dict "key" $key "path" $key "mode" (hasKey $f "mode" | ternary $f.mode 420)) -}}
{{- end -}}
{{- $volumes = append $volumes (dict "name" "config" "configMap" (dict "name" (printf "%s-config" $name) "items" $items)) -}}
{{- end -}}
{{- $i := 0 -}}
{{- range $key, $s := $svc.secretFiles -}}
{{- $item := dict "key" $s.key "path" $s.key "mode" (hasKey $s "mode" | ternary $s.mode 292) -}}
{{- $volumes = append $volumes (dict "name" (printf "secret-%d" $i) "secret" (dict "secretName" $s.secretName "items" (list $item))) -}}
{{- $i = add1 $i -}}
{{- end -}}
{{- range $i, $t := $svc.tmpfs -}}
{{- $ed := dict "medium" "Memory" -}}
{{- with $t.sizeLimit }}{{ $_ := set $ed "sizeLimit" . }}{{ end -}}
{{- $volumes = append $volumes (dict "name" (printf "tmpfs-%d" $i) "emptyDir" $ed) -}}
{{- end -}}
{{- with $svc.shmSize -}}
{{- $volumes = append $volumes (dict "name" "dshm" "emptyDir" (dict "medium" "Memory" "sizeLimit" .)) -}}
{{- end -}}
{{- range $i, $w := $svc.writablePaths -}}
{{- $ed := dict -}}
{{- with $w.sizeLimit }}{{ $_ := set $ed "sizeLimit" . }}{{ end -}}
{{- $volumes = append $volumes (dict "name" (printf "writable-%d" $i) "emptyDir" $ed) -}}
{{- end -}}
{{- $volumes = concat $volumes (include "kubealign.waitVolumes" . | fromJsonArray) -}}
{{- /* Kubernetes refuses a pod with two volumes of one name (and a mount would read the
wrong one): name the values keys that collide instead of leaving it to the API server. */ -}}
{{- $seen := dict -}}
{{- range $key, $v := $svc.persistence -}}
{{- if and (eq $kind "StatefulSet") (not $v.claimName) }}{{ $_ := set $seen $key true }}{{ end -}}
{{- end -}}
{{- range $volumes -}}
{{- if hasKey $seen .name -}}
{{- fail (printf "services.%s: two volumes of the pod are named %q: rename the persistence or hostMounts key (hostMounts.<key> is the volume host-<key>; config, dshm, secret-N, tmpfs-N, writable-N and kubealign-wait-* are the chart's own)" $name .name) -}}
{{- end -}}
{{- $_ := set $seen .name true -}}
{{- end -}}
{{- with $volumes }}
volumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
