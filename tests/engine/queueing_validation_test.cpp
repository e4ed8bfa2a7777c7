// The engine against closed-form queueing theory.
//
//   clients --Poisson(λ)--> [ FCFS queue ] --> c workers on a c-core host, Exp(μ) service
//
// For c = 1 and c = 4 at ρ = 0.5, 0.8, 0.9, the mean time in queue measured by
// the simulation (batch means over 30 batches, Student-t 95 % interval) must
// contain the M/M/1 / Erlang-C value Wq = C(c, a) / (cμ − λ). Each case runs
// the real CLI in a child process (one SimGrid simulation per process) and reads
// the per-window queue waits from report.json.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/model/queueing.h"
#include "tests/test_util.h"

namespace sim {
namespace {

struct Case {
  int c;
  double rho;
};

// Test names must not show the struct's padding bytes.
void PrintTo(const Case& k, std::ostream* os) { *os << "c=" << k.c << " rho=" << k.rho; }

class QueueingValidation : public ::testing::TestWithParam<Case> {};

TEST_P(QueueingValidation, MeanWaitWithinBatchMeansInterval) {
  const Case k = GetParam();
  const double mu = 100.0;  // 10 ms mean service
  const double lambda = k.rho * k.c * mu;
  const double expected = model::mmc_mean_wait(k.c, lambda, mu);
  // ~600k requests; the slowest-mixing case (c=1, ρ=0.9) relaxes in ~4 s, batches last ~200 s.
  const double duration = std::round(600000.0 / lambda);
  std::string dir = testing::temp_dir("mmc");
  testing::write_file(dir + "/topo.yaml", fmt::format(R"(name: mmc
clients: {{latency: 0}}
network: {{intra_zone_latency: 0}}
components:
  srv: {{kind: service, replicas: 1, cores: {0}, workers: {0}, queue_limit: 0, timeout: 100d,
        service_time: {{exponential: {{mean: 10ms}}}}}}
requests:
  r: {{share: 100%, path: [srv]}}
)",
                                                      k.c));
  testing::write_file(dir + "/s.yaml", fmt::format(R"(name: mmc
topology: topo.yaml
duration: {}s
warmup: {}s
window: {}s
seed: {}
load: {{constant: {}/s}}
)",
                                                   duration, std::round(duration * 0.05), std::max(1.0, std::round(duration / 600)),
                                                   11 + k.c * 10 + static_cast<int>(k.rho * 10), lambda));
  auto out = testing::run_infrasim({"run", dir + "/s.yaml", "--out", dir + "/out", "-q"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto j = nlohmann::json::parse(testing::read_file(dir + "/out/report.json"));
  const auto& srv = j["components"][0];
  ASSERT_EQ(srv["name"], "srv");
  const auto& wait = srv["series"]["wait_mean"];
  const auto& count = srv["series"]["wait_count"];
  const auto& start = j["windows"]["start"];
  double warmup = j["scenario"]["warmup"];
  // Windows after warmup, grouped into 30 batches.
  std::vector<std::pair<double, double>> windows;  // (sum of waits, count)
  for (std::size_t i = 0; i < wait.size(); ++i) {
    if (start[i].get<double>() < warmup) continue;
    double n = count[i].get<double>();
    windows.emplace_back(wait[i].get<double>() * n, n);
  }
  const int batches = 30;
  std::size_t per = windows.size() / batches;
  ASSERT_GE(per, 10u);
  std::vector<double> means;
  for (int b = 0; b < batches; ++b) {
    double s = 0, n = 0;
    for (std::size_t i = static_cast<std::size_t>(b) * per; i < static_cast<std::size_t>(b + 1) * per; ++i) {
      s += windows[i].first;
      n += windows[i].second;
    }
    means.push_back(s / n);
  }
  double m = 0;
  for (double x : means) m += x;
  m /= batches;
  double var = 0;
  for (double x : means) var += (x - m) * (x - m);
  var /= batches - 1;
  const double t29 = 2.045;  // Student t, 97.5 %, 29 degrees of freedom
  double half = t29 * std::sqrt(var / batches);
  EXPECT_NEAR(m, expected, half) << fmt::format("c={} rho={}: simulated Wq {:.5f}s ± {:.5f}s, Erlang C {:.5f}s", k.c,
                                                k.rho, m, half, expected);
  // The interval must also be informative: narrower than 15 % of the value.
  EXPECT_LT(half, 0.15 * expected);
}

INSTANTIATE_TEST_SUITE_P(ErlangC, QueueingValidation,
                         ::testing::Values(Case{1, 0.5}, Case{1, 0.8}, Case{1, 0.9}, Case{4, 0.5}, Case{4, 0.8},
                                           Case{4, 0.9}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return fmt::format("C{}Rho{}", i.param.c, static_cast<int>(i.param.rho * 100));
                         });

}  // namespace
}  // namespace sim
