// `infrasim chaos` end to end on a small topology: one run per single failure,
// and a matrix whose rows are derived from the topology by hand.
//
//   clients -> lb (1 instance; checks every 5 s, 3 failures, 3 s timeout) -> app x2 (2 ms)
//
// 20 requests/s for 5 minutes; each failure starts at 100 s (a third) and lasts to the end.
//   crash lb       the only balancer: nothing answers from 100 s on      RTO never, error rate broken
//   crash app      every app instance                                     RTO never, error rate broken
//   crash app[0]   half the load fails until the LB marks it down: a refused connection fails each
//                  check at once, so within 5 s x 3 = 15 s (predicted 15 s; a silent loss would add
//                  the 3 s timeout): at most 0.5 x 15 s of the 300 s fail (2.5 %), under the 5 % target; the windows
//                  from 120 s on are clean again, so the RTO (10 s windows) is at most 20 s
//   crash app[1]   the same
//
// Resilience targets: instance RTO <= 30 s (every failure here is of the instance class: the
// whole-component crashes never recover, so they breach it; the single instances recover within
// 20 s and meet it), zone RTO <= 1m (no failure of the small topology is a zone's: "not exercised").
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
                                       "load: {constant: 20/s}\nexpect: {error_rate: \"<= 5%\"}\n"
                                       "resilience: {targets: {instance: {rto: 30s}, zone: {rto: 1m}}}\n");
  // Single failures are the default mode; --seed, --junit and --summary as for `run`.
  auto r = testing::run_infrasim({"chaos", dir + "/s.yaml", "--seed", "4", "--out", dir + "/out", "--junit",
                                  dir + "/junit.xml", "--summary", dir + "/summary.md", "-q"});
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
    EXPECT_EQ(m[i]["breaks"], nlohmann::json::array({"error_rate", "resilience.instance"})) << m[i].dump();
    EXPECT_EQ(m[i]["targets"]["instance"]["verdict"], "breached") << m[i].dump();
    EXPECT_EQ(m[i]["targets"]["zone"]["verdict"], "not exercised") << m[i].dump();
  }
  for (int i : {2, 3}) {
    ASSERT_TRUE(m[i]["rto"].is_number()) << m[i].dump();
    EXPECT_LE(m[i]["rto"].get<double>(), 20.0) << m[i].dump();
    EXPECT_DOUBLE_EQ(m[i]["predicted_rto"].get<double>(), 15.0);
    EXPECT_TRUE(m[i]["breaks"].empty()) << m[i].dump();
    EXPECT_EQ(m[i]["expectations"]["error_rate"]["verdict"], "PASS");
    EXPECT_EQ(m[i]["targets"]["instance"]["verdict"], "met") << m[i].dump();
  }
  // One verdict per disruption class over the matrix.
  const auto& t = j["targets"];
  ASSERT_EQ(t.size(), 2u) << t.dump(1);
  EXPECT_EQ(t[0]["disruption"], "instance");
  EXPECT_EQ(t[0]["verdict"], "breached");
  EXPECT_EQ(t[0]["breached_by"], nlohmann::json::array({"crash lb", "crash app"}));
  EXPECT_EQ(t[0]["exercised_by"].size(), 4u);
  EXPECT_EQ(t[1]["disruption"], "zone");
  EXPECT_EQ(t[1]["verdict"], "not exercised");
  EXPECT_NE(r.out.find("resilience instance (RTO <= 30s): BREACHED by crash lb, crash app"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("resilience zone (RTO <= 1m): not exercised"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("infrasim chaos: 4 single failures: 2 passed, 2 failed, 0 errors; exit 1 ("), std::string::npos)
      << r.out;
  // JUnit: a suite per failure, named after it; the summary has a row each.
  std::string xml = testing::read_file(dir + "/junit.xml");
  EXPECT_NE(xml.find("<testsuites name=\"infrasim\" tests=\"16\" failures=\"4\" errors=\"0\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"small-app-0\""), std::string::npos) << xml;
  EXPECT_NE(testing::read_file(dir + "/summary.md").find("`small-lb`"), std::string::npos);
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
