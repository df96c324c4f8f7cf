#!/usr/bin/env python3
"""Durable-file figures for docs/benchmarks.md, measured on loopback with the reference tools of ../shared/tools.

  store:  mllp-loadgen -> `hl7mllp listen --store DIR` (fsync before every ACK), 1 and 8 connections:
          messages/s, and flushes per message when `perf stat` can count the syscalls.
  source: N small files -> `hl7mllp transmit` -> mllp-echo, against `hl7mllp send --repeat N` to the same echo
          server in the same round: files/s, messages/s and their ratio.

usage: python3 tools/filerun.py [store|source|both]   (env: ROUNDS=3, MESSAGES=10000, WARMUP=1000, FILES=20000, WARMUP_FILES=60000,
       FLUSH_COUNTS=0 to run the store without perf stat attached,
       CLI_DIRS=main:DIR_A,new:DIR_B to compare prebuilt CLIs (each round runs them in turn; the store prints the ratios
       to the first, the source each transmitter's ratio to the first CLI's `send`, run between them), LOADGEN_DIR=DIR
       for a prebuilt mllp-loadgen)
Every process it starts is stopped by its pid; every run is bounded (--max-seconds, timeouts).
"""
import os, re, shutil, signal, statistics, subprocess, sys, tempfile, time

import _common
from _common import free_port, root, shared
message_file = os.path.join(shared, "tools", "mllp-loadgen", "adt_a01.hl7")
rounds = int(os.environ.get("ROUNDS", "3"))
work = tempfile.mkdtemp(prefix="hl7mllp-filerun-", dir=os.environ.get("FILERUN_DIR"))  # the disk measured: $FILERUN_DIR or the temp folder
procs = []


def build(project, name):
    return _common.build(project, os.path.join(work, "bin", name))


def start(args, log):
    p, port = _common.start_server(args, log)
    procs.append(p)
    return p, port


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def loadgen(loadgen_dir, port, connections, messages, server_pid):
    out = subprocess.run(["dotnet", os.path.join(loadgen_dir, "mllp-loadgen.dll"), "--port", str(port), "--connections", str(connections),
                          "--messages", str(messages), "--warmup", os.environ.get("WARMUP", "1000"), "--max-seconds", "60", "--message-file", message_file,
                          "--quiet", "--server-pid", str(server_pid)], capture_output=True, text=True, timeout=120).stdout
    cpu = re.search(r"srvcpu/msg=([0-9.]+)us", out)
    return float(re.search(r"rate=([0-9.]+)", out).group(1)), float(cpu.group(1)) if cpu else float("nan")


def store_run(cli, loadgen_dir, connections, messages, perf, folder):
    """One fresh listener over an empty store folder, one load run: (messages/s, {flush syscall: count per message})."""
    p, port = start(["dotnet", os.path.join(cli, "Hl7Mllp.Cli.dll"), "listen", "--port", "0", "--bind", "127.0.0.1", "--quiet",
                     "--max-connections", "64", "--store", folder], os.path.join(work, "listen.log"))
    counter = None
    if perf:
        counter = subprocess.Popen([perf, "stat", "-x,", "-o", os.path.join(work, "perf.txt"), "-e",
                                    "syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_syncfs", "-p", str(p.pid)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(counter)
        time.sleep(0.3)
    rate, cpu = loadgen(loadgen_dir, port, connections, messages, p.pid)
    counts = {"listener-cpu-us": cpu}
    if counter:
        counter.send_signal(signal.SIGINT)
        counter.wait(timeout=15)
        files = max(len([f for f in os.listdir(folder) if not f.startswith(".")]), 1)
        for line in open(os.path.join(work, "perf.txt")):
            fields = line.strip().split(",")
            if len(fields) > 2 and "sys_enter_" in fields[2] and fields[0].isdigit():
                counts[fields[2].rsplit("_", 1)[-1]] = int(fields[0]) / files
    stop(p)
    # The folder stays until the end of the run: on an ext4 without a journal (this machine's disk), inode allocation
    # skips every inode freed in the last minutes, one buffer look-up each, so deleting the previous round's files just
    # before a round would slow its file creation several-fold and measure the harness, not the store.
    return rate, counts


def store(clis, loadgen_dir):
    messages = int(os.environ.get("MESSAGES", "10000"))
    perf = shutil.which("perf") if os.environ.get("FLUSH_COUNTS", "1") != "0" else None
    rates = {(n, c): [] for n in clis for c in (1, 8)}
    flushes = {(n, c): [] for n in clis for c in (1, 8)}
    ratios = {(n, c): [] for n in clis for c in (1, 8)}
    first = next(iter(clis))
    for r in range(rounds):
        for c in (1, 8):
            for name, cli in clis.items():
                rate, counts = store_run(cli, loadgen_dir, c, messages, perf, os.path.join(work, f"store-{name}-{r}-{c}"))
                rates[name, c].append(rate)
                flushes[name, c].append(counts)
                ratios[name, c].append(rate / rates[first, c][-1])
                per_message = " ".join(f"{k}/msg={v:.2f}" for k, v in sorted(counts.items()))
                label = f" {name}" if len(clis) > 1 else ""
                print(f"round {r + 1} store{label} c={c}: {rate:.0f} msgs/s {per_message}", flush=True)
    for c in (1, 8):
        for name in clis:
            summary = ""
            if flushes[name, c]:
                keys = sorted({k for f in flushes[name, c] for k in f})
                summary = " ".join(f"{k}/msg={statistics.median(f.get(k, 0) for f in flushes[name, c]):.2f}" for k in keys)
            label = f" {name}" if len(clis) > 1 else ""
            ratio = ""
            if name != first:
                ratio = f" ratio to {first} {statistics.median(ratios[name, c]):.2f} (per round: {' '.join(f'{x:.2f}' for x in ratios[name, c])})"
            print(f"median store{label} c={c}: {statistics.median(rates[name, c]):.0f} msgs/s {summary}{ratio} "
                  f"(all: {' '.join(f'{x:.0f}' for x in rates[name, c])})")


def cpu_seconds(pid):
    """CPU seconds used so far by a process: (all its threads, its tiered-compilation thread, the JIT's background worker)."""
    total = jit = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        total += ticks
        if stat[stat.index("(") + 1:stat.rindex(")")].startswith(".NET Tiered"):
            jit += ticks
    return total / os.sysconf("SC_CLK_TCK"), jit / os.sysconf("SC_CLK_TCK")


def source_round(cli, port, r, name, files, warmup_files, template, control_id):
    """One transmitter over a fresh inbox of warm-up and timed files: (files/s, transmit CPU s/file, JIT CPU s/file, line)."""
    inbox, archive = os.path.join(work, f"in-{name}-{r}"), os.path.join(work, f"archive-{name}-{r}")
    os.makedirs(inbox)
    os.makedirs(archive)
    # Warm-up files first (older, so sent first): the timing starts when the last of them is archived, as `send
    # --warmup` starts its clock after its warm-up messages; both then measure code the JIT has finished with.
    for i in range(warmup_files):
        with open(os.path.join(inbox, f"w{i:07d}.hl7"), "wb") as f:
            f.write(template.replace(control_id, b"W%02d%016d" % (r, i)))
    for i in range(files):
        with open(os.path.join(inbox, f"m{i:07d}.hl7"), "wb") as f:
            f.write(template.replace(control_id, b"F%02d%016d" % (r, i)))
    os.sync()
    last = os.path.join(inbox, f"m{files - 1:07d}.hl7")
    last_warmup = os.path.join(inbox, f"w{warmup_files - 1:07d}.hl7") if warmup_files > 0 else None
    tx = subprocess.Popen(["dotnet", os.path.join(cli, "Hl7Mllp.Cli.dll"), "transmit", "--dir", inbox + "/*.hl7", "--host", "127.0.0.1",
                           "--port", str(port), "--archive", archive, "--interval", "0.1", "--min-age", "0", "--quiet"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    procs.append(tx)
    while "transmitting" not in (tx.stdout.readline() or "transmitting"):
        pass
    started = time.monotonic()
    while last_warmup and os.path.exists(last_warmup) and time.monotonic() - started < 300:
        time.sleep(0.002)
    started = time.monotonic()
    cpu_before, jit_before = cpu_seconds(tx.pid)
    while os.path.exists(last) and time.monotonic() - started < 300:
        time.sleep(0.002)
    seconds = time.monotonic() - started
    cpu_after, jit_after = cpu_seconds(tx.pid)
    stop(tx)
    os.sync()  # the archive's renames are written back now, not while the next process is timed
    line = f"{len(os.listdir(archive))} archived, {len(os.listdir(inbox))} left"
    shutil.rmtree(inbox)
    shutil.rmtree(archive)
    return files / seconds, (cpu_after - cpu_before) / files, (jit_after - jit_before) / files, line


def source(clis, echo_dir):
    files = int(os.environ.get("FILES", "20000"))
    # The transmitter has about 3 800 methods to compile, most of them three times (tier 0, instrumented, tier 1): after
    # 20 000 files its tiered-compilation thread still took 21 us of CPU per file during the timed part, on 2 cores shared
    # with the echo server. 60 000 leaves it idle (each round prints its CPU per file, so a shortfall shows).
    warmup_files = int(os.environ.get("WARMUP_FILES", "60000"))
    template = open(message_file, "rb").read()
    control_id = re.search(rb"\|ADT\^A01[^|]*\|([^|]+)\|", template).group(1)
    p, port = start(["dotnet", os.path.join(echo_dir, "mllp-echo.dll"), "--port", str(free_port())], os.path.join(work, "echo.log"))
    first_cli = next(iter(clis.values()))
    ratios = {name: [] for name in clis}
    file_rates = {name: [] for name in clis}
    send_rates = []
    for r in range(rounds):
        # `send` of the first CLI in the middle of the round: every transmitter's ratio is against the same baseline.
        names = list(clis)
        half = (len(names) + 1) // 2
        results = {}
        for name in names[:half]:
            results[name] = source_round(clis[name], port, r, name, files, warmup_files, template, control_id)
        send = subprocess.run(["dotnet", os.path.join(first_cli, "Hl7Mllp.Cli.dll"), "send", "--host", "127.0.0.1", "--port", str(port),
                               "--repeat", str(files), "--warmup", str(warmup_files), "--quiet", message_file], capture_output=True, text=True, timeout=300)
        send_rate = float(re.search(r"rate=([0-9.]+)", send.stdout + send.stderr).group(1))
        send_rates.append(send_rate)
        for name in names[half:]:
            results[name] = source_round(clis[name], port, r, name, files, warmup_files, template, control_id)
        for name, (file_rate, cpu, jit, line) in results.items():
            file_rates[name].append(file_rate)
            ratios[name].append(file_rate / send_rate)
            label = f" {name}" if len(clis) > 1 else ""
            print(f"round {r + 1} source{label}: {file_rate:.0f} files/s ({line}) send {send_rate:.0f} msgs/s ratio {file_rate / send_rate:.2f}; "
                  f"transmit cpu/file={cpu * 1e6:.1f}us of which jit {jit * 1e6:.1f}us", flush=True)
    stop(p)
    for name in clis:
        label = f" {name}" if len(clis) > 1 else ""
        print(f"median source{label}: {statistics.median(file_rates[name]):.0f} files/s, send {statistics.median(send_rates):.0f} msgs/s, "
              f"ratio {statistics.median(ratios[name]):.2f} (all: {' '.join(f'{x:.2f}' for x in ratios[name])})")


try:
    what = sys.argv[1] if len(sys.argv) > 1 else "both"
    prebuilt = os.environ.get("CLI_DIRS")
    clis = dict(item.split(":", 1) for item in prebuilt.split(",")) if prebuilt else {"cli": build(os.path.join(root, "samples", "Hl7Mllp.Cli"), "cli")}
    with open("/proc/loadavg") as f:
        print(f"machine: {os.cpu_count()} cores, load {' '.join(f.read().split()[:3])}; message {message_file}")
    if what in ("store", "both"):
        store(clis, os.environ.get("LOADGEN_DIR") or build(os.path.join(shared, "tools", "mllp-loadgen"), "loadgen"))
    if what in ("source", "both"):
        source(clis, build(os.path.join(shared, "tools", "mllp-echo"), "echo"))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
    shutil.rmtree(work, ignore_errors=True)
