"""The reference network in SimPy 2.3 (Debian python3-simpy), for scripts/bench.

Same tiers and service times as bench/handloop.cpp: app x3 (FCFS, 2 servers),
cache x2 (1 server), db primary and 2 replicas (4 servers each); 80 % reads
(20 % cache misses go to a replica), 20 % writes to the primary.
usage: /usr/bin/python3 simpy_model.py REQUESTS  -> "requests wall_seconds mean_latency"
"""
import math
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate

Z99 = 2.3263478740408408


def lognormal(rng, mean, p99):
    s = Z99 - math.sqrt(Z99 * Z99 - 2 * math.log(p99 / mean))
    return rng.lognormvariate(math.log(mean) - s * s / 2, s)


class Stats:
    done = 0
    latency = 0.0


class Request(Process):
    def run(self, net, rng, write):
        start = now()
        app = net["app"][net["rr"] % 3]
        net["rr"] += 1
        yield request, self, app
        yield hold, self, lognormal(rng, 12e-3, 60e-3) if write else lognormal(rng, 8e-3, 40e-3)
        yield release, self, app
        if write:
            db = net["db"][0]
            yield request, self, db
            yield hold, self, lognormal(rng, 8e-3, 50e-3)
            yield release, self, db
        else:
            cache = net["cache"][rng.randrange(2)]
            yield request, self, cache
            yield hold, self, rng.expovariate(1 / 300e-6)
            yield release, self, cache
            if rng.random() < 0.2:
                db = net["db"][1 + net["rr_db"] % 2]
                net["rr_db"] += 1
                yield request, self, db
                yield hold, self, rng.expovariate(1 / 4e-3)
                yield release, self, db
        Stats.done += 1
        Stats.latency += now() - start


class Source(Process):
    def run(self, net, rng, n):
        for _ in range(n):
            r = Request()
            activate(r, r.run(net, rng, rng.random() < 0.2))
            yield hold, self, rng.expovariate(500.0)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    rng = random.Random(42)
    initialize()
    net = {
        "app": [Resource(capacity=2) for _ in range(3)],
        "cache": [Resource(capacity=1) for _ in range(2)],
        "db": [Resource(capacity=4) for _ in range(3)],
        "rr": 0,
        "rr_db": 0,
    }
    src = Source()
    activate(src, src.run(net, rng, n))
    t0 = time.perf_counter()
    simulate(until=1e12)
    wall = time.perf_counter() - t0
    print(f"{Stats.done} {wall:.4f} {Stats.latency / Stats.done:.6f}")


if __name__ == "__main__":
    main()
