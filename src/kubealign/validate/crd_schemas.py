"""JSON schemas for the custom resources kubealign emits, written from their documented specs.

Sources (see docs/reference platform.md §5, §6): external-secrets.io/v1 types
(``externalsecret_types.go``, ``secretstore_pulumi_types.go``), Argo CD
``docs/operator-manual/application.yaml`` and ``applicationset.yaml``, Istio's
VirtualService reference, prometheus-operator's ServiceMonitor API. They are strict
(unknown fields rejected) on the parts kubealign writes and deliberately open on parts it
never writes (other secret providers, kustomize sources, TLS routes…): an object written by
hand that uses those still validates, while a typo in a field we emit does not.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
INTEGER: Schema = {"type": "integer"}
OPEN_OBJECT: Schema = {"type": "object"}
OPEN_LIST: Schema = {"type": "array"}
STRING_MAP: Schema = {"type": "object", "additionalProperties": STRING}
STRING_LIST: Schema = {"type": "array", "items": STRING}
INT_OR_STRING: Schema = {"type": ["integer", "string"]}
# Go's time.ParseDuration syntax ("1h", "1h30m", "0s").
GO_DURATION: Schema = {
    "type": "string",
    "pattern": r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$",
}
# Prometheus duration syntax ("30s", "1m", "1h30m").
PROM_DURATION: Schema = {
    "type": "string",
    "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?"
    r"(([0-9]+)s)?(([0-9]+)ms)?)$",
}


def closed(properties: dict[str, Any], required: tuple[str, ...] = ()) -> Schema:
    """An object with exactly these properties (strict)."""
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


def list_of(item: Schema) -> Schema:
    return {"type": "array", "items": item}


METADATA = closed(
    {
        "name": STRING,
        "generateName": STRING,
        "namespace": STRING,
        "labels": STRING_MAP,
        "annotations": STRING_MAP,
        "finalizers": STRING_LIST,
    }
)


def resource(api_version: str, kind: str, spec: Schema) -> Schema:
    return closed(
        {
            "apiVersion": {"const": api_version},
            "kind": {"const": kind},
            "metadata": METADATA,
            "spec": spec,
            "status": OPEN_OBJECT,
        },
        required=("apiVersion", "kind", "metadata", "spec"),
    )


# --- External Secrets Operator, external-secrets.io/v1 -----------------------------------

REMOTE_REF = closed(
    {
        "key": STRING,
        "property": STRING,
        "version": STRING,
        "metadataPolicy": enum("None", "Fetch"),
        "conversionStrategy": enum("Default", "Unicode"),
        "decodingStrategy": enum("Auto", "Base64", "Base64URL", "None"),
        "nullBytePolicy": enum("Ignore", "Fail"),
    },
    required=("key",),
)

EXTERNAL_SECRET_SPEC = closed(
    {
        "secretStoreRef": closed(
            {"name": STRING, "kind": enum("SecretStore", "ClusterSecretStore")},
            required=("name",),
        ),
        "refreshInterval": GO_DURATION,
        "refreshPolicy": enum("CreatedOnce", "Periodic", "OnChange"),
        "target": closed(
            {
                "name": STRING,
                "creationPolicy": enum("Owner", "Orphan", "Merge", "None", "CreateOrMerge"),
                "deletionPolicy": enum("Delete", "Merge", "Retain"),
                "template": closed(
                    {
                        "type": STRING,
                        "engineVersion": enum("v1", "v2"),
                        "metadata": closed(
                            {
                                "labels": STRING_MAP,
                                "annotations": STRING_MAP,
                                "finalizers": STRING_LIST,
                            }
                        ),
                        "mergePolicy": enum("Replace", "Merge"),
                        "data": STRING_MAP,
                        "templateFrom": OPEN_LIST,
                    }
                ),
                "immutable": BOOLEAN,
                "manifest": closed({"apiVersion": STRING, "kind": STRING}),
            }
        ),
        "data": list_of(
            closed(
                {"secretKey": STRING, "remoteRef": REMOTE_REF, "sourceRef": OPEN_OBJECT},
                required=("secretKey", "remoteRef"),
            )
        ),
        "dataFrom": list_of(
            closed(
                {
                    "extract": REMOTE_REF,
                    "find": OPEN_OBJECT,
                    "rewrite": OPEN_LIST,
                    "sourceRef": OPEN_OBJECT,
                }
            )
        ),
    }
)


def _secret_ref(cluster_scoped: bool) -> Schema:
    # A ClusterSecretStore has no namespace of its own, so the token's must be given.
    required = ("name", "key", "namespace") if cluster_scoped else ("name", "key")
    return closed({"name": STRING, "key": STRING, "namespace": STRING}, required=required)


def _pulumi_provider(cluster_scoped: bool) -> Schema:
    access_token = closed({"secretRef": _secret_ref(cluster_scoped)}, required=("secretRef",))
    oidc = closed(
        {
            "organization": STRING,
            "serviceAccountRef": closed(
                {"name": STRING, "namespace": STRING, "audiences": STRING_LIST},
                required=("name",),
            ),
            "expirationSeconds": {"type": "integer", "minimum": 600},
        },
        required=("organization", "serviceAccountRef"),
    )
    auth = closed({"accessToken": access_token, "oidcConfig": oidc})
    # CEL rule in the CRD: "Exactly one of 'accessToken' or 'oidcConfig' must be specified".
    auth["oneOf"] = [{"required": ["accessToken"]}, {"required": ["oidcConfig"]}]
    pulumi = closed(
        {
            "apiUrl": STRING,
            "organization": STRING,
            "project": STRING,
            "environment": STRING,
            "auth": auth,
            "accessToken": access_token,  # deprecated root form
        },
        required=("organization", "project", "environment"),
    )
    pulumi["oneOf"] = [{"required": ["auth"]}, {"required": ["accessToken"]}]
    return pulumi


def _secret_store_spec(cluster_scoped: bool) -> Schema:
    provider: Schema = {
        "type": "object",
        "properties": {"pulumi": _pulumi_provider(cluster_scoped)},
        # Other providers exist; kubealign only writes Pulumi ESC.
        "additionalProperties": OPEN_OBJECT,
    }
    properties: dict[str, Any] = {
        "provider": provider,
        "controller": STRING,
        "refreshInterval": INTEGER,
        "retrySettings": OPEN_OBJECT,
    }
    if cluster_scoped:
        properties["conditions"] = OPEN_LIST
    return closed(properties, required=("provider",))


# --- Argo CD, argoproj.io/v1alpha1 --------------------------------------------------------

HELM_SOURCE = closed(
    {
        "valueFiles": STRING_LIST,
        "values": STRING,
        "valuesObject": OPEN_OBJECT,
        "parameters": list_of(
            closed({"name": STRING, "value": STRING, "forceString": BOOLEAN}, ("name",))
        ),
        "fileParameters": list_of(closed({"name": STRING, "path": STRING}, ("name", "path"))),
        "releaseName": STRING,
        "ignoreMissingValueFiles": BOOLEAN,
        "skipCrds": BOOLEAN,
        "skipSchemaValidation": BOOLEAN,
        "skipTests": BOOLEAN,
        "kubeVersion": STRING,
        "apiVersions": STRING_LIST,
        "namespace": STRING,
        "passCredentials": BOOLEAN,
        "version": STRING,
    }
)

SOURCE = closed(
    {
        "repoURL": STRING,
        "path": STRING,
        "targetRevision": STRING,
        "chart": STRING,
        "ref": STRING,
        "name": STRING,
        "helm": HELM_SOURCE,
        "kustomize": OPEN_OBJECT,
        "directory": OPEN_OBJECT,
        "plugin": OPEN_OBJECT,
    },
    required=("repoURL",),
)

SYNC_POLICY = closed(
    {
        "automated": closed(
            {"enabled": BOOLEAN, "prune": BOOLEAN, "selfHeal": BOOLEAN, "allowEmpty": BOOLEAN}
        ),
        "syncOptions": STRING_LIST,
        "retry": closed(
            {
                "limit": INTEGER,
                "backoff": closed({"duration": STRING, "factor": INTEGER, "maxDuration": STRING}),
                "refresh": BOOLEAN,
            }
        ),
        "managedNamespaceMetadata": closed({"labels": STRING_MAP, "annotations": STRING_MAP}),
    }
)


def _application_spec(templated: bool) -> Schema:
    spec = closed(
        {
            "project": STRING,
            "source": SOURCE,
            "sources": list_of(SOURCE),
            "destination": closed({"server": STRING, "name": STRING, "namespace": STRING}),
            "syncPolicy": SYNC_POLICY,
            "ignoreDifferences": OPEN_LIST,
            "info": OPEN_LIST,
            "revisionHistoryLimit": INTEGER,
        },
        required=("project", "destination"),
    )
    if not templated:
        spec["anyOf"] = [{"required": ["source"]}, {"required": ["sources"]}]
    return spec


GENERATOR: Schema = {
    "type": "object",
    "properties": {
        "list": closed(
            {"elements": list_of(OPEN_OBJECT), "elementsYaml": STRING, "template": OPEN_OBJECT}
        ),
    },
    # git, clusters, matrix, merge, scmProvider…: not written by kubealign.
    "additionalProperties": OPEN_OBJECT,
}

APPLICATION_SET_SPEC = closed(
    {
        "generators": {**list_of(GENERATOR), "minItems": 1},
        "template": closed(
            {"metadata": METADATA, "spec": _application_spec(templated=True)},
            required=("metadata", "spec"),
        ),
        "goTemplate": BOOLEAN,
        "goTemplateOptions": STRING_LIST,
        "syncPolicy": closed(
            {
                "applicationsSync": enum("create-only", "create-update", "create-delete", "sync"),
                "preserveResourcesOnDeletion": BOOLEAN,
            }
        ),
        "strategy": OPEN_OBJECT,
        "preservedFields": OPEN_OBJECT,
        "templatePatch": STRING,
        "ignoreApplicationDifferences": OPEN_LIST,
    },
    required=("generators", "template"),
)

# --- Istio VirtualService -----------------------------------------------------------------

STRING_MATCH: Schema = {
    **closed({"exact": STRING, "prefix": STRING, "regex": STRING}),
    "oneOf": [{"required": ["exact"]}, {"required": ["prefix"]}, {"required": ["regex"]}],
}

HTTP_ROUTE = closed(
    {
        "name": STRING,
        "match": list_of(
            closed(
                {
                    "name": STRING,
                    "uri": STRING_MATCH,
                    "scheme": STRING_MATCH,
                    "method": STRING_MATCH,
                    "authority": STRING_MATCH,
                    "headers": {"type": "object", "additionalProperties": STRING_MATCH},
                    "queryParams": {"type": "object", "additionalProperties": STRING_MATCH},
                    "withoutHeaders": {"type": "object", "additionalProperties": STRING_MATCH},
                    "port": INTEGER,
                    "sourceLabels": STRING_MAP,
                    "gateways": STRING_LIST,
                    "ignoreUriCase": BOOLEAN,
                    "sourceNamespace": STRING,
                    "statPrefix": STRING,
                }
            )
        ),
        "route": list_of(
            closed(
                {
                    "destination": closed(
                        {"host": STRING, "subset": STRING, "port": closed({"number": INTEGER})},
                        required=("host",),
                    ),
                    "weight": INTEGER,
                    "headers": OPEN_OBJECT,
                },
                required=("destination",),
            )
        ),
        "rewrite": closed({"uri": STRING, "authority": STRING, "uriRegexRewrite": OPEN_OBJECT}),
        "timeout": GO_DURATION,
        "retries": closed(
            {
                "attempts": INTEGER,
                "perTryTimeout": GO_DURATION,
                "retryOn": STRING,
                "retryRemoteLocalities": BOOLEAN,
            }
        ),
        "redirect": OPEN_OBJECT,
        "directResponse": OPEN_OBJECT,
        "delegate": OPEN_OBJECT,
        "fault": OPEN_OBJECT,
        "mirror": OPEN_OBJECT,
        "mirrors": OPEN_LIST,
        "mirrorPercentage": OPEN_OBJECT,
        "corsPolicy": OPEN_OBJECT,
        "headers": OPEN_OBJECT,
    }
)

VIRTUAL_SERVICE_SPEC = closed(
    {
        "hosts": STRING_LIST,
        "gateways": STRING_LIST,
        "http": list_of(HTTP_ROUTE),
        "tls": OPEN_LIST,
        "tcp": OPEN_LIST,
        "exportTo": STRING_LIST,
    }
)

# --- prometheus-operator ServiceMonitor, monitoring.coreos.com/v1 --------------------------

LABEL_SELECTOR = closed({"matchLabels": STRING_MAP, "matchExpressions": OPEN_LIST})

SERVICE_MONITOR_SPEC = closed(
    {
        "endpoints": list_of(
            closed(
                {
                    "port": STRING,
                    "targetPort": INT_OR_STRING,
                    "path": STRING,
                    "scheme": enum("http", "https", "HTTP", "HTTPS"),
                    "params": {"type": "object", "additionalProperties": STRING_LIST},
                    "interval": PROM_DURATION,
                    "scrapeTimeout": PROM_DURATION,
                    "honorLabels": BOOLEAN,
                    "honorTimestamps": BOOLEAN,
                    "trackTimestampsStaleness": BOOLEAN,
                    "relabelings": OPEN_LIST,
                    "metricRelabelings": OPEN_LIST,
                    "tlsConfig": OPEN_OBJECT,
                    "bearerTokenSecret": OPEN_OBJECT,
                    "basicAuth": OPEN_OBJECT,
                    "authorization": OPEN_OBJECT,
                    "oauth2": OPEN_OBJECT,
                    "followRedirects": BOOLEAN,
                    "enableHttp2": BOOLEAN,
                    "filterRunning": BOOLEAN,
                    "proxyUrl": STRING,
                }
            )
        ),
        "selector": LABEL_SELECTOR,
        "namespaceSelector": closed({"any": BOOLEAN, "matchNames": STRING_LIST}),
        "jobLabel": STRING,
        "targetLabels": STRING_LIST,
        "podTargetLabels": STRING_LIST,
        "sampleLimit": INTEGER,
        "targetLimit": INTEGER,
        "scrapeProtocols": STRING_LIST,
        "attachMetadata": OPEN_OBJECT,
    },
    required=("selector",),
)


def crd_schemas() -> dict[tuple[str, str], Schema]:
    """(apiVersion, kind) -> schema for every custom resource kubealign validates."""
    schemas: dict[tuple[str, str], Schema] = {}

    def add(api_version: str, kind: str, spec: Schema) -> None:
        schemas[(api_version, kind)] = resource(api_version, kind, spec)

    add("external-secrets.io/v1", "ExternalSecret", EXTERNAL_SECRET_SPEC)
    add("external-secrets.io/v1", "SecretStore", _secret_store_spec(cluster_scoped=False))
    add("external-secrets.io/v1", "ClusterSecretStore", _secret_store_spec(cluster_scoped=True))
    add("argoproj.io/v1alpha1", "Application", _application_spec(templated=False))
    add("argoproj.io/v1alpha1", "ApplicationSet", APPLICATION_SET_SPEC)
    for version in ("v1", "v1beta1", "v1alpha3"):
        add(f"networking.istio.io/{version}", "VirtualService", VIRTUAL_SERVICE_SPEC)
    add("monitoring.coreos.com/v1", "ServiceMonitor", SERVICE_MONITOR_SPEC)
    return schemas


# Served no longer: a manifest using these fails with a pointer to the current version.
RETIRED_API_VERSIONS: dict[tuple[str, str], str] = {
    ("external-secrets.io/v1beta1", kind): "external-secrets.io/v1"
    for kind in ("ExternalSecret", "SecretStore", "ClusterSecretStore")
}
