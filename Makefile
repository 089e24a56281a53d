# A thin layer over scripts/, CMake and tests/run.sh. The two commands that
# work on a fresh Debian 12 machine:
#   make demo   build, start the local stack, print what runs where
#   make test   install what is missing, build both targets, run all tiers
# make install PREFIX=...: emnet for programs built outside this tree (the wasm
# library, the native one, headers, CMake package, pkg-config, emnet-config)
# and emnet-proxy with its configuration, unit and man page.
.PHONY: all setup build native native-release wasm install test test-native test-wasm test-browser test-browser-full test-fuzz bench demo clean

EMSCRIPTEN_TOOLCHAIN ?= /usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake
# Native tests run under AddressSanitizer + UBSan; SANITIZE=OFF for a plain build.
SANITIZE ?= ON
JOBS ?= 2
PREFIX ?= /usr/local

all: build

setup:
	@scripts/setup.sh

build: setup native wasm

native:
	@test -f build/native/CMakeCache.txt || \
	  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEMNET_SANITIZE=$(SANITIZE)
	cmake --build build/native -j$(JOBS)

# Optimised, without sanitizers: the native side of benchmarks.
native-release:
	@test -f build/native-release/CMakeCache.txt || \
	  cmake -S . -B build/native-release -DCMAKE_BUILD_TYPE=Release -DEMNET_SANITIZE=OFF
	cmake --build build/native-release -j$(JOBS)

wasm:
	@test -f build/wasm/CMakeCache.txt || \
	  cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=$(EMSCRIPTEN_TOOLCHAIN)
	cmake --build build/wasm -j$(JOBS)

install: native-release wasm
	cmake --install build/wasm --prefix $(PREFIX)
	cmake --install build/native-release --prefix $(PREFIX)

test: build
	tests/run.sh

test-native: setup native
	tests/run.sh native

test-wasm: setup native wasm
	tests/run.sh wasm

test-browser: setup native wasm
	tests/run.sh browser

# Every engine's full list (Firefox and WebKit run part of it in `make test`).
test-browser-full: setup native wasm
	EMNET_BROWSER_MATRIX=full tests/run.sh browser

test-fuzz: setup
	tests/run.sh fuzz

bench: setup native native-release wasm
	scripts/bench.sh

demo: build
	scripts/demo.sh

clean:
	rm -rf build
