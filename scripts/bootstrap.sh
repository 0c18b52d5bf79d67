#!/usr/bin/env bash
# Installs the few system packages tapeout needs on Debian/Ubuntu when they are missing:
# python3-venv (to make the virtual environment), ngspice (cell characterization), and the
# reference tools the tests compare against: iverilog (netlist syntax) and opensta (binary `sta`).
# Each is skipped when already present.
set -euo pipefail
need=()
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
# ngspice: only `tapeout characterize` (and its tests, which skip without it) simulates.
command -v ngspice >/dev/null 2>&1 || need+=(ngspice)
command -v iverilog >/dev/null 2>&1 || need+=(iverilog)
command -v sta >/dev/null 2>&1 || need+=(opensta)
if ((${#need[@]})); then
    if [[ $(id -u) == 0 ]]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${need[@]}"
fi
