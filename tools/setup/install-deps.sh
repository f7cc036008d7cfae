#!/usr/bin/env bash
# Installs the Debian packages tfmc needs that this machine lacks.
# Checks first, installs only what is missing, and says what it installs.
# Usage: tools/setup/install-deps.sh [build|test|all]   (default: all)
set -euo pipefail

# Build: Debian's LLVM/MLIR 22 toolchain, clang-22/lld-22, LLVM's OpenMP
# runtime (parallel kernels link libomp; executables then need libomp.so.5),
# Vulkan's headers (the Vulkan runtime opens the loader at run time) and
# spirv-tools (SPIR-V assembler and validator), CMake + Ninja.
build_pkgs=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
            libomp-22-dev libvulkan-dev spirv-tools
            cmake ninja-build)
# Tests: lit comes with llvm-22-tools; Python tests and numeric references use
# Debian's own interpreter and packages (never the pyenv python on PATH). The
# Python frontend imports ONNX (python3-onnx) and PyTorch (python3-torch)
# models; its tests run the ONNX backend cases of libonnx-testdata.
# OpenBLAS and oneDNN are the peers the benchmarks (test/bench) measure.
# Vulkan tests run on Mesa's lavapipe (mesa-vulkan-drivers, with the loader)
# under the Khronos validation layer (vulkan-validationlayers).
test_pkgs=(python3 python3-numpy python3-pytest python3-onnx python3-torch
           libopenblas0-pthread libdnnl-dev
           libonnx-testdata
           mesa-vulkan-drivers vulkan-validationlayers)

case "${1:-all}" in
  build) wanted=("${build_pkgs[@]}") ;;
  test|all) wanted=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "install-deps: unknown package set '$1' (use build, test or all)" >&2; exit 1 ;;
esac
# ccache only speeds up rebuilds; install it when it is there to be had.
optional=(ccache)

is_installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing=()
for p in "${wanted[@]}" "${optional[@]}"; do
  is_installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing missing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
  # Retry without the optional packages so a missing ccache never blocks a build.
  required=()
  for p in "${missing[@]}"; do
    [[ " ${optional[*]} " == *" $p "* ]] || required+=("$p")
  done
  [ ${#required[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${required[@]}"
fi
for p in "${wanted[@]}"; do
  is_installed "$p" || { echo "install-deps: $p is still missing after apt-get" >&2; exit 1; }
done
echo "install-deps: done"
