// The request kernel against its oracles, on whole scenarios:
//  - `--cpu-model simgrid` hands every contended host's CPU work to SimGrid's
//    Cas01 model as executions: the report must be the same, to the printed
//    precision (the metrics of report.json), as the kernel's own arithmetic;
//  - `--wake per-event` wakes the kernel once per event instead of in batches:
//    the report must be byte-identical (same event order, same tie order).
// Each scenario runs three times through the real CLI (one simulation per process).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/test_util.h"

namespace sim {
namespace {

struct Case {
  const char* name;
  const char* scenario;
  std::vector<std::string> extra;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class Differential : public ::testing::TestWithParam<Case> {};

// Equal to the printed precision: report.json prints 6 decimals, so two values a
// few 1e-9 apart may round to neighbours; a difference beyond one unit of the
// last printed place (or 1e-9 relative, for large sums) is a real difference.
void same_metrics(const nlohmann::json& a, const nlohmann::json& b, const std::string& path, int* diffs) {
  if (a.is_number_float() || b.is_number_float()) {
    double x = a.get<double>(), y = b.get<double>();
    if (std::fabs(x - y) > 1.5e-6 && std::fabs(x - y) > 1e-9 * std::max(std::fabs(x), std::fabs(y))) {
      if ((*diffs)++ < 10) ADD_FAILURE() << path << ": kernel " << x << ", simgrid " << y;
    }
    return;
  }
  if (a.type() != b.type() || a.size() != b.size() || (!a.is_structured() && a != b)) {
    if ((*diffs)++ < 10) ADD_FAILURE() << path << ": kernel " << a.dump() << ", simgrid " << b.dump();
    return;
  }
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) {
        if ((*diffs)++ < 10) ADD_FAILURE() << path << "." << it.key() << " missing with simgrid";
        continue;
      }
      same_metrics(it.value(), b[it.key()], path + "." + it.key(), diffs);
    }
  } else if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) same_metrics(a[i], b[i], path + "[" + std::to_string(i) + "]", diffs);
  }
}

std::string run(const Case& c, const std::string& out, std::vector<std::string> mode, std::string* stats) {
  std::vector<std::string> args = {"run", c.scenario, "--out", out, "-q", "--stats"};
  args.insert(args.end(), c.extra.begin(), c.extra.end());
  args.insert(args.end(), mode.begin(), mode.end());
  testing::RunOutput r = testing::run_infrasim(args);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;  // 1: a scenario that fails an expectation on purpose
  *stats = r.out;
  return testing::read_file(out + "/report.json");
}

TEST_P(Differential, SimGridCpuAndPerEventWakesGiveTheSameReport) {
  const Case& c = GetParam();
  std::string dir = testing::temp_dir("diff");
  std::string s_kernel, s_simgrid, s_per_event;
  std::string kernel = run(c, dir + "/kernel", {}, &s_kernel);
  std::string simgrid = run(c, dir + "/simgrid", {"--cpu-model", "simgrid"}, &s_simgrid);
  std::string per_event = run(c, dir + "/per-event", {"--wake", "per-event"}, &s_per_event);
  ASSERT_FALSE(kernel.empty());
  EXPECT_TRUE(kernel == per_event) << c.name << ": --wake per-event changed report.json";
  int diffs = 0;
  same_metrics(nlohmann::json::parse(kernel), nlohmann::json::parse(simgrid), c.name, &diffs);
  EXPECT_EQ(diffs, 0) << c.name << ": --cpu-model simgrid changed report.json's metrics";
  // The oracle really ran: SimGrid executed the contended hosts' work.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(s_simgrid, m, std::regex(R"((\d+) SimGrid activities)"))) << s_simgrid;
  EXPECT_GT(std::stoull(m[1]), 1000u) << c.name << ": no host was contended; the comparison proves nothing";
  ASSERT_TRUE(std::regex_search(s_kernel, m, std::regex(R"((\d+) SimGrid activities)"))) << s_kernel;
  EXPECT_EQ(std::stoull(m[1]), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, Differential,
    ::testing::Values(Case{"Reference", "scenarios/bench/reference.yaml", {"--set", "scenario.duration=300s"}},
                      Case{"DbPrimaryFailover", "scenarios/db-primary-failover.yaml", {}},
                      Case{"ZoneLoss", "scenarios/zone-loss.yaml", {}},
                      Case{"Autoscaling", "scenarios/autoscaling/spike-hpa.yaml", {}},
                      Case{"ChaosMonkey", "tests/engine/differential/chaos-monkey.yaml", {}},
                      Case{"ClientsAndUsers", "tests/engine/differential/clients-users.yaml", {}},
                      Case{"ShardedRedis", "tests/engine/differential/sharded-redis.yaml", {}},
                      // Hosts built at 2 cores, used at 1 until the resize (the kernel's), at 2 after (Cas01's).
                      Case{"Resize", "tests/behaviour/cases/resize-rollout/scenario.yaml", {}}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace sim
