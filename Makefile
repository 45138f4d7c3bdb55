# DeltaDuck: `make run` and `make test` install what is missing, build, then run.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= 2
DATA ?= data

.PHONY: all setup build build-asan run test bench format clean

all: build

setup:
	@scripts/setup.sh

# Configure once; afterwards ninja notices what changed by itself.
$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDELTADUCK_SANITIZE=ON

build: setup $(BUILD_DIR)/build.ninja
	@cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan: setup $(ASAN_DIR)/build.ninja
	@cmake --build $(ASAN_DIR) -j $(JOBS)

run: build
	@scripts/run.sh $(BUILD_DIR) $(DATA)

test: build build-asan
	@scripts/test.sh $(BUILD_DIR) $(ASAN_DIR)

bench: build
	@$(BUILD_DIR)/bench/deltaduck_bench

# Rewrites sources in place with clang-format (make test only checks).
format:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
