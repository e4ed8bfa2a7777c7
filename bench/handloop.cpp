// The floor for scripts/bench: a minimal hand-written discrete-event loop of
// the reference queueing network, with nothing but a binary heap.
//
//   Poisson(500/s) -> round robin -> app (3 instances, FCFS, c = 2 servers each, lognormal CPU)
//        read 80 %:  -> cache (2 nodes, FCFS, 1 server, exp 300us) -> miss 20 %: db replica (2, c = 4, exp 4ms)
//        write 20 %: -> db primary (c = 4, lognormal 8ms / p99 50ms)
//
// It models CPU as FCFS servers (no processor sharing, no failures, no
// network): the same tiers and service times as scenarios/bench/reference.yaml,
// without any of the engine's fidelity, to show what a request costs at least.
//
// usage: infrasim_handloop REQUESTS   -> prints "requests wall_seconds mean_latency"
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <queue>
#include <random>
#include <vector>

namespace {

struct Event {
  double t;
  int kind;  // 0 arrival, 1 service done
  int station;
  int req;
  bool operator>(const Event& o) const { return t > o.t; }
};

struct Req {
  double start;
  bool write;
  int stage;  // 0 app, 1 cache, 2 db
};

struct Station {
  explicit Station(int c) : servers(c) {}
  int servers;
  int busy = 0;
  std::deque<int> queue;
};

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  auto exp_ = [&](double mean) { return -mean * std::log(1 - u(rng)); };
  auto lognormal = [&](double mean, double p99) {
    double z = 2.3263478740408408, s = z - std::sqrt(z * z - 2 * std::log(p99 / mean));
    double mu = std::log(mean) - s * s / 2;
    std::normal_distribution<double> nd(mu, s);
    return std::exp(nd(rng));
  };
  // stations: 0..2 app, 3..4 cache, 5 db primary, 6..7 db replicas
  std::vector<Station> st = {Station(2), Station(2), Station(2), Station(1), Station(1), Station(4), Station(4), Station(4)};
  std::vector<Req> reqs;
  reqs.reserve(static_cast<std::size_t>(n));
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> heap;
  const double lambda = 500;
  double t = 0;
  long generated = 0, done = 0, rr = 0, rr_db = 0;
  double latency_sum = 0;
  auto demand = [&](int s, const Req& r) {
    if (s < 3) return r.write ? lognormal(12e-3, 60e-3) : lognormal(8e-3, 40e-3);
    if (s < 5) return exp_(300e-6);
    return r.write ? lognormal(8e-3, 50e-3) : exp_(4e-3);
  };
  auto enter = [&](int s, int id, double now) {
    Station& x = st[static_cast<std::size_t>(s)];
    if (x.busy < x.servers) {
      ++x.busy;
      heap.push({now + demand(s, reqs[static_cast<std::size_t>(id)]), 1, s, id});
    } else {
      x.queue.push_back(id);
    }
  };
  auto wall0 = std::chrono::steady_clock::now();
  heap.push({exp_(1 / lambda), 0, -1, -1});
  while (!heap.empty()) {
    Event e = heap.top();
    heap.pop();
    t = e.t;
    if (e.kind == 0) {
      if (generated >= n) continue;
      reqs.push_back({t, u(rng) < 0.2, 0});
      int id = static_cast<int>(generated++);
      enter(static_cast<int>(rr++ % 3), id, t);
      heap.push({t + exp_(1 / lambda), 0, -1, -1});
      continue;
    }
    Station& x = st[static_cast<std::size_t>(e.station)];
    if (!x.queue.empty()) {
      int next = x.queue.front();
      x.queue.pop_front();
      heap.push({t + demand(e.station, reqs[static_cast<std::size_t>(next)]), 1, e.station, next});
    } else {
      --x.busy;
    }
    Req& r = reqs[static_cast<std::size_t>(e.req)];
    int next_station = -1;
    if (r.stage == 0) {
      r.stage = r.write ? 2 : 1;
      next_station = r.write ? 5 : 3 + static_cast<int>(u(rng) * 2);
    } else if (r.stage == 1 && u(rng) < 0.2) {
      r.stage = 2;
      next_station = 6 + static_cast<int>(rr_db++ % 2);
    }
    if (next_station >= 0) {
      enter(next_station, e.req, t);
    } else {
      ++done;
      latency_sum += t - r.start;
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("%ld %.4f %.6f\n", done, wall, latency_sum / static_cast<double>(done));
  return 0;
}
