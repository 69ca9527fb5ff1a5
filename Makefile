# Corral — the two commands people run are `make up` and `make test`.
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev pkg-config busybox-static umoci zlib1g-dev libssl-dev libcurl4-openssl-dev libcrypt-dev iptables iproute2 skopeo docker-registry apache2-utils openssl python3 python3-prometheus-client runc chromium

.PHONY: deps build release test up sim clean proto chaos chaos-smoke

## deps: install the Debian packages Corral needs, only when they are missing.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

## release: the build to deploy and to benchmark: optimized, with the Swift runtime and
## Foundation linked in statically (each fork of a supervisor or container init then copies a
## third of the mappings), libcurl (for FoundationNetworking), liblmdb and libc from the system.
## Only the products: the test support target needs the Testing module, which has no static build.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -lcurl --product corral
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker -lcurl --product corral-chaos

## test: build everything, run the whole test suite (simulation seeds, crash test, containers),
## then the chaos smoke run against real master quorums.
## The chaos tests run real clusters (masters, agents, containers) and hold them to liveness
## bounds, so they run on their own after the rest instead of beside 700 other tests; the 200
## whole-cluster simulation seeds keep both cores busy for a minute and a half, so they run
## on their own too, not beside tests that time real processes.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip CorralChaosTests --skip ClusterSimulationTests
	$(SWIFT) test --skip-build --filter ClusterSimulationTests
	$(SWIFT) test --skip-build --filter CorralChaosTests
	$(MAKE) --no-print-directory chaos-smoke

## up: a local cluster on loopback: 3 masters, an agent and a demo job; Ctrl-C stops it.
up: build
	.build/debug/corral up --masters 3

## sim: long deterministic simulation sweeps: the Raft cluster, then the whole cluster
## (masters, agents, schedulers; about two hours on 2 cores).
sim: deps
	$(SWIFT) build -c release --product corral
	.build/release/corral sim --seeds 10000
	.build/release/corral sim --cluster --seeds 10000

## chaos: every scenario in Chaos/Scenarios against real master quorums, 10 seeds each, then a
## table; reports in chaos-reports/<scenario>-<seed>/ (see Chaos/README.md).
chaos: build
	$$($(SWIFT) build --show-bin-path)/corral-chaos sweep --scenarios Chaos/Scenarios --seeds 10

## chaos-smoke: a short subset of the matrix (three scenarios, one seed each, under 1.5 minutes).
chaos-smoke: build
	$$($(SWIFT) build --show-bin-path)/corral-chaos sweep --scenarios Chaos/Scenarios --seeds 1 --first-seed 42 \
	  --only leader-kill-under-load,paused-leader,isolate-leader --reports chaos-reports/smoke

clean:
	rm -rf .build

## proto: regenerate Sources/CorralProtobuf/Generated from Sources/CorralProtobuf/Protos with
## protoc (Debian's protobuf-compiler) and protoc-gen-swift built from the swift-protobuf package.
## The generated code is checked in, so building Corral needs neither.
PROTO_DIR := Sources/CorralProtobuf/Protos
PROTO_OUT := Sources/CorralProtobuf/Generated
proto:
	@command -v protoc >/dev/null && [ -f /usr/include/google/protobuf/duration.proto ] || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler libprotobuf-dev)
	$(SWIFT) build --product protoc-gen-swift
	rm -f $(PROTO_OUT)/*.pb.swift
	cd $(PROTO_DIR) && protoc --plugin=protoc-gen-swift=$$(cd $(CURDIR) && $(SWIFT) build --show-bin-path)/protoc-gen-swift \
	  --swift_out=$(CURDIR)/$(PROTO_OUT) --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
	  -I . -I /usr/include $$(find . -name '*.proto' | sed 's|^\./||' | sort)
