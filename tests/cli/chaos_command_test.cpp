// `infrasim chaos` end to end on a small topology: one run per single failure,
// and a matrix whose rows are derived from the topology by hand.
//
//   clients -> lb (1 instance; checks every 5 s, 3 failures, 3 s timeout) -> app x2 (2 ms)
//
// 20 requests/s for 5 minutes; each failure starts at 100 s (a third) and lasts to the end.
//   crash lb       the only balancer: nothing answers from 100 s on      RTO never, error rate broken
//   crash app      every app instance                                     RTO never, error rate broken
//   crash app[0]   half the load fails until the LB marks it down, within 5 s x 3 + 3 s = 18 s:
//                  at most 0.5 x 18 s of the 300 s fail (3 %), under the 5 % target; the windows
//                  from 120 s on are clean again, so the RTO (10 s windows) is at most 20 s
//   crash app[1]   the same
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

TEST(ChaosCommand, OneRunPerSingleFailureAndTheMatrixSaysWhatBreaks) {
  std::string dir = testing::temp_dir("chaos");
  testing::write_file(dir + "/topology.yaml", R"(name: small
clients: {latency: 1ms}
components:
  lb: {kind: load_balancer, health_check: {interval: 5s, timeout: 3s, unhealthy_threshold: 3}}
  app: {kind: service, replicas: 2, cores: 2, service_time: 2ms}
requests:
  r: {share: 100%, path: [lb, app]}
)");
  testing::write_file(dir + "/s.yaml", "name: small\ntopology: topology.yaml\nduration: 5m\nseed: 4\n"
                                       "load: {constant: 20/s}\nexpect: {error_rate: \"<= 5%\"}\n");
  auto r = testing::run_infrasim({"chaos", dir + "/s.yaml", "--each-single-failure", "--out", dir + "/out", "-q"});
  // Some single failure breaks an expectation: exit 1.
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = nlohmann::json::parse(testing::read_file(dir + "/out/chaos.json"));
  EXPECT_EQ(j["scenario"], "small");
  EXPECT_EQ(j["failure_at"], 100.0);
  const auto& m = j["matrix"];
  ASSERT_EQ(m.size(), 4u) << m.dump(1);
  std::vector<std::string> failures;
  for (const auto& row : m) failures.push_back(row["failure"]);
  EXPECT_EQ(failures, (std::vector<std::string>{"crash lb", "crash app", "crash app[0]", "crash app[1]"}));
  for (int i : {0, 1}) {
    EXPECT_TRUE(m[i]["rto"].is_null()) << m[i].dump();  // never recovers
    EXPECT_EQ(m[i]["breaks"], nlohmann::json::array({"error_rate"})) << m[i].dump();
  }
  for (int i : {2, 3}) {
    ASSERT_TRUE(m[i]["rto"].is_number()) << m[i].dump();
    EXPECT_LE(m[i]["rto"].get<double>(), 20.0) << m[i].dump();
    EXPECT_DOUBLE_EQ(m[i]["predicted_rto"].get<double>(), 18.0);
    EXPECT_TRUE(m[i]["breaks"].empty()) << m[i].dump();
    EXPECT_EQ(m[i]["expectations"]["error_rate"]["verdict"], "PASS");
  }
  // Every failure has its own report, linked from the page; the console table has a row each.
  for (const char* d : {"lb", "app", "app-0", "app-1"}) {
    EXPECT_TRUE(fs::exists(dir + "/out/" + std::string(d) + "/report.json")) << d;
    EXPECT_NE(testing::read_file(dir + "/out/chaos.html").find("href=\"" + std::string(d) + "/report.html\""),
              std::string::npos)
        << d;
  }
  EXPECT_NE(testing::read_file(dir + "/out/chaos.md").find("| crash lb | never |"), std::string::npos);
  EXPECT_NE(r.out.find("crash app[0]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 single failures; matrix in"), std::string::npos) << r.out;
  // A bad --at is bad input, before anything runs.
  auto bad = testing::run_infrasim({"chaos", dir + "/s.yaml", "--each-single-failure", "--at", "10m", "--out",
                                    dir + "/bad"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("shorter than the run (5m)"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(dir + "/bad"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
