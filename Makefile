# The two commands the README promises: `make quickstart` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false

.PHONY: venv collection quickstart quickstart-down test sanity lint unit integration

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

test: sanity lint
	$(BIN)/python -m pytest tests -q --durations=40 -n 2 --dist loadfile
