#!/usr/bin/env bash
# Loopback throughput, as ratios measured in one run (docs/benchmarks.md):
#   receiver: rate(mllp-loadgen -> hl7mllp listen) / rate(mllp-loadgen -> mllp-echo), 1 and 8 connections
#   client:   rate(hl7mllp send --repeat -> mllp-echo) / rate(mllp-loadgen -> mllp-echo), 1 connection
# The reference tools live in ../shared/tools (or $HL7MLLP_SHARED/tools). Every process this script starts is
# stopped by its pid on exit; every run is bounded by --messages and --max-seconds.
# ROUNDS (default 5) alternates the pairs that many times and prints every ratio and their median: on a shared
# virtual machine single runs scatter by +-15 %, medians of several rounds far less.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${HL7MLLP_SHARED:-$root/../shared}"
messages="${MESSAGES:-30000}"
rounds="${ROUNDS:-5}"
message_file="${MESSAGE_FILE:-$shared/tools/mllp-loadgen/adt_a01.hl7}"
listen_args="${LISTEN_ARGS:---store memory}"
out="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

build() { dotnet build -c Release -v q -nologo "$1" -o "$out/$2" >/dev/null; }
build "$shared/tools/mllp-echo" echo
build "$shared/tools/mllp-loadgen" loadgen
build "$root/samples/Hl7Mllp.Cli" cli

# Starts a server in the background and waits for its "listening" line; sets $port.
start_server() {
  local log="$out/$1.log"; shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    if grep -Eq 'listening on [0-9.]+:[0-9]+' "$log"; then
      port="$(grep -Eo 'listening on [0-9.]+:[0-9]+' "$log" | head -n 1 | grep -Eo '[0-9]+$')"
      return 0
    fi
    sleep 0.1
  done
  echo "server $1 did not start:" >&2; cat "$log" >&2; return 1
}

loadgen() { # port connections label
  dotnet "$out/loadgen/mllp-loadgen.dll" --port "$1" --connections "$2" --messages "$messages" \
    --message-file "$message_file" --warmup 2000 --max-seconds 60 --label "$3" --quiet | grep -Eo 'rate=[0-9.]+' | cut -d= -f2
}

ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }

echo_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server echo dotnet "$out/echo/mllp-echo.dll" --port "$echo_port"
echo_port=$port
# shellcheck disable=SC2086
start_server listen dotnet "$out/cli/Hl7Mllp.Cli.dll" listen --port 0 --bind 127.0.0.1 --quiet --max-connections 64 $listen_args
listen_port=$port

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "message: $message_file ($(wc -c <"$message_file") bytes), $messages messages per run"
median() { python3 -c "import statistics,sys; print(f'{statistics.median(float(x) for x in sys.argv[1:]):.2f}')" "$@"; }
declare -A ratios
for round in $(seq 1 "$rounds"); do
  for c in 1 8; do
    e=$(loadgen "$echo_port" "$c" "echo-$c")
    l=$(loadgen "$listen_port" "$c" "listen-$c")
    r=$(ratio "$l" "$e"); ratios[receiver$c]+=" $r"
    echo "round $round receiver c=$c: echo=$e/s listen($listen_args)=$l/s ratio=$r"
  done
  e=$(loadgen "$echo_port" 1 "echo-client")
  s=$(dotnet "$out/cli/Hl7Mllp.Cli.dll" send --host 127.0.0.1 --port "$echo_port" --repeat "$messages" --warmup 2000 --quiet "$message_file" \
    | grep -Eo 'rate=[0-9.]+' | cut -d= -f2)
  r=$(ratio "$s" "$e"); ratios[client]+=" $r"
  echo "round $round client c=1: loadgen=$e/s send=$s/s ratio=$r"
done
# shellcheck disable=SC2086
{
  echo "median receiver c=1: $(median ${ratios[receiver1]}) (${ratios[receiver1]# })"
  echo "median receiver c=8: $(median ${ratios[receiver8]}) (${ratios[receiver8]# })"
  echo "median client   c=1: $(median ${ratios[client]}) (${ratios[client]# })"
}
