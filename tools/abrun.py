#!/usr/bin/env python3
"""A/B load runs of receiver builds against the no-work echo server, alternated in one run (docs/benchmarks.md).

  python3 tools/abrun.py ROUNDS NAME="server command" [NAME2="server command" ...]

Each server command must print `listening on ADDR:PORT` (as `hl7mllp listen` does) and bind 127.0.0.1. The echo server
of ../shared/tools (or $HL7MLLP_SHARED/tools) is always included. Per round and per connection count (1 and 8), every
server gets one `mllp-loadgen` run; the ratio to the echo server's run of the same round is recorded. It prints, per
server, the median rate and the median ratio with every round's ratio. Two builds of the same code (an A/A control)
show the noise. Env: MSGS (default 20000), WARMUP (2000), MSGFILE (the load generator's ADT). Every process it starts
is stopped by its pid; every run is bounded (--messages, --max-seconds).

Example, main's CLI against a branch's (build each with `dotnet build -c Release samples/Hl7Mllp.Cli -o DIR`):
  python3 tools/abrun.py 5 main="dotnet A/Hl7Mllp.Cli.dll listen --port 0 --bind 127.0.0.1 --quiet --store memory" \\
                           new="dotnet B/Hl7Mllp.Cli.dll listen --port 0 --bind 127.0.0.1 --quiet --store memory"
"""
import os, re, statistics, subprocess, sys, tempfile

from _common import build, free_port, shared, start_server

rounds = int(sys.argv[1])
messages = os.environ.get("MSGS", "20000")
warmup = os.environ.get("WARMUP", "2000")
message_file = os.environ.get("MSGFILE", os.path.join(shared, "tools", "mllp-loadgen", "adt_a01.hl7"))
work = tempfile.mkdtemp(prefix="hl7mllp-abrun-")
tools = {}
for tool in ("mllp-echo", "mllp-loadgen"):
    tools[tool] = os.path.join(build(os.path.join(shared, "tools", tool), os.path.join(work, tool)), tool + ".dll")

servers = [("echo", f"dotnet {tools['mllp-echo']} --port {free_port()}")] + [tuple(a.split("=", 1)) for a in sys.argv[2:]]
procs, ports = {}, {}


def run(port, connections, count):
    out = subprocess.run(["dotnet", tools["mllp-loadgen"], "--port", str(port), "--connections", str(connections),
                          "--messages", str(count), "--warmup", warmup, "--max-seconds", "60", "--message-file", message_file,
                          "--quiet"], capture_output=True, text=True, timeout=120).stdout
    return float(re.search(r"rate=([0-9.]+)", out).group(1))


try:
    for name, command in servers:
        procs[name], ports[name] = start_server(command.split(), os.path.join(work, name + ".log"))
    for name, _ in servers:
        run(ports[name], 8, 3000)  # JIT and pool warm-up
    rates = {(name, c): [] for name, _ in servers for c in (1, 8)}
    for _ in range(rounds):
        for c in (1, 8):
            for name, _ in servers:
                rates[(name, c)].append(run(ports[name], c, messages))
    for c in (1, 8):
        echo = rates[("echo", c)]
        for name, _ in servers:
            ratios = [a / b for a, b in zip(rates[(name, c)], echo)]
            print(f"c={c} {name:12s} rate median={statistics.median(rates[(name, c)]):8.0f}/s  "
                  f"ratio median={statistics.median(ratios):.2f}  rounds: {' '.join(f'{r:.2f}' for r in ratios)}")
finally:
    for process in procs.values():
        process.kill()
        process.wait()
