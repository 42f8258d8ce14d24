# The two commands the README promises: `make quickstart` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false

.PHONY: venv collection quickstart quickstart-down test test-through-playbook sanity lint unit integration image image-local image-tools image-test fault-matrix test-litellm-1.110

venv:
	scripts/bootstrap

collection: venv
	@mkdir -p .cache/collections/ansible_collections/llmops
	@ln -sfn ../../../.. .cache/collections/ansible_collections/llmops/litellm

# From a clone, the quickstart keeps its state in .cache/quickstart and runs LiteLLM from .venv.
QUICKSTART_VARS := -e quickstart_dir=$(CURDIR)/.cache/quickstart -e quickstart_venv=$(CURDIR)/$(VENV)

quickstart: collection
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-playbook -i localhost, -c local playbooks/quickstart.yml $(QUICKSTART_VARS)

quickstart-down: collection
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-playbook -i localhost, -c local playbooks/quickstart.yml $(QUICKSTART_VARS) -e quickstart_state=absent

sanity: collection
	PATH=$(CURDIR)/$(BIN):$$PATH scripts/sanity

lint: collection
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/ansible-lint --offline -q
	$(BIN)/antsibull-changelog lint

unit: collection
	$(BIN)/python -m pytest tests/unit -q

integration: collection
	$(BIN)/python -m pytest tests/integration -q

# The operator image (docs/operator-image.md): the published build (base image from its registry, kubernetes.core
# from Galaxy), or, where neither is reachable (air-gapped, this project's machines), with a base assembled here.
image:
	scripts/build-operator-image

image-local: image-tools
	scripts/build-operator-image --local-base

# Debian's podman, runc (crun 1.8 refuses hosts with cgroup v1 and v2 mounted side by side) and debootstrap.
image-tools:
	@command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null \
	  || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap; }

# The image run against the Kubernetes API emulator and the test LiteLLM (opt-in: minutes).
image-test: collection image-tools
	LLMOPS_TEST_IMAGE=1 $(BIN)/python -m pytest tests/operator/test_image.py -p no:xdist -q -s

# The fault matrix against a LiteLLM stack of its own (opt-in: minutes; its last result is docs/fault-matrix.md).
fault-matrix: collection
	LLMOPS_TEST_FAULTS=1 $(BIN)/python -m pytest tests/faults -p no:xdist -q -rA

# The module integration tests against LiteLLM 1.110.2 instead of the pinned 1.106.2, on a stack of their own
# (opt-in: ~30 min; docs/litellm-versions.md says how that stack is built and keeps its last result).
LITELLM_TIER_TESTS := $(addprefix tests/integration/test_,access_group.py agent.py budget.py capabilities.py \
	credential.py customer.py gateway_state.py guardrail.py mcp_server.py mcp_toolset.py model.py organization.py \
	tag.py team.py team_info.py team_member.py team_organization_alias.py user.py virtual_key.py \
	virtual_key_rotation.py)

test-litellm-1.110: collection
	env -u LLMOPS_TEST_PROXY_URL -u LLMOPS_TEST_PROXY_KEY -u LLMOPS_TEST_PREMIUM_PROXY_URL \
	  LLMOPS_TEST_LITELLM_VERSION=1.110.2 $(BIN)/python -m pytest $(LITELLM_TIER_TESTS) -p no:xdist -q -rfE

# The static checks run beside pytest, not before it (scripts/test says why); either failing fails the target.
test: collection
	MAKE=$(MAKE) scripts/test

# The same suite with every play through ansible-playbook, none in the test process (tests/lib/inprocess.py): slower.
test-through-playbook: collection
	LLMOPS_TEST_MODULES=playbook MAKE=$(MAKE) scripts/test
