# tfmc — thin wrapper over CMake + Ninja. `make test` is all a fresh clone needs.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
LLVM_PREFIX ?= /usr/lib/llvm-22
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all build deps configure test demo docs clean

all: build

deps:
	@tools/setup/install-deps.sh all

$(BUILD_DIR)/build.ninja: | deps
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=$(LLVM_PREFIX)/bin/clang \
	  -DCMAKE_CXX_COMPILER=$(LLVM_PREFIX)/bin/clang++ \
	  -DMLIR_DIR=$(LLVM_PREFIX)/lib/cmake/mlir \
	  -DLLVM_DIR=$(LLVM_PREFIX)/lib/cmake/llvm

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Compiles and runs the bundled example model (docs/examples/transformer),
# writing into $(BUILD_DIR)/demo/.
demo: build
	BUILD_DIR=$(BUILD_DIR) docs/examples/transformer/demo.sh

# Regenerates the committed dialect and pass reference (docs/reference/) from ODS.
docs: build
	cmake --build $(BUILD_DIR) --target tfmc-docs
	cp $(BUILD_DIR)/docs/Tfm/*.md docs/reference/

clean:
	rm -rf $(BUILD_DIR)
