// The writes' RTO in seed 000's failover, end to end (scenarios/db-primary-failover.yaml with the
// writes at 0.25 % of the traffic, as in the failure-semantics issue's example).
//
//   Detection: checks every 5 s from a random phase, each failed check known after its 3 s
//   timeout, 3 failures: between 2 x 5 + 3 = 13 s and 3 x 5 + 3 = 18 s after the crash;
//   + promotion 30 s + DNS TTL 60 s: the writes fail from 5m until between 103 s and 108 s later.
//   Measured on 5 s windows, the first clean window starts at most one window later: the writes'
//   RTO is within [100 s, 110 s].
//   All traffic: 0.25 % of 400/s fail for about 105 s, about 105 requests of 42 000 (0.25 %): no
//   window falls below 99 %, so the all-traffic RTO is 0 s and says nothing about the writes.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

TEST(ClassRtoCli, WritesRtoIsDetectionPlusPromotionPlusTtlWhileAllTrafficSeesNothing) {
  std::string dir = testing::temp_dir("class-rto");
  auto r = testing::run_infrasim({"run", "scenarios/db-primary-failover.yaml", "--out", dir, "-q", "--set",
                                  "scenario.load={constant: 400/s, mix: {static: 30%, api_read: 69.75%, api_write: "
                                  "0.25%}}"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(testing::read_file(dir + "/report.json"));
  const auto& rec = j["recovery"][0];
  EXPECT_EQ(rec["rto"], 0.0) << rec.dump(1);
  double writes = -1, reads = -1;
  for (const auto& c : rec["classes"]) {
    if (c["class"] == "api_write") writes = c["rto"].get<double>();
    if (c["class"] == "api_read") reads = c["rto"].get<double>();
  }
  EXPECT_GE(writes, 100.0) << rec.dump(1);
  EXPECT_LE(writes, 110.0) << rec.dump(1);
  EXPECT_EQ(reads, 0.0) << rec.dump(1);  // reads go to the replicas and the cache
  // The class row and stdout say the same.
  for (const auto& c : j["classes"]) {
    if (c["name"] == "api_write") {
      EXPECT_EQ(c["write"], true);
      EXPECT_EQ(c["rto"].get<double>(), writes);
    }
  }
  EXPECT_NE(r.out.find("recovery of crash db.primary at 5m: RTO 0s (predicted 1m48s), writes (api_write) "),
            std::string::npos)
      << r.out;
  // The provenance records the override.
  EXPECT_EQ(j["provenance"]["overrides"][0],
            "scenario.load={constant: 400/s, mix: {static: 30%, api_read: 69.75%, api_write: 0.25%}}");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
