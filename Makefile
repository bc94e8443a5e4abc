# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= build/sophia

.PHONY: demo test lint typecheck imports unit install clean docs checkov checkov-venv \
	tools cluster cluster-down e2e bench-tools bench-peers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,helm-sdk]'
	touch $(STAMP)

install: $(STAMP)

# Checkov runs in its own virtual environment (its pins conflict with ours); tests/checkov
# calls it as a separate process and skips with a reason when this venv is absent.
# Measured: ~45 s to create and install on a warm pip cache.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

$(CHECKOV_STAMP):
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet 'checkov==3.*'
	touch $(CHECKOV_STAMP)

checkov-venv: $(CHECKOV_STAMP)

checkov: $(STAMP) $(CHECKOV_STAMP)
	$(BIN)/pytest -q tests/checkov

# The main job on the bundled example: inventory, plan, audit, convert, validate, summary.
demo: $(STAMP)
	$(BIN)/kubealign migrate examples/sophia --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck imports checkov-venv unit

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) build .mypy_cache .pytest_cache .ruff_cache

# ----------------------------------------------------------------------------- test cluster
# Go programs of the local control plane (docs/e2e.md), pinned by tools/go/go.mod + go.sum.
# Built into a folder named by the hash of those two files, so a second `make tools` is a
# no-op and a version bump builds next to the old one; Go's build cache stays in its default
# place so a fresh clone on the same machine relinks in seconds.
TOOLS_GO := tools/go
TOOLS_KEY := $(shell cat $(TOOLS_GO)/go.mod $(TOOLS_GO)/go.sum | sha256sum | cut -c1-12)
TOOLS_BIN := .tools/bin/$(TOOLS_KEY)
TOOLS_STAMP := $(TOOLS_BIN)/.built
KUBE_VERSION := $(shell sed -n 's/^\tk8s.io\/kubernetes \(v[0-9.]*\)$$/\1/p' $(TOOLS_GO)/go.mod)
KUBE_MINOR := $(word 2,$(subst ., ,$(KUBE_VERSION)))
HELM_VERSION := $(shell sed -n 's/^\thelm.sh\/helm\/v4 \(v[0-9.]*\)$$/\1/p' $(TOOLS_GO)/go.mod)
TOOLS_LDFLAGS := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=1 \
	-X k8s.io/component-base/version.gitMinor=$(KUBE_MINOR) \
	-X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
	-X helm.sh/helm/v4/internal/version.version=$(HELM_VERSION)
TOOLS_PKGS := ./cmd/etcd k8s.io/kubernetes/cmd/kube-apiserver \
	k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
	k8s.io/kubernetes/cmd/kubectl sigs.k8s.io/kwok/cmd/kwok helm.sh/helm/v4/cmd/helm

$(TOOLS_STAMP): $(TOOLS_GO)/go.mod $(TOOLS_GO)/go.sum
	@command -v go >/dev/null || { echo "make tools: Go is needed (see docs/e2e.md)"; exit 2; }
	mkdir -p $(TOOLS_BIN)
	cd $(TOOLS_GO) && go build -trimpath -ldflags '$(TOOLS_LDFLAGS)' \
		-o $(CURDIR)/$(TOOLS_BIN)/ $(TOOLS_PKGS)
	ln -sfn $(TOOLS_KEY) .tools/bin/current
	touch $@

tools: $(TOOLS_STAMP)
	@ln -sfn $(TOOLS_KEY) .tools/bin/current

CLUSTER := $(BIN)/python tools/cluster/localcluster.py

# Start (or reuse) the local cluster; PLAN=path/kubealign.yaml takes the nodes from it.
cluster: $(STAMP) tools
	@TOOLS_BIN=$(CURDIR)/$(TOOLS_BIN) $(CLUSTER) up $(if $(PLAN),--plan $(PLAN))

cluster-down: $(STAMP)
	@$(CLUSTER) down

# Every environment of examples/sophia and of each ../shared/corpus/sprawl repository,
# deployed, checked, upgraded and rolled back on the local cluster (docs/e2e.md).
e2e: $(STAMP) tools
	@TOOLS_BIN=$(CURDIR)/$(TOOLS_BIN) $(CLUSTER) up
	TOOLS_BIN=$(CURDIR)/$(TOOLS_BIN) PATH=$(CURDIR)/$(TOOLS_BIN):$$PATH \
		$(BIN)/python tools/cluster/e2e.py $(E2E_ARGS)

# Benchmark peers (never runtime dependencies): kubeconform and kompose, pinned by
# tools/bench/go.mod + go.sum, built into .tools/bench/bin (bench/peer_tools.py looks there).
BENCH_GO := tools/bench
BENCH_BIN := .tools/bench/bin
BENCH_STAMP := $(BENCH_BIN)/.built-$(shell cat $(BENCH_GO)/go.mod $(BENCH_GO)/go.sum | sha256sum | cut -c1-12)

$(BENCH_STAMP): $(BENCH_GO)/go.mod $(BENCH_GO)/go.sum
	@command -v go >/dev/null || { echo "make bench-tools: Go is needed"; exit 2; }
	mkdir -p $(BENCH_BIN)
	cd $(BENCH_GO) && go build -trimpath -o $(CURDIR)/$(BENCH_BIN)/ \
		github.com/kubernetes/kompose github.com/yannh/kubeconform/cmd/kubeconform
	touch $@

bench-tools: $(BENCH_STAMP)

# kubealign next to its peers, each figure measured against its baseline in the same run.
bench-peers: $(STAMP) bench-tools
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/peers_validate.py
	$(BIN)/python bench/peers_convert.py
