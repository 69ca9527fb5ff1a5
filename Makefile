# Corral — the two commands people run are `make up` and `make test`.
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev pkg-config busybox-static umoci zlib1g-dev libssl-dev

.PHONY: deps build test up sim clean

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

## test: build everything and run the whole test suite (simulation seeds, crash test, containers).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## up: a local cluster on loopback: 3 masters, an agent and a demo job; Ctrl-C stops it.
up: build
	.build/debug/corral up --masters 3

## sim: a long deterministic simulation sweep.
sim: deps
	$(SWIFT) build -c release
	.build/release/corral sim --seeds 10000

clean:
	rm -rf .build
