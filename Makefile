# Ferry build and test entry points. `make test` is what CI runs.
GO        ?= go
LAMBDA_ARCH ?= arm64
BIN       := bin

.PHONY: build test test-short vet bench lambda clean

build:
	$(GO) build -o $(BIN)/ferry ./cmd/ferry

# test installs what the tests need on a fresh Debian machine (it is
# idempotent), starts PostgreSQL, MariaDB and OpenLDAP on loopback in
# temporary directories, runs go vet and the race-enabled test suite, and
# cleans up. With CI set, a missing server fails the run instead of skipping.
test:
	scripts/test.sh

# test-short runs the unit tests only: no servers, no installs.
test-short:
	$(GO) vet ./...
	$(GO) test -short ./...

vet:
	$(GO) vet ./...

bench:
	scripts/bench.sh

# lambda builds the trigger as Lambda's provided.al2023 runtime expects:
# a static binary named bootstrap, zipped.
lambda:
	mkdir -p $(BIN)/lambda-$(LAMBDA_ARCH)
	CGO_ENABLED=0 GOOS=linux GOARCH=$(LAMBDA_ARCH) $(GO) build -tags lambda.norpc,ferry_nosqlite -trimpath -ldflags='-s -w' \
		-o $(BIN)/lambda-$(LAMBDA_ARCH)/bootstrap ./cmd/ferry-lambda
	cd $(BIN)/lambda-$(LAMBDA_ARCH) && rm -f ../ferry-lambda-$(LAMBDA_ARCH).zip && \
		$(GO) run ../../scripts/zipbootstrap.go bootstrap ../ferry-lambda-$(LAMBDA_ARCH).zip

clean:
	rm -rf $(BIN)
