# Gantry's build. Every target installs what it needs: a fresh machine needs Go, Node/npm
# and Java 17 (for DynamoDB Local), nothing else.

GO        ?= go
NPM       ?= npm
CDK       := node_modules/.bin/cdk
LAMBDA_DIR := dist/lambda
FUNCTIONS := api render deploy record notify events sync poll
GANTRY_ADDR ?= 127.0.0.1:8080
GANTRY_ACCOUNTS ?=
GANTRY_REGIONS ?=

.PHONY: all deps awscli chromium web web-test dev test faults race bench build lambdas synth deploy deploy-connection deploy-forwarding lint fmt clean

all: build

# deps installs the Node tools (DynamoDB Local, the CloudFormation resource specification,
# the ASL validator, the CDK CLI) exactly as package-lock.json pins them, and the Go modules.
deps: node_modules/.installed
	$(GO) mod download

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

# dev runs the whole platform locally on $(GANTRY_ADDR), the web console at /; Ctrl-C stops
# everything it started.
dev: deps web
	$(GO) run ./cmd/gantry-local --addr $(GANTRY_ADDR) --accounts "$(GANTRY_ACCOUNTS)" --regions "$(GANTRY_REGIONS)"

# awscli installs Debian's aws CLI (v2.9), which the wire-protocol contract test runs, and
# jq, which the CodeBuild provisioning test's sample bundle (cdk-to-proton.sh) runs.
awscli:
	@test -x /usr/bin/aws || { apt-get update -qq && apt-get install -y -qq awscli; }
	@test -x /usr/bin/jq || { apt-get update -qq && apt-get install -y -qq jq; }

# chromium installs Debian's Chromium, which the console's browser suite drives headless.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium; }

# web builds the console (web/dist): npm ci, the API client's types generated from the API's
# OpenAPI document, the TypeScript check and vite build. Each step runs only when its inputs
# changed, so a second make test or make dev does not build again.
WEB_INPUTS := $(shell find web/src web/public -type f -not -path 'web/src/api/openapi.json' -not -path 'web/src/api/schema.d.ts' 2>/dev/null) \
	web/index.html web/vite.config.ts web/tsconfig.json
API_INPUTS := $(wildcard internal/api/*.go internal/apimodel/*.go cmd/gantry-openapi/*.go)

web: web/dist/index.html

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

web/src/api/schema.d.ts: web/node_modules/.installed web/scripts/gen-api.mjs $(API_INPUTS)
	cd web && GO=$(GO) node scripts/gen-api.mjs
	@touch $@

web/dist/index.html: web/node_modules/.installed web/src/api/schema.d.ts $(WEB_INPUTS)
	cd web && $(NPM) run --silent build

# web-test runs the console's unit and component tests (Vitest), checks that its API types
# match the API's route table, then the browser suite (web/e2e/run.mjs: Chromium against a
# real gantry-local on a free port; screenshots in web/artefacts).
web-test: web chromium
	cd web && npx vitest run
	cd web && GO=$(GO) node scripts/gen-api.mjs --check
	cd web && GO=$(GO) node e2e/run.mjs

# test runs every test: unit, store (on DynamoDB Local), CDK assertions, end to end, and the
# web console's (Vitest, then the browser suite).
test: deps awscli
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(MAKE) web-test

# faults runs the fault suite (internal/faults, build tag faults): the real gantry-local
# binary under kills, DynamoDB Local dying, concurrent retries, hostile templates and bad
# clients; it prints a table of case, end state, time to terminal and peak RSS.
faults: deps
	$(GO) vet -tags faults ./internal/faults
	$(GO) test -tags faults -count=1 -v -timeout 15m ./internal/faults

# bench prints the figures the issues ask for: API latency at 50 concurrent clients beside
# a raw DynamoDB Local GetItem (same run), the platform's overhead per deployment, the
# conformance suite's rendering time, the store's round trips (with ListServiceInstances by
# template version over 10,000 instances: p50 per page), and each Lambda function's cold
# start under the Lambda runtime emulator with its binary size, and a fleet preview of
# 1,000 service instances (goal: ≤ 2 s).
# race runs the concurrent packages' tests under the race detector (needs cgo: gcc).
race: deps
	$(GO) test -race -count=1 ./internal/local ./internal/workflow ./internal/control ./internal/api \
		./internal/statemachine ./internal/eventbus ./internal/cfnsim ./internal/store ./internal/auth

bench: deps
	$(GO) test -run '^$$' -bench APILatency -benchtime 4000x ./internal/local
	$(GO) test -run '^$$' -bench DeploymentOverhead -benchtime 300x ./internal/local
	$(GO) test -run '^$$' -bench RenderConformance -benchmem ./internal/render
	$(GO) test -run '^$$' -bench HostileTemplates -benchtime 1x ./internal/render
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./internal/store
	$(GO) test -run '^$$' -bench RefuseGzipBomb -benchmem ./internal/bundle
	$(GO) test -run '^$$' -bench ColdInit -benchtime 20x ./internal/lambdarie
	$(GO) test -run '^$$' -bench FleetPreview -benchtime 3x -timeout 30m ./internal/local

build:
	$(GO) build ./...

lambdas:
	@for f in $(FUNCTIONS); do \
		echo "build $$f"; \
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags='-s -w' \
			-o $(LAMBDA_DIR)/$$f/bootstrap ./functions/$$f || exit 1; \
	done

synth: deps lambdas web
	$(CDK) synth --quiet

deploy: deps lambdas web
	$(CDK) deploy GantryData Gantry

# In an environment account (its credentials): the role Gantry assumes there and the rule
# forwarding its stack events, e.g. make deploy-connection PLATFORM_ACCOUNT=111111111111
# CONNECTION_IDS=id1,id2 (see README, "Environments in other accounts").
deploy-connection: deps lambdas web
	$(CDK) deploy GantryConnection --parameters PlatformAccountId=$(PLATFORM_ACCOUNT) --parameters ConnectionIds=$(or $(CONNECTION_IDS),pending)

# deploy-forwarding deploys, with the current credentials, the forwarding stack of REGION (one
# of gantry:regions): its stack events go to Gantry's bus in gantry:platformRegion, e.g. make
# deploy-forwarding REGION=us-west-2 PLATFORM_ACCOUNT=111111111111, in Gantry's account and in
# each environment account with environments there (see README, "Environments in other regions").
deploy-forwarding: deps lambdas web
	$(CDK) deploy GantryForwarding-$(REGION) --parameters PlatformAccountId=$(PLATFORM_ACCOUNT)

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go')); test -z "$$bad" || (echo "gofmt would change: $$bad" && false)
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf dist cdk.out .gantry web/dist web/artefacts
