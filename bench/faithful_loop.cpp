// The ceiling scripts/bench holds the engine against: a hand-written event loop
// of the engine's own reference network (scenarios/bench/reference.yaml on
// topologies/nextleveltraders.yaml), with the engine's fidelity and nothing
// else — no SimGrid, no configuration, no reports:
//
//   clients (fra1 70 %, lhr1 30 %) --edge, origin fetch, LB processing--> lb (least_conn, ties in turn)
//     --LB->app hop--> app x3 (2 cores, processor sharing, 64 worker slots, FCFS beyond)
//        read 80 %:  --hop--> cache node (uniform of 2; 1 core, FCFS, exp 300 us) --hop back--
//                    a miss (20 %): --hop--> db replica (rotation of 2; 4 cores, PS, exp 4 ms) --hop back--
//        write 20 %: --hop--> db primary (4 cores, PS, lognormal 8 ms / p99 50 ms) --hop back--
//     <--app->LB hop, origin, edge-- answer; a 10 s deadline per request
//
// Latencies are the topology's (250 us within a zone, 1 ms across zones of
// fra1, 8 ms to lhr1; clients 20 ms from the edge, 5 ms edge processing).
// Processor sharing is computed with a virtual clock per host, as the engine
// does (rate = min(1, cores / running) per job); events are in a binary heap.
//
// usage: infrasim_faithful_loop REQUESTS  -> "requests wall_seconds mean_latency"
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <queue>
#include <random>
#include <vector>

namespace {

constexpr double kZ99 = 2.3263478740408408;

struct Rng {
  std::mt19937_64 g{42};
  double u() { return static_cast<double>(g() >> 11) * 0x1.0p-53; }
  double exp(double mean) { return -mean * std::log(1 - u()); }
  double lognormal(double mean, double p99) {
    double s = kZ99 - std::sqrt(kZ99 * kZ99 - 2 * std::log(p99 / mean));
    double mu = std::log(mean) - s * s / 2;
    double n = std::sqrt(-2 * std::log(1 - u())) * std::cos(6.283185307179586 * u());
    return std::exp(mu + s * n);
  }
};

// Processor sharing on c cores by a virtual clock (the engine's model::ProcessorSharing).
struct Ps {
  int cores = 1;
  double v = 0, last = 0;
  std::uint64_t version = 0;
  struct Item {
    double tag;
    std::uint32_t job;
    bool operator>(const Item& o) const { return tag > o.tag; }
  };
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> jobs;
  double rate() const {
    auto n = static_cast<double>(jobs.size());
    return n <= cores ? 1.0 : cores / n;
  }
  void advance(double t) {
    if (!jobs.empty()) v += (t - last) * rate();
    last = t;
  }
  double next() const { return last + std::max(0.0, jobs.top().tag - v) / rate(); }
};

enum Kind : std::uint8_t { kArrive, kDeliver, kEnter, kCpu, kResume, kDeadline };
struct Ev {
  double t;
  std::uint64_t seq;
  Kind kind;
  std::uint32_t a;  // job / station
  std::uint64_t b;  // version / generation
  bool operator>(const Ev& o) const { return t > o.t || (t == o.t && seq > o.seq); }
};

// Stations: 0-2 app (fra1-a, fra1-b, fra1-a), 3-4 cache (fra1-a, fra1-b), 5 db primary (fra1-a), 6-7 replicas (fra1-b, fra1-a).
constexpr int kZone[8] = {0, 1, 0, 0, 1, 0, 1, 0};
constexpr int kCores[8] = {2, 2, 2, 1, 1, 4, 4, 4};
double hop(int a, int b) { return kZone[a] == kZone[b] ? 250e-6 : 1e-3; }
constexpr double kLbToApp[3] = {250e-6, 1e-3, 250e-6};  // the LB is in fra1-a

struct Req {
  double start = 0, back = 0;
  bool write = false, finished = false;
  std::uint32_t gen = 0;
  int app = 0, stage = 0;  // stage: 0 app cpu, 1 at cache, 2 at db, 3 app back from a call
};

}  // namespace

int main(int argc, char** argv) {
  long n = argc > 1 ? std::atol(argv[1]) : 1000000;
  Rng rng;
  std::priority_queue<Ev, std::vector<Ev>, std::greater<Ev>> heap;
  std::uint64_t seq = 0;
  auto push = [&](double t, Kind k, std::uint32_t a, std::uint64_t b = 0) { heap.push({t, seq++, k, a, b}); };
  std::vector<Req> reqs;
  std::vector<std::uint32_t> free_reqs;
  std::vector<Ps> ps(8);
  for (int i = 0; i < 8; ++i) ps[static_cast<std::size_t>(i)].cores = kCores[i];
  int cache_busy[2] = {0, 0};
  std::deque<std::uint32_t> cache_q[2];
  int app_slots[3] = {0, 0, 0};
  std::deque<std::uint32_t> app_q[3];
  int active[3] = {0, 0, 0}, lb_last = -1, replica_rr = 0;
  long generated = 0, done = 0;
  double latency_sum = 0;

  auto start_cpu = [&](int s, std::uint32_t r, double t, double demand) {
    Ps& p = ps[static_cast<std::size_t>(s)];
    p.advance(t);
    p.jobs.push({p.v + demand, r});
    ++p.version;
    push(p.next(), kCpu, static_cast<std::uint32_t>(s), p.version);
  };
  auto app_demand = [&](const Req& q) { return q.write ? rng.lognormal(12e-3, 60e-3) : rng.lognormal(8e-3, 40e-3); };
  // A request's job at a station after its hop.
  auto enter = [&](int s, std::uint32_t r, double t) {
    if (s < 3) {
      if (app_slots[s] < 64) {
        ++app_slots[s];
        start_cpu(s, r, t, app_demand(reqs[r]));
      } else {
        app_q[s].push_back(r);
      }
    } else if (s < 5) {
      int c = s - 3;
      if (cache_busy[c] < 1) {
        ++cache_busy[c];
        start_cpu(s, r, t, rng.exp(300e-6));
      } else {
        cache_q[c].push_back(r);
      }
    } else {
      start_cpu(s, r, t, reqs[r].write ? rng.lognormal(8e-3, 50e-3) : rng.exp(4e-3));
    }
  };
  auto finish = [&](std::uint32_t r, double t) {
    Req& q = reqs[r];
    int s = q.app;
    --active[s];
    double end = t + kLbToApp[s] + q.back;
    if (!q.finished) {
      q.finished = true;
      ++done;
      latency_sum += end - q.start;
    }
    ++q.gen;
    free_reqs.push_back(r);
    // The app's slot goes to the next queued request.
    if (!app_q[s].empty()) {
      std::uint32_t nx = app_q[s].front();
      app_q[s].pop_front();
      start_cpu(s, nx, t, app_demand(reqs[nx]));
    } else {
      --app_slots[s];
    }
  };

  auto wall0 = std::chrono::steady_clock::now();
  push(rng.exp(1 / 500.0), kArrive, 0);
  while (!heap.empty()) {
    Ev e = heap.top();
    heap.pop();
    const double t = e.t;
    switch (e.kind) {
      case kArrive: {
        if (generated >= n) break;
        ++generated;
        std::uint32_t r;
        if (!free_reqs.empty()) {
          r = free_reqs.back();
          free_reqs.pop_back();
        } else {
          r = static_cast<std::uint32_t>(reqs.size());
          reqs.emplace_back();
        }
        Req& q = reqs[r];
        std::uint32_t gen = q.gen;
        q = Req{};
        q.gen = gen;
        q.start = t;
        q.write = rng.u() < 0.2;
        bool london = rng.u() >= 0.7;
        q.back = london ? 28e-3 : 21e-3;
        push(t + (london ? 33.1e-3 : 26.1e-3), kDeliver, r, q.gen);
        push(t + rng.exp(1 / 500.0), kArrive, 0);
        break;
      }
      case kDeliver: {
        Req& q = reqs[e.a];
        // least_conn: fewest active, ties in turn after the last chosen (nginx).
        int best = -1;
        for (int k = 1; k <= 3; ++k) {
          int i = (lb_last + k + 3) % 3;
          if (best < 0 || active[i] < active[best]) best = i;
        }
        lb_last = best;
        ++active[best];
        q.app = best;
        push(t + 10.0, kDeadline, e.a, q.gen);
        push(t + kLbToApp[best], kEnter, e.a, static_cast<std::uint64_t>(best));
        break;
      }
      case kEnter:
        enter(static_cast<int>(e.b), e.a, t);
        break;
      case kCpu: {
        int s = static_cast<int>(e.a);
        Ps& p = ps[static_cast<std::size_t>(s)];
        if (e.b != p.version) break;
        p.advance(t);
        std::uint32_t r = p.jobs.top().job;
        p.jobs.pop();
        ++p.version;
        if (!p.jobs.empty()) push(p.next(), kCpu, e.a, p.version);
        Req& q = reqs[r];
        if (s < 3) {  // the app handled it: its call
          int target = q.write ? 5 : 3 + static_cast<int>(rng.u() * 2);
          q.stage = q.write ? 2 : 1;
          push(t + hop(s, target), kEnter, r, static_cast<std::uint64_t>(target));
        } else if (s < 5) {  // cache answered
          int c = s - 3;
          if (!cache_q[c].empty()) {
            std::uint32_t nx = cache_q[c].front();
            cache_q[c].pop_front();
            start_cpu(s, nx, t, rng.exp(300e-6));
          } else {
            --cache_busy[c];
          }
          push(t + hop(s, q.app), kResume, r, static_cast<std::uint64_t>(s));
        } else {  // db answered
          push(t + hop(s, q.app), kResume, r, static_cast<std::uint64_t>(s));
        }
        break;
      }
      case kResume: {
        Req& q = reqs[e.a];
        if (q.stage == 1 && rng.u() < 0.2) {  // a cache miss: a replica
          int rep = 6 + (replica_rr++ % 2);
          q.stage = 2;
          push(t + hop(q.app, rep), kEnter, e.a, static_cast<std::uint64_t>(rep));
        } else {
          finish(e.a, t);
        }
        break;
      }
      case kDeadline:
        if (reqs[e.a].gen == e.b && !reqs[e.a].finished) reqs[e.a].finished = true;  // a timeout (none at this load)
        break;
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("%ld %.4f %.6f\n", done, wall, latency_sum / static_cast<double>(done));
  return 0;
}
