"""Tests of scripts/calibrate's comparison machinery (no real processes): case-file
validation, metric extraction from client records and from report.json, tolerances,
verdicts and the exit status scripts/test relies on. Run by ctest as
calibration.driver (python3 -m unittest)."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import calibrate  # noqa: E402


class FakeRun:
    """A RealData without files: rows, fault times, proxy lines."""

    def __init__(self, rows, events=(), proxy_lines=(), tries=()):
        self.rows = rows
        self.events = list(events)
        self.proxy_lines = list(proxy_lines)
        self.tries = list(tries)


def ok(sched, latency, backend="b0", source="127.0.0.1"):
    return {"source": source, "sched": sched, "done": sched + latency, "outcome": "ok", "status": 200,
            "backend": backend}


def failed(sched, latency, outcome="http", status=502, source="127.0.0.1"):
    return {"source": source, "sched": sched, "done": sched + latency, "outcome": outcome, "status": status,
            "backend": "-"}


def report(completed, failed_counts, p50=0.01, p90=0.02, p99=0.05, served=(10, 10, 10), timeline=(),
           refused=None, window_p99=None, lb_retries=0):
    n = len(completed)
    return {"windows": {"start": [float(i) for i in range(n)], "completed": completed, "failed": failed_counts,
                        "latency_p99": window_p99 or [p99] * n,
                        "failed_by_reason": {"connection_refused": refused or [0] * n}},
            "summary": {"latency": {"p50": p50, "p90": p90, "p99": p99}, "failures": {}},
            "components": [{"name": "lb", "kind": "load_balancer", "retries": lb_retries, "instance_stats": []},
                           {"name": "app", "instance_stats": [{"served": s} for s in served]}],
            "timeline": list(timeline)}


CASE = {"name": "t", "file": "t.yaml", "load": {"warmup": 0.0, "duration": 10.0}, "check_interval": 2.0,
        "faults": [{"at": 2.0, "action": "kill", "backend": 1}]}


class Metrics(unittest.TestCase):
    def test_percentile_is_nearest_rank(self):
        self.assertEqual(calibrate.percentile([5, 1, 4, 2, 3], 50), 3)
        self.assertEqual(calibrate.percentile(list(range(1, 101)), 99), 99)
        self.assertEqual(calibrate.percentile(list(range(1, 101)), 100), 100)
        self.assertIsNone(calibrate.percentile([], 50))

    def test_real_metrics_from_client_records(self):
        rows = [ok(0.5, 0.01), ok(1.5, 0.02, "b1"), failed(2.5, 0.001), ok(3.5, 1.2, "b2"),
                failed(4.5, 3.0, "timeout", 0)]
        d = FakeRun(rows, events=[(2.0, "kill", 1)],
                    tries=[(2.4, 1, "502"), (2.6, 1, "504"), (2.05, 1, "200"), (9.0, 2, "502")])
        m = lambda **kw: dict({"from": 0.0, "to": 10.0}, **kw)  # noqa: E731
        self.assertAlmostEqual(calibrate.real_metric(m(kind="throughput"), d, CASE), 0.3)
        self.assertAlmostEqual(calibrate.real_metric(m(kind="latency", q=50), d, CASE), 0.02)
        self.assertEqual(calibrate.real_metric(m(kind="errors"), d, CASE), 2)
        self.assertEqual(calibrate.real_metric(m(kind="errors", **{"from": 3.0}), d, CASE), 1)
        self.assertEqual(calibrate.real_metric(m(kind="served", backend=1), d, CASE), 1)
        self.assertEqual(calibrate.real_metric(m(kind="tries", backend=1), d, CASE), 2)
        # worst per-second p99: the 1.2 s request completes in second 4
        self.assertAlmostEqual(calibrate.real_metric(m(kind="window_p99_max"), d, CASE), 1.2)

    def test_nginx_attempts_from_the_access_log(self):
        # a retried request lists every attempt in $upstream_addr and $upstream_status
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "requests.csv")
            with open(csv, "w") as f:
                f.write("id,source,intended,sent,done,outcome,status,backend\n")
            log = os.path.join(tmp, "access.log")
            with open(log, "w") as f:
                f.write('1000.500 127.0.0.1 200 0.010 "127.0.0.1:8082" "200"\n')
                f.write('1001.000 127.0.0.1 200 0.001 "127.0.0.1:8082, 127.0.0.1:8081" "502, 200"\n')
                f.write('1012.000 127.0.0.1 200 1.001 "127.0.0.1:8083, 127.0.0.1:8082" "504, 200"\n')
            d = calibrate.RealData(csv, [], [], log, 1000.0)
            self.assertEqual(d.tries, [(0.5, 1, "200"), (1.0, 1, "502"), (1.0, 0, "200"), (12.0, 2, "504"),
                                       (12.0, 1, "200")])
            m = {"kind": "tries", "from": 0.0, "to": 20.0}
            self.assertEqual(calibrate.real_metric(dict(m, backend=1), d, CASE), 1)  # the answered ones do not count
            self.assertEqual(calibrate.real_metric(dict(m, backend=2), d, CASE), 1)

    def test_event_time_from_proxy_log(self):
        d = FakeRun([], events=[(2.1, "kill", 1)],
                    proxy_lines=[(1.0, "Server be/b1 is UP"), (7.6, "[WARNING] Server be/b1 is DOWN, reason: x")])
        m = {"kind": "event", "event": "down", "backend": 1, "fault": 0, "from": 0.0, "to": 10.0}
        self.assertAlmostEqual(calibrate.real_metric(m, d, CASE), 5.5)
        m["event"] = "up"
        self.assertIsNone(calibrate.real_metric(m, d, CASE))

    def test_limit_metrics_per_source(self):
        rows = [ok(0.1, 0.01, source="127.0.0.2"), failed(0.2, 0.001, "http", 503, "127.0.0.2"),
                ok(0.3, 0.01, source="127.0.0.3")]
        d = FakeRun(rows)
        base = {"from": 0.0, "to": 10.0}
        self.assertEqual(calibrate.real_metric(dict(base, kind="accepted", source="127.0.0.2"), d, CASE), 1)
        self.assertEqual(calibrate.real_metric(dict(base, kind="rejected", source="127.0.0.2"), d, CASE), 1)
        self.assertEqual(calibrate.real_metric(dict(base, kind="accepted"), d, CASE), 2)

    def test_sim_metrics_from_report(self):
        rep = report([10] * 10, [0, 0, 5, 5, 0, 0, 0, 0, 0, 0], refused=[0, 0, 5, 5, 0, 0, 0, 0, 0, 0],
                     timeline=[{"kind": "health_down", "target": "app-1", "time": 9.0}],
                     window_p99=[0.01] * 4 + [0.3] + [0.01] * 5)
        m = lambda **kw: dict({"from": 0.0, "to": 10.0}, **kw)  # noqa: E731
        self.assertEqual(calibrate.sim_metric(m(kind="throughput"), rep, CASE), 10)
        self.assertEqual(calibrate.sim_metric(m(kind="errors", **{"from": 2.0, "to": 3.0}), rep, CASE), 5)
        self.assertEqual(calibrate.sim_metric(m(kind="tries", backend=1), rep, CASE), 10)
        # a balancer that retries hides the refused attempts from the clients: its retries count
        retrying = report([10] * 10, [0] * 10, lb_retries=2)
        self.assertEqual(calibrate.sim_metric(m(kind="tries", backend=1), retrying, CASE), 2)
        self.assertEqual(calibrate.sim_metric(m(kind="served", backend=2), rep, CASE), 10)
        self.assertEqual(calibrate.sim_metric(m(kind="latency", q=90), rep, CASE), 0.02)
        self.assertEqual(calibrate.sim_metric(m(kind="window_p99_max"), rep, CASE), 0.3)
        self.assertEqual(calibrate.sim_metric(m(kind="event", event="down", backend=1, fault=0), rep, CASE), 7.0)
        self.assertIsNone(calibrate.sim_metric(m(kind="accepted", source="127.0.0.2"), rep, CASE))
        with self.assertRaises(calibrate.CaseError):
            calibrate.sim_metric(m(kind="latency", q=50, **{"from": 3.0}), rep, CASE)


class Verdicts(unittest.TestCase):
    def rows(self, real_values, sim_report, metric, gap=None):
        case = dict(CASE, metrics=[dict({"name": "x", "from": 0.0, "to": 10.0}, **metric)])
        real = [FakeRun([ok(0.5, v)]) for v in real_values]
        return calibrate.compare_case(case, real, [({"model": "default", "gap": gap}, [sim_report])])

    def test_latency_tolerance_is_15_percent_or_the_real_spread(self):
        # real p50 100 ms in every run: 15 % -> 115 ms agrees, 116 ms disagrees
        r = self.rows([0.1, 0.1, 0.1], report([1] * 10, [0] * 10, p50=0.115), {"kind": "latency", "q": 50})
        self.assertEqual(r[0]["verdict"], "agree")
        r = self.rows([0.1, 0.1, 0.1], report([1] * 10, [0] * 10, p50=0.116), {"kind": "latency", "q": 50})
        self.assertEqual(r[0]["verdict"], "DISAGREE")
        # runs of 80, 100, 120 ms: spread 20 ms > 15 ms, so 119 ms agrees
        r = self.rows([0.08, 0.1, 0.12], report([1] * 10, [0] * 10, p50=0.119), {"kind": "latency", "q": 50})
        self.assertEqual(r[0]["verdict"], "agree")
        self.assertAlmostEqual(r[0]["tolerance"], 0.02)

    def test_the_simulated_spread_adds_to_the_real_one(self):
        # real 90, 100, 110 ms (spread 10 ms); seeds at 110, 120, 130 ms (mean 120, spread 10 ms):
        # tolerance max(15 ms, 10 + 10 ms) = 20 ms, so a difference of 20 ms agrees
        case = dict(CASE, metrics=[{"name": "x", "from": 0.0, "to": 10.0, "kind": "latency", "q": 50}])
        real = [FakeRun([ok(0.5, v)]) for v in (0.09, 0.1, 0.11)]
        sims = [report([1] * 10, [0] * 10, p50=v) for v in (0.11, 0.12, 0.13)]
        r = calibrate.compare_case(case, real, [({"model": "default"}, sims)])
        self.assertAlmostEqual(r[0]["tolerance"], 0.02)
        self.assertEqual(r[0]["verdict"], "agree")
        sims = [report([1] * 10, [0] * 10, p50=v) for v in (0.121, 0.121, 0.121)]  # no simulated spread
        r = calibrate.compare_case(case, real, [({"model": "default"}, sims)])
        self.assertEqual(r[0]["verdict"], "DISAGREE")

    def test_counts_event_times_and_known_gaps(self):
        r = self.rows([0.01], report([1] * 10, [0] * 10), {"kind": "errors"})
        self.assertEqual(r[0]["verdict"], "agree")  # 0 and 0, within the floor of one request
        r = self.rows([0.01], report([1] * 10, [0, 0, 2] + [0] * 7), {"kind": "errors"})
        self.assertEqual(r[0]["verdict"], "DISAGREE")
        r = self.rows([0.01], report([1] * 10, [0, 0, 2] + [0] * 7), {"kind": "errors"}, gap="issue 15")
        self.assertEqual(r[0]["verdict"], "known gap")
        self.assertEqual(calibrate.exit_status(r), 0)
        r = self.rows([0.01], report([1] * 10, [0, 0, 2] + [0] * 7), {"kind": "errors"})
        self.assertEqual(calibrate.exit_status(r), 1)

    def test_event_tolerance_is_one_check_interval(self):
        case = dict(CASE, metrics=[{"name": "d", "kind": "event", "event": "down", "backend": 1, "fault": 0,
                                    "from": 0.0, "to": 10.0}])
        real = [FakeRun([], events=[(2.0, "kill", 1)], proxy_lines=[(7.0, "Server be/b1 is DOWN")])]
        for sim_t, verdict in ((9.0, "agree"), (9.1, "DISAGREE")):
            rep = report([1] * 10, [0] * 10, timeline=[{"kind": "health_down", "target": "app-1", "time": sim_t}])
            rows = calibrate.compare_case(case, real, [({"model": "default"}, [rep])])
            self.assertEqual(rows[0]["verdict"], verdict, sim_t)

    def test_a_longer_simulated_run_keeps_the_metric(self):
        # real: 10 s; simulated: 20 s whose throughput over [0, 20) is 2/s (the first 10 s alone: 1/s)
        case = dict(CASE, faults=[], metrics=[{"name": "t", "kind": "throughput", "from": 0.0, "to": 10.0},
                                              {"name": "p", "kind": "latency", "q": 50, "from": 0.0, "to": 10.0}])
        real = [FakeRun([ok(i + 0.1, 0.01) for i in range(10)] * 2)]
        rep = report([1] * 10 + [3] * 10, [0] * 20, p50=0.01)
        rows = calibrate.compare_case(case, real, [({"model": "m", "duration": 20.0}, [rep])])
        self.assertEqual(rows[0]["sim"]["mean"], 2.0)
        self.assertEqual(rows[0]["verdict"], "agree")
        self.assertEqual(rows[1]["sim"]["mean"], 0.01)

    def test_a_value_infrasim_cannot_give_needs_a_gap(self):
        rep = report([1] * 10, [0] * 10)
        r = self.rows([0.01], rep, {"kind": "accepted", "source": "127.0.0.1"})
        self.assertEqual(r[0]["verdict"], "DISAGREE")
        r = self.rows([0.01], rep, {"kind": "accepted", "source": "127.0.0.1"}, gap="issue 20")
        self.assertEqual(r[0]["verdict"], "known gap")


class ProxyTemplates(unittest.TestCase):
    def test_templates_fill_every_placeholder(self):
        nginx = calibrate.render("nginx.conf", {"RUN_DIR": "/run", "LB_PORT": 8080, "BALANCE": "    least_conn;",
                                                "HTTP_EXTRA": "", "LOCATION_EXTRA": "",
                                                "SERVERS": "    server 127.0.0.1:8081;"})
        self.assertIn("least_conn;", nginx)
        self.assertIn("listen 127.0.0.1:8080", nginx)
        self.assertNotIn("max_fails", nginx.split("upstream backends")[1])  # nginx's defaults, unwritten
        haproxy = calibrate.render("haproxy.cfg", {"RUN_DIR": "/run", "LB_PORT": 8080, "DEFAULTS_EXTRA": "",
                                                   "BACKEND_EXTRA": "", "SERVERS": "    server b0 127.0.0.1:8081 check"})
        self.assertIn("default-server inter 2s fall 3 rise 2", haproxy)
        with self.assertRaises(calibrate.CaseError) as e:
            calibrate.render("nginx.conf", {"RUN_DIR": "/run"})
        self.assertIn("no value for @@BALANCE@@", str(e.exception))


class CaseFiles(unittest.TestCase):
    def write(self, text):
        d = tempfile.mkdtemp()
        p = os.path.join(d, "bad.yaml")
        with open(p, "w") as f:
            f.write(text)
        return p

    def assert_error(self, text, message):
        with self.assertRaises(calibrate.CaseError) as e:
            calibrate.load_case(self.write(text), False)
        self.assertIn(message, str(e.exception))

    GOOD = ("name: x\nproxy: nginx\nconfig: nginx.conf\nbackends: {count: 3, workers: 8, service: "
            "'exponential:4ms'}\nload: {fraction: 0.5, duration: 10s}\nsim: []\nmetrics: []\n")

    def test_every_committed_case_loads(self):
        folder = os.path.join(calibrate.CALIB, "cases")
        names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
        self.assertGreaterEqual(len(names), 8)
        for n in names:
            for quick in (False, True):
                c = calibrate.load_case(os.path.join(folder, n), quick)
                self.assertTrue(c["metrics"], n)

    def test_bad_case_files_are_reported_with_what_was_expected(self):
        self.assert_error(self.GOOD + "colour: red\n", "unknown key(s) colour; expected")
        self.assert_error(self.GOOD.replace("proxy: nginx", "proxy: envoy"), "proxy 'envoy'; expected nginx or haproxy")
        self.assert_error(self.GOOD.replace("duration: 10s", "duration: soon"),
                          "load.duration: invalid duration 'soon'; expected a duration like 500ms, 20s or 1m")
        self.assert_error(self.GOOD.replace("fraction: 0.5, ", ""),
                          "load needs exactly one of fraction (of the measured capacity) or sources")
        self.assert_error(self.GOOD.replace("metrics: []", "metrics: [{name: m, kind: speed}]"),
                          "metrics[0].kind 'speed'; expected one of")
        self.assert_error(self.GOOD + "faults: [{at: 1s, action: reboot}]\n", "faults[0].action 'reboot'; expected")
        self.assert_error(self.GOOD.replace("sim: []", "sim: [{model: m, scenario: nowhere.yaml}]"),
                          "sim[0].scenario nowhere.yaml does not exist")
        self.assert_error("- a list\n", "expected a mapping")
        self.assert_error("name: [unclosed\n", "bad.yaml:2:1: invalid YAML")
        self.assert_error(self.GOOD.replace("metrics: []", "metrics: [{name: m, kind: latency}]"),
                          "metrics[0] (latency) needs 'q'")
        self.assert_error(self.GOOD.replace("metrics: []", "metrics: [{name: m, kind: event, event: down, "
                                            "backend: 1, fault: 0}]"), "fault an index into the 0 fault(s)")
        self.assert_error(self.GOOD.replace("config: nginx.conf\n", ""), "missing 'config'")
        scenario = os.path.join(calibrate.CALIB, "sim", "crash.yaml")
        self.assert_error(self.GOOD.replace("sim: []", f"sim: [{{model: m, scenario: {scenario}, duration: 60s}}]") +
                          "faults: [{at: 1s, action: kill}]\n", "sim[0].duration is only for cases without faults")


if __name__ == "__main__":
    unittest.main()
