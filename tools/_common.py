"""Helpers shared by tools/abrun.py and tools/filerun.py: where the reference tools are, building a project,
a free loopback port, and starting a server that prints `listening on ADDR:PORT`."""
import os, re, socket, subprocess, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.environ.get("HL7MLLP_SHARED", os.path.join(root, "..", "shared"))


def build(project, out):
    """Builds a project in Release into the folder out."""
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", project, "-o", out], check=True, stdout=subprocess.DEVNULL)
    return out


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, log):
    """Starts a server with its output in log and waits (bounded) for its `listening on` line: (process, port)."""
    with open(log, "w") as out:  # the child keeps its own copy of the handle
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    for _ in range(300):
        with open(log) as f:
            found = re.search(r"listening on [0-9.]+:(\d+)", f.read())
        if found:
            return process, int(found.group(1))
        time.sleep(0.05)
    process.kill()
    process.wait()
    raise RuntimeError("no 'listening on' line in " + log)
