# Traceless: `make test` and `make run` work on a fresh Debian machine; they
# install what is missing first (idempotently, see scripts/deps.sh).

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
# Cargo with libaom built once, in Release, by scripts/build-aom.sh rather than by
# libaom-sys's build script (which builds it again per profile and for clippy):
# with x86 SIMD for what ships, in plain C for the tests (bit-exact, quicker to build).
CARGO_AOM = env $$(bash scripts/build-aom.sh native) $(CARGO)
CARGO_AOM_TEST = env $$(bash scripts/build-aom.sh native-generic) $(CARGO)

.PHONY: all deps build run test fuzz-smoke fuzz-long bench lint clean screenshots repro source-zip store-assets

all: build

deps:
	@bash scripts/deps.sh

build: deps
	$(CARGO_AOM) build --release --workspace
	@bash scripts/build-wasm.sh
	@bash scripts/build-extension.sh

# The extension on a local demo page: Chromium opens with it loaded when there is a
# display; otherwise the demo runs headless and prints what was removed. Then the
# command line on the same photo.
run: build
	@node scripts/demo.mjs
	@bash scripts/demo.sh

# Each step says how long it took (scripts/timed.sh).
TIMED := @bash scripts/timed.sh

test: deps
	$(TIMED) bash scripts/test-deps.sh
	$(TIMED) bash scripts/build-aom.sh native-generic
	$(TIMED) $(CARGO_AOM_TEST) build --workspace --all-targets
	$(TIMED) $(CARGO) fmt --all -- --check
	$(TIMED) $(CARGO_AOM_TEST) clippy --workspace --all-targets --quiet -- -D warnings
	# The core as the image module builds it (no HEVC decoder, video or AVIF): linted too.
	$(TIMED) $(CARGO) clippy -p traceless-core --no-default-features --all-targets --quiet -- -D warnings
	# The fuzz targets build behind the next steps, on the core they leave idle.
	@bash scripts/fuzz-build-behind.sh start $$PPID
	$(TIMED) $(CARGO_AOM_TEST) test --workspace
	$(TIMED) bash scripts/build-wasm.sh
	$(TIMED) bash scripts/test-wasm.sh
	$(TIMED) bash scripts/build-extension.sh
	$(TIMED) bash scripts/test-repro.sh
	$(TIMED) bash scripts/test-extension.sh
	$(TIMED) bash scripts/fuzz-smoke.sh

# Refreshes the README's images in docs/screenshots: the end-to-end suite with its
# screenshots written there (a test run writes them under target/screenshots) and
# fixed test-server ports, so no changing port number shows in them.
screenshots: build
	TRACELESS_SCREENSHOTS=$(CURDIR)/docs/screenshots TRACELESS_TEST_PORT_BASE=47810 \
		node --test --test-concurrency=1 tests/e2e/

# The store listing's images (docs/store), taken from the real extension.
store-assets: build
	TRACELESS_STORE_ASSETS=$(CURDIR)/docs/store node --test --test-concurrency=1 tests/e2e/store.test.mjs

# The source archive for add-on review (addons.mozilla.org), with build steps.
source-zip:
	@bash scripts/source-zip.sh

# Two builds in different folders give the same bytes (wasm modules and zips).
repro: build
	@bash scripts/repro.sh

fuzz-smoke: deps
	@bash scripts/fuzz-smoke.sh

# The long campaign (not part of make test): 10^7 executions per target, without
# a sanitizer (see the script); two targets at a time, about an hour on two cores. Summary: target/fuzz-long.txt.
fuzz-long: deps
	@mkdir -p target
	@FUZZ_RUNS=$${FUZZ_RUNS:-10000000} FUZZ_SANITIZER=$${FUZZ_SANITIZER:-none} \
		FUZZ_SUMMARY=$${FUZZ_SUMMARY:-$(CURDIR)/target/fuzz-long.txt} bash scripts/fuzz-smoke.sh

bench: build
	@command -v ssimulacra2_rs >/dev/null || cargo install ssimulacra2_rs --locked --no-default-features --quiet
	$(CARGO_AOM) build --release -p traceless-core --example encode_speed
	@bash bench/clean-throughput.sh
	@bash bench/heif-throughput.sh
	@bash bench/video-throughput.sh
	@/usr/bin/python3 bench/photos.py sized bench/out/photos 1 5 20
	@/usr/bin/python3 bench/photos.py twelve bench/out/photos 10
	@/usr/bin/python3 bench/photos.py megapixels bench/out/photos
	@/usr/bin/python3 bench/photos.py batch bench/out/batch 50
	@/usr/bin/python3 bench/photos.py heif bench/out/photos bench/out/batch 50
	@/usr/bin/python3 bench/photos.py gifs bench/out/gifs
	@/usr/bin/python3 bench/animation.py
	@node bench/transport.mjs
	@node bench/long-engine-call.mjs
	@node bench/guard.mjs
	@node bench/guard-video.mjs
	@node bench/flood.mjs
	@node bench/converter.mjs
	@BENCH_BATCH=bench/out/batch-heic node bench/converter.mjs
	@node bench/heic.mjs
	@node bench/heic-browse.mjs
	@node bench/codecs.mjs

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO_AOM_TEST) clippy --workspace --all-targets -- -D warnings

clean:
	$(CARGO) clean
