#!/usr/bin/python3
"""scripts/calibrate's driver: real nginx / HAProxy beside infrasim, one table.

For every case in calibration/cases/*.yaml (one data file per case: the real
setup, the faults, the infrasim scenario(s) of the same setup and the metrics):

  1. the real system on 127.0.0.0/8, inside a network namespace this script
     creates: open-loop load generator -> nginx or HAProxy -> 3 backend processes,
     faults injected into the backends by PID (kill -9, SIGSTOP/SIGCONT, restart)
     or by an nftables rule (blackhole); repeated (3 times by default);
  2. the same topology and scenario in infrasim (as many seeds as repeats);
  3. each metric computed the same way from both (client-side records and proxy
     logs; report.json), compared against its tolerance.

Before the cases, a saturation run measures what the backends' CPU really gives
(completions per second when overloaded) and a probe measures the proxy's own
latency; loads are fractions of that capacity and infrasim gets those measured
inputs (service demand, proxy latency) through --set, never the real outputs.

Every process is started by this script, recorded by PID, and stopped by PID on
exit, on error and on Ctrl-C. docs/calibration.md explains the method.

usage: calibrate.py [--quick] [--case NAME]... [--repeats N] [--out DIR] [--keep-raw]
exit: 0 every case agrees or is a known gap; 1 a case disagrees; 2 bad case file or
      missing tool; 3 the real system could not be run.
"""
import argparse
import atexit
import datetime
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALIB = os.path.join(ROOT, "calibration")
BUILD = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build"))
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)

LB_PORT = 8080
BACKEND_PORT0 = 8081
TOLERANCE = {"latency": 0.15, "count": 0.10}  # relative, or the real plus the simulated spread if larger


class CaseError(Exception):
    """A malformed case file: reported as file: message, exit 2."""


class RunError(Exception):
    """The real system could not be run (a tool failed to start): exit 3."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- processes ----------------------------------------------------------------------------------------


class Processes:
    """Every process this script starts, stopped by PID (SIGCONT first: a frozen one must see SIGTERM)."""

    def __init__(self):
        self.procs = []  # (name, Popen)
        self.lock = threading.Lock()

    def start(self, name, argv, stdout=None, stderr=None):
        p = subprocess.Popen(argv, stdout=stdout or subprocess.DEVNULL, stderr=stderr or subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        with self.lock:
            self.procs.append((name, p))
        return p

    def stop(self, p, grace=2.0):
        if p.poll() is not None:
            return
        for sig in (signal.SIGCONT, signal.SIGTERM):
            try:
                os.kill(p.pid, sig)
            except ProcessLookupError:
                return
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            try:
                os.kill(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()

    def stop_all(self):
        with self.lock:
            procs = list(reversed(self.procs))
            self.procs = []
        for _, p in procs:
            self.stop(p)


PROCS = Processes()


class Namespace:
    """A network namespace of our own (its loopback carries 127.0.0.0/8 and its own nftables), or the
    host's namespace when `ip netns add` is not allowed (then the blackhole cases cannot run)."""

    def __init__(self):
        self.name = None
        self.reason = None

    def create(self):
        name = f"infrasim-calib-{os.getpid()}"
        try:
            subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as e:
            self.reason = f"ip netns add failed ({getattr(e, 'stderr', '') or e})".strip()
            return False
        self.name = name
        subprocess.run(self.wrap(["ip", "link", "set", "lo", "up"]), check=True)
        if shutil.which("nft") is None:
            self.reason = "nft (nftables) is not installed"
        else:
            r = subprocess.run(self.wrap(["nft", "add", "table", "inet", "calib"]), capture_output=True, text=True)
            if r.returncode != 0:
                self.reason = f"nft failed in the namespace: {r.stderr.strip()}"
        return True

    def wrap(self, argv):
        return ["ip", "netns", "exec", self.name] + argv if self.name else argv

    def pids(self):
        if not self.name:
            return []
        r = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True)
        return [int(x) for x in r.stdout.split()]

    def destroy(self):
        if not self.name:
            return
        # A process a proxy started itself (nginx's worker) would outlive its master only if the
        # master was killed: stop whatever is left in our namespace, by PID.
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        self.name = None


NS = Namespace()


class Priority:
    """Keeps other work on a shared machine from disturbing the measurement.

    The load generator and the proxy are event loops that sleep most of the time: real-time priority
    (SCHED_FIFO 10) keeps other processes from delaying them by milliseconds. The backends spin on the
    CPU and must time-share it (processor sharing, as infrasim models), so they stay in the normal
    scheduler, in a cpu cgroup of their own with the largest weight (cpu.shares 262144): other
    processes get their core only when the backends leave it idle. Where cgroups cannot be created,
    the backends run at nice -10 instead (weaker: the report says which)."""

    def __init__(self):
        self.rt = shutil.which("chrt") is not None and subprocess.run(
            ["chrt", "-f", "10", "true"], capture_output=True).returncode == 0
        self.cgroup = None
        base = "/sys/fs/cgroup/cpu"
        if os.path.exists(os.path.join(base, "cpu.shares")):
            path = os.path.join(base, f"infrasim-calib-{os.getpid()}")
            try:
                os.mkdir(path)
                with open(os.path.join(path, "cpu.shares"), "w") as f:
                    f.write("262144")
                self.cgroup = path
            except OSError:
                if os.path.isdir(path):
                    os.rmdir(path)
        self.nice = self.cgroup is None and subprocess.run(
            ["nice", "-n", "-10", "true"], capture_output=True).returncode == 0

    def describe(self):
        return (("SCHED_FIFO for the proxy and the load generator" if self.rt else "no real-time priority") +
                "; backends " + ("in a cpu cgroup of weight 262144" if self.cgroup else
                                 "at nice -10" if self.nice else "at normal priority"))

    def event_loop(self, argv):
        return ["chrt", "-f", "10"] + argv if self.rt else argv

    def cpu_bound(self, argv):
        if self.cgroup:
            # The shell moves itself into the cgroup, then becomes the backend (same PID).
            return ["sh", "-c", f'echo $$ > {self.cgroup}/cgroup.procs && exec "$@"', "sh"] + argv
        return ["nice", "-n", "-10"] + argv if self.nice else argv

    def destroy(self):
        if self.cgroup and os.path.isdir(self.cgroup):
            for _ in range(50):
                try:
                    os.rmdir(self.cgroup)
                    break
                except OSError:
                    time.sleep(0.1)
        self.cgroup = None


def cpus():
    """(backend cpu list, proxy + generator cpu list): the backends alone on CPU 1 when there are two."""
    n = os.cpu_count() or 1
    if n >= 2:
        return "1", "0"
    return "0", "0"


# ---- case files ---------------------------------------------------------------------------------------


def parse_duration(v, where):
    if isinstance(v, (int, float)):
        return float(v)
    m = re.fullmatch(r"\s*([0-9.]+)\s*(us|ms|s|m)\s*", str(v))
    if not m:
        raise CaseError(f"{where}: invalid duration '{v}'; expected a duration like 500ms, 20s or 1m")
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[m.group(2)]


KNOWN_KEYS = {"name", "description", "quick", "proxy", "config", "vars", "backends", "load", "faults", "sim",
              "metrics", "check_interval"}
METRIC_KINDS = {"throughput", "latency", "window_p99_max", "errors", "served", "event", "accepted", "rejected",
                "tries"}


def load_case(path, quick):
    where = os.path.relpath(path, ROOT)
    try:
        with open(path) as f:
            c = yaml.safe_load(f)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise CaseError(f"{where}{at}: invalid YAML ({getattr(e, 'problem', None) or e}); expected a case "
                        "file as described in docs/calibration.md")
    if not isinstance(c, dict):
        raise CaseError(f"{where}: expected a mapping with name, proxy, backends, load, sim and metrics")
    unknown = set(c) - KNOWN_KEYS
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; expected {', '.join(sorted(KNOWN_KEYS))}")
    for k in ("name", "proxy", "config", "backends", "load", "sim", "metrics"):
        if k not in c:
            raise CaseError(f"{where}: missing '{k}'")
    if c["proxy"] not in ("nginx", "haproxy"):
        raise CaseError(f"{where}: proxy '{c['proxy']}'; expected nginx or haproxy")
    c["file"] = where
    load = c["load"]
    if quick and "quick" in load:
        load.update(load["quick"])
    load["duration"] = parse_duration(load.get("duration", "20s"), where + ": load.duration")
    load["warmup"] = parse_duration(load.get("warmup", 0), where + ": load.warmup")
    load["timeout"] = parse_duration(load.get("timeout", "10s"), where + ": load.timeout")
    if ("fraction" in load) == ("sources" in load):
        raise CaseError(f"{where}: load needs exactly one of fraction (of the measured capacity) or sources")
    c["check_interval"] = parse_duration(c.get("check_interval", "2s"), where + ": check_interval")
    for i, fault in enumerate(c.get("faults") or []):
        if not isinstance(fault, dict) or "at" not in fault:
            raise CaseError(f"{where}: faults[{i}] needs at and action, like {{at: 10s, action: kill, backend: 1}}")
        fault["at"] = parse_duration(fault["at"], f"{where}: faults[{i}].at")
        if fault.get("action") not in ("kill", "stop", "cont", "restart", "blackhole", "unblackhole"):
            raise CaseError(f"{where}: faults[{i}].action '{fault.get('action')}'; expected kill, stop, cont, "
                            "restart, blackhole or unblackhole")
    faults = len(c.get("faults") or [])
    for i, m in enumerate(c["metrics"]):
        if not isinstance(m, dict) or m.get("kind") not in METRIC_KINDS:
            raise CaseError(f"{where}: metrics[{i}].kind '{m.get('kind') if isinstance(m, dict) else m}'; "
                            f"expected one of {', '.join(sorted(METRIC_KINDS))}")
        needs = {"latency": ["q"], "served": ["backend"], "tries": ["backend"],
                 "event": ["event", "backend", "fault"]}.get(m["kind"], [])
        for k in ["name"] + needs:
            if k not in m:
                raise CaseError(f"{where}: metrics[{i}] ({m['kind']}) needs '{k}'")
        if m["kind"] == "event" and (m["event"] not in ("down", "up") or not 0 <= m["fault"] < faults):
            raise CaseError(f"{where}: metrics[{i}]: event must be down or up and fault an index into the "
                            f"{faults} fault(s)")
        for k in ("from", "to"):
            if k in m:
                if m[k] == "warmup":
                    m[k] = load["warmup"]
                elif m[k] == "end":
                    m[k] = load["duration"]
                else:
                    m[k] = parse_duration(m[k], f"{where}: metrics[{i}].{k}")
        m.setdefault("from", load["warmup"])
        m.setdefault("to", load["duration"])
    for i, s in enumerate(c["sim"]):
        if "model" not in s or "scenario" not in s:
            raise CaseError(f"{where}: sim[{i}] needs model and scenario")
        s["scenario_path"] = os.path.normpath(os.path.join(os.path.dirname(path), s["scenario"]))
        # A longer simulated run estimates the model's own percentiles more precisely; only where every
        # metric is a rate or a percentile over [warmup, end] (no fault times to keep).
        s["duration"] = parse_duration(s["duration"], f"{where}: sim[{i}].duration") if "duration" in s else None
        if s["duration"] is not None and c.get("faults"):
            raise CaseError(f"{where}: sim[{i}].duration is only for cases without faults")
        if not os.path.exists(s["scenario_path"]):
            raise CaseError(f"{where}: sim[{i}].scenario {s['scenario']} does not exist")
    return c


# ---- the real system ----------------------------------------------------------------------------------


def render(template_name, values):
    with open(os.path.join(CALIB, "proxy", template_name)) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("@@" + k + "@@", str(v))
    left = re.findall(r"@@[A-Z_]+@@", text)
    if left:
        raise CaseError(f"calibration/proxy/{template_name}: no value for {', '.join(sorted(set(left)))}")
    return text


class LineLog:
    """Reads a process's output line by line in a thread and stamps each line with time.monotonic()."""

    def __init__(self, stream):
        self.lines = []
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip("\n")))

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, line in self.lines:
                if re.search(pattern, line):
                    return line
            time.sleep(0.01)
        return None


def wait_port(port, timeout=5.0, addr="127.0.0.1"):
    """Waits until something accepts on addr:port inside our namespace (probed with the load generator's
    own socket code would need a process; a short nsenter-free check is a connect from inside)."""
    deadline = time.monotonic() + timeout
    probe = NS.wrap([sys.executable, "-c",
                     f"import socket,sys\ns=socket.socket()\ns.settimeout(0.5)\n"
                     f"sys.exit(s.connect_ex(('{addr}',{port})))"])
    while time.monotonic() < deadline:
        if subprocess.run(probe, capture_output=True).returncode == 0:
            return True
        time.sleep(0.05)
    return False


class RealRun:
    """One repeat of a case on the real system."""

    def __init__(self, case, env, rate_per_source, seed, run_dir):
        self.case = case
        self.env = env
        self.rates = rate_per_source  # [(address or "", rate)]
        self.seed = seed
        self.dir = run_dir
        self.backends = {}  # index -> Popen
        self.events = []  # (t, what, backend)
        self.proxy_log = None
        self.path = "/work"  # the probe asks for /healthz
        self.cpu_seconds = 0.0  # the backends' CPU time, read before they stop (0 for a killed one)

    def backend_argv(self, i):
        b = self.case["backends"]
        argv = [os.path.join(BUILD, "infrasim-calib-backend"), "--listen", f"127.0.0.1:{BACKEND_PORT0 + i}",
                "--name", f"b{i}", "--workers", str(b["workers"]), "--service", self.env["service"],
                "--seed", str(self.seed * 10 + i)]
        # The cgroup move comes first: `ip netns exec` mounts a sysfs of its own, without /sys/fs/cgroup.
        return self.env["prio"].cpu_bound(NS.wrap(["taskset", "-c", self.env["backend_cpus"]] + argv))

    def start_backend(self, i):
        out = open(os.path.join(self.dir, f"b{i}.out"), "ab")
        p = PROCS.start(f"b{i}", self.backend_argv(i), stdout=out, stderr=out)
        self.backends[i] = p
        if not wait_port(BACKEND_PORT0 + i):
            raise RunError(f"backend b{i} did not start (see {self.dir}/b{i}.out)")
        return p

    def start_proxy(self):
        c = self.case
        n = c["backends"]["count"]
        values = {k.upper(): v for k, v in (c.get("vars") or {}).items()}
        values.update({"RUN_DIR": self.dir, "LB_PORT": LB_PORT})
        if c["proxy"] == "nginx":
            values["SERVERS"] = "\n".join(f"    server 127.0.0.1:{BACKEND_PORT0 + i};" for i in range(n))
            for sub in ("tmp_body", "tmp_proxy", "tmp_fastcgi", "tmp_uwsgi", "tmp_scgi"):
                os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(render(c["config"], values))
            argv = ["nginx", "-c", conf, "-p", self.dir, "-e", os.path.join(self.dir, "error.log")]
        else:
            values["SERVERS"] = "\n".join(f"    server b{i} 127.0.0.1:{BACKEND_PORT0 + i} check"
                                          for i in range(n))
            conf = os.path.join(self.dir, "haproxy.cfg")
            with open(conf, "w") as f:
                f.write(render(c["config"], values))
            argv = ["haproxy", "-f", conf, "-db"]
        argv = NS.wrap(["taskset", "-c", self.env["proxy_cpus"]] + self.env["prio"].event_loop(argv))
        p = PROCS.start(c["proxy"], argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.proxy = p
        self.proxy_log = LineLog(p.stdout)
        if not wait_port(LB_PORT):
            time.sleep(0.2)
            raise RunError(f"{c['proxy']} did not start: " + " | ".join(l for _, l in self.proxy_log.lines[-5:]))

    def fault(self, f, t0):
        i = f.get("backend", 0)
        action = f["action"]
        port = BACKEND_PORT0 + i
        if action == "kill":
            os.kill(self.backends[i].pid, signal.SIGKILL)
            self.backends[i].wait()
        elif action == "stop":
            os.kill(self.backends[i].pid, signal.SIGSTOP)
        elif action == "cont":
            os.kill(self.backends[i].pid, signal.SIGCONT)
        elif action == "restart":
            if self.backends[i].poll() is None:
                PROCS.stop(self.backends[i])
            self.start_backend(i)
        elif action == "blackhole":
            for direction in ("dport", "sport"):
                subprocess.run(NS.wrap(["nft", "add", "rule", "inet", "calib", "input", "tcp", direction, str(port),
                                        "drop"]), check=True)
        elif action == "unblackhole":
            subprocess.run(NS.wrap(["nft", "flush", "chain", "inet", "calib", "input"]), check=True)
        self.events.append((time.monotonic() - t0, action, i))

    def run(self):
        c = self.case
        load = c["load"]
        os.makedirs(self.dir, exist_ok=True)
        if any(f["action"] in ("blackhole", "unblackhole") for f in c.get("faults") or []):
            subprocess.run(NS.wrap(["nft", "add", "chain", "inet", "calib", "input",
                                    "{ type filter hook input priority 0 ; policy accept ; }"]), check=True)
            subprocess.run(NS.wrap(["nft", "flush", "chain", "inet", "calib", "input"]), check=True)
        try:
            for i in range(c["backends"]["count"]):
                self.start_backend(i)
            self.start_proxy()
            time.sleep(0.3 if c["proxy"] == "nginx" else 2.5)  # HAProxy: first checks pass before the load
            t0 = time.monotonic() + 0.3
            wall_t0 = time.time() + (t0 - time.monotonic())
            csv_path = os.path.join(self.dir, "requests.csv")
            sources = ",".join(f"{a or '127.0.0.1'}={r:.6f}" for a, r in self.rates)
            argv = [os.path.join(BUILD, "infrasim-calib-loadgen"), "--target", f"127.0.0.1:{LB_PORT}",
                    "--sources", sources, "--path", self.path, "--duration", f"{load['duration']}s", "--arrivals",
                    load.get("arrivals", "poisson"), "--timeout", f"{load['timeout']}s", "--seed", str(self.seed),
                    "--t0", f"{t0:.6f}", "--out", csv_path, "--max-requests", "2000000"]
            argv = NS.wrap(["taskset", "-c", self.env["proxy_cpus"]] + self.env["prio"].event_loop(argv))
            gen_out = open(os.path.join(self.dir, "loadgen.out"), "wb")
            gen = PROCS.start("loadgen", argv, stdout=gen_out, stderr=subprocess.STDOUT)
            for f in sorted(c.get("faults") or [], key=lambda x: x["at"]):
                delay = t0 + f["at"] - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.fault(f, t0)
            limit = load["duration"] + load["timeout"] + 30
            try:
                gen.wait(timeout=max(1.0, t0 + limit - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise RunError(f"the load generator did not finish within {limit:.0f} s")
            if gen.returncode != 0:
                raise RunError(f"the load generator failed ({gen.returncode}); see {self.dir}/loadgen.out")
            time.sleep(0.2)
        finally:
            # The backends' own CPU time (user + system, all threads) before they stop: the real CPU demand
            # per request at this load, busy work and every overhead included.
            tick = os.sysconf("SC_CLK_TCK")
            for i, p in self.backends.items():
                if p.poll() is None:
                    try:
                        with open(f"/proc/{p.pid}/stat") as f:
                            fields = f.read().rsplit(")", 1)[1].split()
                        self.cpu_seconds += (int(fields[11]) + int(fields[12])) / tick
                    except OSError:
                        pass
            for i, p in self.backends.items():
                PROCS.stop(p)
            if getattr(self, "proxy", None) is not None:
                PROCS.stop(self.proxy)
            if any(f["action"] in ("blackhole", "unblackhole") for f in c.get("faults") or []):
                subprocess.run(NS.wrap(["nft", "flush", "chain", "inet", "calib", "input"]), capture_output=True)
        served = 0
        for i in self.backends:
            with open(os.path.join(self.dir, f"b{i}.out")) as f:
                for m in re.finditer(r"stats b\d+ served=(\d+)", f.read()):
                    served += int(m.group(1))
        proxy_lines = [(t - t0, line) for t, line in self.proxy_log.lines] if self.proxy_log else []
        with open(os.path.join(self.dir, "proxy.out"), "w") as f:
            for t, line in proxy_lines:
                f.write(f"{t:.6f} {line}\n")
        d = RealData(csv_path, self.events, proxy_lines, os.path.join(self.dir, "access.log"), wall_t0)
        d.cpu_per_request = self.cpu_seconds / served if served and not any(
            a in ("kill", "restart") for _, a, _ in self.events) else None
        return d


class RealData:
    """What one real repeat recorded: per-request rows, the fault times, the proxy's log lines."""

    def __init__(self, csv_path, events, proxy_lines, access_log, wall_t0):
        self.rows = []
        with open(csv_path) as f:
            next(f)
            for line in f:
                p = line.rstrip("\n").split(",")
                self.rows.append({"source": p[1], "sched": float(p[2]), "done": float(p[4]), "outcome": p[5],
                                  "status": int(p[6]), "backend": p[7]})
        self.events = events
        self.proxy_lines = proxy_lines
        # (t, backend index, upstream status) per upstream attempt, from nginx's access log: t is when
        # the request was logged (its end); "$upstream_addr" and "$upstream_status" list the attempts.
        self.tries = []
        if os.path.exists(access_log):
            with open(access_log) as f:
                for line in f:
                    m = re.match(r"(\d+\.\d+) .*?\"([^\"]*)\" \"([^\"]*)\"", line)
                    if not m:
                        continue
                    t = float(m.group(1)) - wall_t0
                    addrs = re.split(r", | : ", m.group(2))
                    statuses = re.split(r", | : ", m.group(3))
                    for k, addr in enumerate(addrs):
                        a = re.fullmatch(r"127\.0\.0\.1:(\d+)", addr.strip())
                        if a:
                            self.tries.append((t, int(a.group(1)) - BACKEND_PORT0,
                                               statuses[k].strip() if k < len(statuses) else "-"))

    def kind(self, r):
        return "ok" if r["outcome"] == "ok" else (f"http_{r['status']}" if r["outcome"] == "http" else r["outcome"])

    def per_second(self, duration):
        n = int(math.ceil(duration)) + 15
        series = {}
        for r in self.rows:
            s = int(r["done"])
            if 0 <= s < n:
                series.setdefault(self.kind(r), [0] * n)[s] += 1
        return series


def percentile(values, q):
    """Nearest rank: the smallest value with at least q % of the values at or below it."""
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(math.ceil(q / 100.0 * len(v))) - 1))
    return v[k]


def real_metric(m, d, case):
    lo, hi = m["from"], m["to"]
    kind = m["kind"]
    in_range = [r for r in d.rows if lo <= r["done"] < hi]
    if kind == "throughput":
        return sum(1 for r in in_range if r["outcome"] == "ok") / (hi - lo)
    if kind == "latency":
        return percentile([r["done"] - r["sched"] for r in in_range if r["outcome"] == "ok"], m["q"])
    if kind == "window_p99_max":
        best = None
        for s in range(int(lo), int(math.ceil(hi))):
            lat = [r["done"] - r["sched"] for r in in_range if r["outcome"] == "ok" and s <= r["done"] < s + 1]
            p = percentile(lat, 99)
            if p is not None and (best is None or p > best):
                best = p
        return best
    if kind == "errors":
        return float(sum(1 for r in in_range if r["outcome"] != "ok"))
    if kind == "served":
        return float(sum(1 for r in d.rows if r["outcome"] == "ok" and r["backend"] == f"b{m['backend']}"))
    if kind in ("accepted", "rejected"):
        rows = [r for r in d.rows if lo <= r["sched"] < hi and (m.get("source") in (None, r["source"]))]
        if kind == "accepted":
            return float(sum(1 for r in rows if r["outcome"] == "ok"))
        return float(sum(1 for r in rows if r["outcome"] == "http" and r["status"] == m.get("status", 503)))
    if kind == "tries":
        # Failed attempts: nginx logs 502 for a connection refused or reset and 504 for a timeout (the
        # backends never answer these themselves). A request answered by the backend just before the
        # kill is logged just after `from` (the kill comes a few ms after its nominal time): not counted.
        return float(sum(1 for t, b, st in d.tries if b == m["backend"] and lo <= t < hi and st in ("502", "504")))
    if kind == "event":
        fault_t = [t for t, action, _ in d.events][m["fault"]]
        pattern = {"down": rf"Server \S+/b{m['backend']} is DOWN", "up": rf"Server \S+/b{m['backend']} is UP"}[
            m["event"]]
        for t, line in d.proxy_lines:
            if t >= fault_t and re.search(pattern, line):
                return t - fault_t
        return None
    raise CaseError(f"unknown metric kind {kind}")


# ---- infrasim -----------------------------------------------------------------------------------------


def sim_argv(case, model, demand, proxy_latency, total_rate, seed, out_dir):
    """The `infrasim run` command of one simulated seed: the case's scenario with the measured inputs."""
    load = case["load"]
    sets = [f"scenario.duration={model.get('duration') or load['duration']:g}s",
            f"scenario.warmup={load['warmup']:g}s",
            f"scenario.load.constant={total_rate:.6f}/s",
            f"components.app.service_time={{exponential: {{mean: {demand * 1e6:.1f}us}}}}",
            f"components.lb.latency={proxy_latency * 1e6:.1f}us",
            f"components.app.timeout={load['timeout']:g}s"]
    sets += [f"{k}={v}" for k, v in (model.get("set") or {}).items()]
    argv = [os.path.join(BUILD, "infrasim"), "run", model["scenario_path"], "--out", out_dir, "--seed", str(seed),
            "-q"]
    for s in sets:
        argv += ["--set", s]
    return argv


def sim_run(case, model, env, rate_per_source, seed, out_dir):
    total = sum(r for _, r in rate_per_source)
    argv = sim_argv(case, model, env["demand"], env["proxy_latency"], total, seed, out_dir)
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        raise RunError(f"infrasim run failed ({r.returncode}): {shlex.join(argv)}\n{r.stderr}")
    with open(os.path.join(out_dir, "report.json")) as f:
        return json.load(f)


def shown_command(case_file, model_name, demand, proxy_latency, total_rate):
    """The command of seed 1, as a reader can paste it (paths relative to the repository, --out OUT)."""
    case = load_case(os.path.join(ROOT, case_file), False)
    model = next(m for m in case["sim"] if m["model"] == model_name)
    argv = sim_argv(case, model, demand, proxy_latency, total_rate, 1, "OUT")
    return shlex.join(os.path.relpath(a, ROOT) if a.startswith(ROOT + "/") else a for a in argv)


def sim_metric(m, rep, case):
    lo, hi = m["from"], m["to"]
    kind = m["kind"]
    w = rep["windows"]
    idx = [i for i, s in enumerate(w["start"]) if lo - 1e-9 <= s < hi - 1e-9]

    def wsum(series):
        return float(sum(series[i] for i in idx))

    if kind == "throughput":
        return wsum(w["completed"]) / (hi - lo)
    if kind == "latency":
        if abs(lo - case["load"]["warmup"]) > 1e-9 or abs(hi - case["load"]["duration"]) > 1e-9:
            raise CaseError(f"{case['file']}: latency metrics span the run after warmup (the report's headline); "
                            "use window_p99_max for an interval")
        key = {50: "p50", 90: "p90", 99: "p99", 99.9: "p999"}.get(m["q"])
        if key is None:
            raise CaseError(f"{case['file']}: latency q {m['q']}; expected 50, 90, 99 or 99.9")
        return rep["summary"]["latency"][key]
    if kind == "window_p99_max":
        vals = [w["latency_p99"][i] for i in idx if w["completed"][i] > 0]
        return max(vals) if vals else None
    if kind == "errors":
        return wsum(w["failed"])
    if kind == "served":
        for comp in rep["components"]:
            if comp["name"] == "app":
                stats = comp["instance_stats"]
                return float(stats[m["backend"]]["served"]) if m["backend"] < len(stats) else None
        return None
    if kind in ("accepted", "rejected") and m.get("source"):
        # One client address: the scenario's client group named ipN after 127.0.0.N (whole run).
        group = "ip" + m["source"].rsplit(".", 1)[-1]
        for g in rep.get("clients") or []:
            if g["name"] == group:
                return float(g["completed"] if kind == "accepted" else g["rate_limited"])
        return None
    if kind == "accepted":
        return wsum(w["completed"])
    if kind == "rejected":
        return wsum(w["failed_by_reason"].get("rate_limited", [0] * len(w["start"])))
    if kind == "tries":
        # Failed attempts on the dead backend: those the balancer retried (its `retries`, whole run:
        # a case using this metric has no failed attempt before `from`) and those the clients saw
        # as refused (a balancer without retries).
        retried = sum(c.get("retries", 0) for c in rep["components"] if c.get("kind") == "load_balancer")
        return retried + wsum(w["failed_by_reason"].get("connection_refused", [0] * len(w["start"])))
    if kind == "event":
        faults = sorted(case.get("faults") or [], key=lambda f: f["at"])
        fault_t = faults[m["fault"]]["at"]
        wanted = {"down": "health_down", "up": "health_up"}[m["event"]]
        for e in rep["timeline"]:
            if e["kind"] == wanted and e["target"] == f"app-{m['backend']}" and e["time"] >= fault_t:
                return e["time"] - fault_t
        return None
    raise CaseError(f"unknown metric kind {kind}")


# ---- comparison ---------------------------------------------------------------------------------------


def stats(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    mean = sum(vals) / len(vals)
    return {"mean": mean, "min": min(vals), "max": max(vals), "dev": max(abs(v - mean) for v in vals),
            "n": len(vals), "values": values}


def tolerance(m, real, case, sim=None):
    kind = m["kind"]
    if kind == "event":
        return case["check_interval"], f"{case['check_interval']:g} s (one check interval)"
    if kind in ("latency", "window_p99_max"):
        rel, floor = TOLERANCE["latency"], 0.0
    else:
        rel, floor = TOLERANCE["count"], (0.0 if kind == "throughput" else 1.0)
    # Both sides are estimates: the real one from a few runs, the simulated one from as many seeds, each
    # fed the CPU per request measured in its paired real run, so the input's uncertainty shows up too.
    tol = max(rel * abs(real["mean"]), real["dev"] + (sim["dev"] if sim else 0.0), floor)
    return tol, f"{rel * 100:.0f} % or the two spreads"


def unit(m):
    return "s" if m["kind"] in ("latency", "window_p99_max", "event") else ("/s" if m["kind"] == "throughput" else "")


def fmt_value(v, u):
    if v is None:
        return "n/a"
    if u == "s":
        return f"{v * 1000:.1f} ms" if abs(v) < 1 else f"{v:.2f} s"
    if u == "/s":
        return f"{v:.1f}/s"
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 else f"{v:.1f}"


def compare_case(case, real_runs, sim_reports):
    rows = []
    for model, reports in sim_reports:
        for m in case["metrics"]:
            if m.get("models") and model["model"] not in m["models"]:
                continue
            real = stats([real_metric(m, d, case) for d in real_runs])
            sm = m
            if model.get("duration") and m["to"] == case["load"]["duration"]:
                # the same metric over the longer simulated run
                sm = dict(m, to=model["duration"])
            sim = stats([sim_metric(sm, rep, dict(case, load=dict(case["load"], duration=sm["to"])))
                         for rep in reports])
            gap = m.get("gap") or model.get("gap")
            row = {"case": case["name"], "model": model["model"], "metric": m["name"], "kind": m["kind"],
                   "unit": unit(m), "real": real, "sim": sim, "gap": gap}
            if real is None:
                row.update(verdict="DISAGREE", note="no real data", tolerance=None, difference=None)
            elif sim is None:
                row.update(verdict="known gap" if gap else "DISAGREE",
                           note="infrasim cannot express this" if gap else "no simulated value",
                           tolerance=None, difference=None)
            else:
                tol, tol_text = tolerance(m, real, case, sim)
                diff = sim["mean"] - real["mean"]
                within = abs(diff) <= tol + 1e-12
                row.update(difference=diff, tolerance=tol, tolerance_rule=tol_text)
                if gap:
                    row.update(verdict="known gap", note="within tolerance today" if within else "")
                else:
                    row.update(verdict="agree" if within else "DISAGREE", note="")
            rows.append(row)
    return rows


def rel_text(diff, base):
    if diff is None:
        return "n/a"
    if base and abs(base) > 1e-12:
        return f"{diff / abs(base) * 100:+.0f} %"
    return "real 0"


def table_lines(rows):
    head = ["case", "metric", "real (mean ± spread)", "simulated", "difference", "tolerance", "verdict"]
    out = []
    for r in rows:
        u = r["unit"]
        real = "n/a" if r["real"] is None else f"{fmt_value(r['real']['mean'], u)} ± {fmt_value(r['real']['dev'], u)}"
        sim = fmt_value(r["sim"]["mean"], u) if r["sim"] else "n/a"
        diff = "n/a" if r["difference"] is None else (
            f"{fmt_value(r['difference'], u)} ({rel_text(r['difference'], r['real']['mean'])})"
            if u != "s" or r["kind"] != "event" else f"{r['difference']:+.2f} s")
        tol = "n/a" if r["tolerance"] is None else f"± {fmt_value(r['tolerance'], u)}"
        verdict = r["verdict"]
        if r["verdict"] == "known gap":
            verdict = f"known gap ({r['gap']})" + (f"; {r['note']}" if r.get("note") else "")
        elif r.get("note"):
            verdict += f" ({r['note']})"
        case = r["case"] if r["model"] == "default" else f"{r['case']} [{r['model']}]"
        out.append([case, r["metric"], real, sim, diff, tol, verdict])
    return head, out


def markdown_table(rows):
    head, body = table_lines(rows)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for b in body:
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in b) + " |")
    return "\n".join(lines)


def text_table(rows):
    head, body = table_lines(rows)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*["-" * w for w in widths])] + [fmt.format(*b) for b in body])


# ---- measurements before the cases --------------------------------------------------------------------


def measure_capacity(env, out_dir, quick, seed):
    """Saturation: open-loop load above what the backends' CPU can give, through nginx round robin; the
    completion rate once the backends are saturated is their capacity. Also the proxy's own latency:
    the median of /healthz through the proxy (no busy work) at a low rate."""
    nominal = 1.0 / env["service_mean"]
    case = {"name": "saturation", "proxy": "nginx", "config": "nginx.conf",
            "vars": {"balance": "", "location_extra": "", "http_extra": ""},
            "backends": env["backends"],
            "load": {"duration": 6.0 if quick else 10.0, "timeout": 30.0, "warmup": 2.0}}
    rr = RealRun(case, env, [("", 1.5 * nominal)], seed, os.path.join(out_dir, "saturation"))
    d = rr.run()
    lo, hi = case["load"]["warmup"], case["load"]["duration"]
    done = [r for r in d.rows if r["outcome"] == "ok" and lo <= r["done"] < hi]
    capacity = len(done) / (hi - lo)
    # The proxy's own latency: /healthz is answered by the backend's I/O thread, without queueing.
    probe = {"name": "probe", "proxy": "nginx", "config": "nginx.conf",
             "vars": {"balance": "", "location_extra": "", "http_extra": ""},
             "backends": env["backends"], "load": {"duration": 3.0, "timeout": 5.0, "warmup": 0.0}}
    rp = RealRun(probe, env, [("", 50.0)], seed, os.path.join(out_dir, "probe"))
    rp.path = "/healthz"
    d2 = rp.run()
    lat = [r["done"] - r["sched"] for r in d2.rows if r["outcome"] == "ok"]
    return {"capacity": capacity, "nominal": nominal, "demand": 1.0 / capacity,
            "cpu_per_request_saturated": d.cpu_per_request,
            "proxy_latency": percentile(lat, 50), "probe_p90": percentile(lat, 90),
            "saturation_errors": sum(1 for r in d.rows if r["outcome"] != "ok")}


def versions():
    def first_line(argv):
        try:
            r = subprocess.run(argv, capture_output=True, text=True)
            return ((r.stdout or "") + (r.stderr or "")).strip().splitlines()[0]
        except (OSError, IndexError):
            return "not installed"

    return {"nginx": first_line(["nginx", "-v"]), "haproxy": first_line(["haproxy", "-v"]),
            "nproc": os.cpu_count(), "kernel": os.uname().release,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# ---- main ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="real nginx/HAProxy beside infrasim (docs/calibration.md)")
    ap.add_argument("--quick", action="store_true", help="the cases marked quick, with their short durations")
    ap.add_argument("--case", action="append", default=[], help="run only this case (repeatable)")
    ap.add_argument("--repeats", type=int, default=3, help="real repeats and simulated seeds per case (default 3)")
    ap.add_argument("--out", help="output folder (default reports/calibration, or build/calibration-quick "
                                  "with --quick)")
    ap.add_argument("--keep-raw", action="store_true", help="keep the per-request CSVs and proxy logs")
    ap.add_argument("--docs", action="store_true", help="also write the table into docs/calibration.md "
                                                        "(the default for a full run)")
    ap.add_argument("--render", metavar="JSON", help="run nothing: rewrite calibration.md beside JSON (and "
                                                      "docs/calibration.md with --docs) from a calibration.json")
    args = ap.parse_args()
    if args.render:
        return render_reports(args.render, args.docs)
    if args.repeats < 1 or args.repeats > 10:
        sys.exit("calibrate: --repeats must be 1..10")

    out = args.out or (os.path.join(BUILD, "calibration-quick") if args.quick else
                       os.path.join(ROOT, "reports", "calibration"))
    write_docs = args.docs or (not args.quick and not args.case and not args.out)

    cases = []
    for name in sorted(os.listdir(os.path.join(CALIB, "cases"))):
        if not name.endswith(".yaml"):
            continue
        try:
            c = load_case(os.path.join(CALIB, "cases", name), args.quick)
        except CaseError as e:
            log(f"calibrate: {e}")
            return 2
        if args.case and c["name"] not in args.case:
            continue
        if args.quick and not args.case and not c.get("quick"):
            continue
        cases.append(c)
    if args.case and len(cases) != len(set(args.case)):
        log(f"calibrate: unknown case in {args.case}")
        return 2

    for tool in ("nginx", "haproxy", "taskset", "ip"):
        if shutil.which(tool) is None:
            log(f"calibrate: {tool} is not installed; run scripts/setup --calibration")
            return 2
    for binary in ("infrasim", "infrasim-calib-backend", "infrasim-calib-loadgen"):
        if not os.path.exists(os.path.join(BUILD, binary)):
            log(f"calibrate: {BUILD}/{binary} is missing; run scripts/build")
            return 2

    raw = tempfile.mkdtemp(prefix="infrasim-calib-")
    atexit.register(PROCS.stop_all)
    atexit.register(NS.destroy)
    if not args.keep_raw:
        atexit.register(shutil.rmtree, raw, True)

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    # SIGINT too: a shell without job control starts background jobs with SIGINT ignored, and Python
    # then never raises KeyboardInterrupt.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    if not NS.create():
        log(f"calibrate: no network namespace ({NS.reason}): running on the host's loopback; "
            "blackhole cases are not run")
    elif NS.reason:
        log(f"calibrate: {NS.reason}: blackhole cases are not run")
    backend_cpus, proxy_cpus = cpus()
    prio = Priority()
    atexit.register(prio.destroy)
    # Every case uses the same backends (count, workers, service time): one capacity measurement.
    b0 = cases[0]["backends"] if cases else {"count": 3, "workers": 8, "service": "exponential:4ms"}
    for c in cases:
        if c["backends"] != b0:
            log(f"calibrate: {c['file']}: every case must use the same backends ({b0}); one capacity is measured")
            return 2
    mean_ms = re.fullmatch(r"exponential:([0-9.]+)ms", b0["service"])
    if not mean_ms:
        log(f"calibrate: backends.service {b0['service']}: expected exponential:MEANms (infrasim gets the same "
            "distribution with the measured mean)")
        return 2
    env = {"backend_cpus": backend_cpus, "proxy_cpus": proxy_cpus, "prio": prio, "service": b0["service"],
           "service_mean": float(mean_ms.group(1)) / 1000.0, "backends": b0}
    info = versions()
    info.update(backend_cpus=backend_cpus, proxy_cpus=proxy_cpus, isolation=prio.describe(), namespace=NS.name is not None, blackhole=NS.name is not None and not NS.reason,
                repeats=args.repeats, quick=args.quick)
    started = time.monotonic()
    try:
        log(f"calibrate: {info['nginx']}, {info['haproxy']}; {info['nproc']} cores: backends on CPU "
            f"{backend_cpus}, proxy and load generator on CPU {proxy_cpus}; {prio.describe()}")
        cap = measure_capacity(env, raw, args.quick, 1)
        env.update(demand=cap["demand"], proxy_latency=cap["proxy_latency"])
        log(f"calibrate: capacity {cap['capacity']:.1f} requests/s (busy work alone: {cap['nominal']:.1f}/s), "
            f"so {cap['demand'] * 1000:.3f} ms of CPU per request; proxy latency {cap['proxy_latency'] * 1000:.3f} ms")
        all_rows, case_data = [], []
        for c in cases:
            if any(f["action"] in ("blackhole", "unblackhole") for f in c.get("faults") or []) and (
                    NS.name is None or NS.reason):
                reason = NS.reason or "no network namespace"
                log(f"calibrate: {c['name']}: not run ({reason})")
                all_rows.append({"case": c["name"], "model": "default", "metric": "(all)", "kind": "-", "unit": "",
                                 "real": None, "sim": None, "gap": None, "difference": None, "tolerance": None,
                                 "verdict": "not run", "note": reason})
                continue
            load = c["load"]
            if "fraction" in load:
                rates = [("", load["fraction"] * cap["capacity"])]
            else:
                rates = [(a, float(r)) for a, r in load["sources"].items()]
            real_runs = []
            for k in range(args.repeats):
                log(f"calibrate: {c['name']}: real run {k + 1}/{args.repeats} "
                    f"({sum(r for _, r in rates):.1f} requests/s for {load['duration']:g} s)")
                rr = RealRun(c, env, rates, 100 + k, os.path.join(raw, c["name"], f"real-{k}"))
                real_runs.append(rr.run())
            # infrasim's service demand: the backends' CPU per request measured in these runs (busy work
            # and overheads at this load), or the saturation run's figure when a backend was killed.
            measured = [d.cpu_per_request for d in real_runs if d.cpu_per_request]
            case_env = dict(env, demand=sum(measured) / len(measured) if measured else env["demand"])
            log(f"calibrate: {c['name']}: CPU per request {case_env['demand'] * 1000:.3f} ms "
                f"({'measured in these runs' if measured else 'from the saturation run'})")
            sim_reports = []
            for model in c["sim"]:
                reps = []
                for k in range(args.repeats):
                    folder = "sim-" + re.sub(r"[^A-Za-z0-9_-]", "-", model["model"]) + f"-{k}"
                    # seed k runs with the CPU per request of real run k when every run measured it
                    run_env = dict(case_env, demand=measured[k]) if len(measured) == args.repeats else case_env
                    reps.append(sim_run(c, model, run_env, rates, 1 + k, os.path.join(raw, c["name"], folder)))
                sim_reports.append((model, reps))
            rows = compare_case(c, real_runs, sim_reports)
            all_rows += rows
            case_data.append({
                "name": c["name"], "file": c["file"], "description": c.get("description", "").strip(),
                "proxy": c["proxy"], "rates": rates, "cpu_per_request": case_env["demand"],
                "cpu_per_request_measured": [d.cpu_per_request for d in real_runs], "duration": load["duration"], "warmup": load["warmup"],
                "faults": [{k: v for k, v in f.items()} for f in c.get("faults") or []],
                "real_fault_times": [[round(t, 4) for t, _, _ in d.events] for d in real_runs],
                "per_second": [d.per_second(load["duration"]) for d in real_runs],
                "outcomes": [{k: sum(1 for r in d.rows if d.kind(r) == k) for k in
                              sorted({d.kind(r) for r in d.rows})} for d in real_runs],
                "models": [m["model"] for m, _ in sim_reports],
                "proxy_latency": case_env["proxy_latency"],
                "sim_failures": [[rep["summary"]["failures"] for rep in reps] for _, reps in sim_reports],
            })
            print(text_table(rows), flush=True)
    except KeyboardInterrupt as e:
        log(f"calibrate: interrupted ({e}); stopping every process it started")
        return 130
    except RunError as e:
        log(f"calibrate: {e}")
        return 3
    except CaseError as e:
        log(f"calibrate: {e}")
        return 2
    finally:
        PROCS.stop_all()
        NS.destroy()
        prio.destroy()
    wall = time.monotonic() - started
    info["wall_seconds"] = round(wall, 1)
    write_reports(out, info, cap, all_rows, case_data, write_docs)
    print()
    print(text_table(all_rows))
    bad = [r for r in all_rows if r["verdict"] == "DISAGREE"]
    code = exit_status(all_rows)
    print(f"\ncalibrate: {len(all_rows)} rows: {sum(r['verdict'] == 'agree' for r in all_rows)} agree, "
          f"{len(bad)} DISAGREE, {sum(r['verdict'] == 'known gap' for r in all_rows)} known gap, "
          f"{sum(r['verdict'] == 'not run' for r in all_rows)} not run; {wall:.0f} s; "
          f"{os.path.relpath(out, ROOT)}/calibration.md")
    return code


def exit_status(rows):
    """1 when a row that is not a known gap disagrees (scripts/test fails on it), else 0."""
    return 1 if any(r["verdict"] == "DISAGREE" for r in rows) else 0


def render_reports(path, write_docs):
    """Rewrites the Markdown outputs of a finished run from its calibration.json."""
    try:
        with open(path) as f:
            doc = json.load(f)
        info, cap, rows, case_data = doc["machine"], doc["capacity"], doc["rows"], doc["cases"]
    except (OSError, ValueError, KeyError) as e:
        log(f"calibrate: {path}: not a calibration.json ({e})")
        return 2
    for c in case_data:  # reports written before these keys existed
        c.setdefault("models", list(dict.fromkeys(r["model"] for r in rows if r["case"] == c["name"])))
        c.setdefault("proxy_latency", cap["proxy_latency"])
    write_reports(os.path.dirname(os.path.abspath(path)), info, cap, rows, case_data, write_docs)
    return 0


def write_reports(out, info, cap, rows, case_data, write_docs):
    os.makedirs(out, exist_ok=True)
    doc = {"calibration_format": 1, "machine": info, "capacity": {k: round(v, 6) if isinstance(v, float) else v
                                                                   for k, v in cap.items()},
           "tolerances": {"latency": "15 % of the real mean, or the real spread plus the simulated spread if larger",
                          "count": "10 % of the real mean, or the real plus the simulated spread if larger (at least 1)",
                          "event": "one check interval"},
           "rows": rows, "cases": case_data}
    with open(os.path.join(out, "calibration.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    md = report_markdown(info, cap, rows, case_data)
    with open(os.path.join(out, "calibration.md"), "w") as f:
        f.write(md)
    if write_docs:
        path = os.path.join(ROOT, "docs", "calibration.md")
        with open(path) as f:
            text = f.read()
        begin, end = "<!-- calibration-table:begin -->", "<!-- calibration-table:end -->"
        if begin in text and end in text:
            body = "\n" + results_section(info, cap, rows) + "\n"
            text = text[:text.index(begin) + len(begin)] + body + text[text.index(end):]
            with open(path, "w") as f:
                f.write(text)


def results_section(info, cap, rows):
    return (f"Run on {info['date']}: {info['nproc']} cores (`nproc`), {info['nginx']}, {info['haproxy']}, "
            f"kernel {info['kernel']}; backends on CPU {info['backend_cpus']}, proxy and load generator on CPU "
            f"{info['proxy_cpus']}; {info['repeats']} real runs and {info['repeats']} simulated seeds per case; "
            f"wall time {info['wall_seconds']:.0f} s.\n\n"
            f"Measured before the cases: the backends' capacity {cap['capacity']:.1f} requests/s (busy work alone "
            f"would give {cap['nominal']:.1f}/s), i.e. {cap['demand'] * 1000:.3f} ms of CPU per request; the "
            f"proxy's own latency {cap['proxy_latency'] * 1000:.3f} ms (median of /healthz through nginx).\n\n"
            + markdown_table(rows))


def report_markdown(info, cap, rows, case_data):
    lines = ["# Calibration: real nginx and HAProxy beside infrasim", "",
             "Generated by `scripts/calibrate" + (" --quick" if info["quick"] else "") +
             "`; the method is in docs/calibration.md.", "", results_section(info, cap, rows), "",
             "## Real outcomes per run", ""]
    for c in case_data:
        lines.append(f"- **{c['name']}** ({c['proxy']}, {sum(r for _, r in c['rates']):.1f} requests/s, "
                     f"{c['duration']:g} s): " + "; ".join(
                         ", ".join(f"{k} {v}" for k, v in o.items()) for o in c["outcomes"]))
    lines += ["", "## Errors per second in the fault cases (real, each run)", "",
              "Second after the load started: client-visible failures by kind (only seconds with any).", ""]
    for c in case_data:
        if not c["faults"]:
            continue
        faults = ", ".join(f"{f['action']} b{f.get('backend', 0)} at {f['at']:g} s" for f in c["faults"])
        lines.append(f"- **{c['name']}** ({faults}):")
        for k, series in enumerate(c["per_second"]):
            seconds = sorted({s for kind, v in series.items() if kind != "ok" for s, n in enumerate(v) if n})
            text = "; ".join(f"{s}: " + ", ".join(f"{kind} {v[s]}" for kind, v in sorted(series.items())
                                                   if kind != "ok" and v[s]) for s in seconds)
            lines.append(f"  - run {k + 1}: {text or 'none'}")
    lines += ["", "## infrasim commands", "",
              "Seed 1 of each model; seeds 2 and 3 differ only in `--seed`.", ""]
    for c in case_data:
        for model in c["models"]:
            cmd = shown_command(c["file"], model, c["cpu_per_request"], c["proxy_latency"],
                                sum(r for _, r in c["rates"]))
            lines.append(f"- {c['name']}" + (f" [{model}]" if model != "default" else "") + f": `{cmd}`")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        PROCS.stop_all()
        NS.destroy()
