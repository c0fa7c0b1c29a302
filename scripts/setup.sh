#!/usr/bin/env bash
# Installs everything rewardguard needs on Debian 12: the C++ libraries from
# Debian's packages and a project venv (.venv) with the pinned Python packages
# of requirements.txt (and, for the trainer integrations, requirements-trainers.txt).
# Idempotent: a second run checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  cmake ninja-build g++ pkg-config python3-venv
  libabsl-dev libre2-dev libyaml-cpp-dev libsimdjson-dev libcli11-dev libfmt-dev
  libsqlite3-dev libeigen3-dev pybind11-dev libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The venv is reused while requirements.txt is unchanged.
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv with the pinned Python packages (torch is large: a few minutes the first time)"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

# The trainer integrations' libraries (TRL, veRL, SkyRL-gym, Ray): one fully
# resolved set, installed without resolution so that veRL's tensordict pin
# cannot replace the one torchrl needs (see requirements-trainers.txt).
# REWARDGUARD_SKIP_TRAINERS=1 leaves them out (the core needs none of them).
trainers_stamp=.venv/.requirements-trainers.sha256
trainers_want=$(cat requirements.txt requirements-trainers.txt | sha256sum | cut -d' ' -f1)
if [ "${REWARDGUARD_SKIP_TRAINERS:-0}" != 1 ] \
   && [ "$(cat "$trainers_stamp" 2>/dev/null)" != "$trainers_want" ]; then
  echo "setup: installing the trainer integrations' pinned packages (TRL, veRL, SkyRL-gym, Ray)"
  .venv/bin/python -m pip install -q --no-deps -r requirements-trainers.txt
  echo "$trainers_want" > "$trainers_stamp"
fi
