// `infrasim advise`: the remedies of a breached target, verified by simulation and ranked.
//
//   scenarios/restore-from-backup.yaml: seed 000 restores its nightly dump at 13h (backup at t=0):
//   RPO as written = 13h (46799.7 s: the last write before the fault), target 5m: breached, and so is
//   resilience.data. The one remedy that applies, backups every 5m (the RPO target), restores the
//   backup taken at 13h itself: RPO 0 s, both checks met, no instance added.
//
//   make_advice's ranking (hand-built reports): a remedy that meets every breached check ranks
//   before one that meets only some, one that breaks another check after one that breaks none,
//   and among equals fewer added instances first.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/advise/advice.h"
#include "sim/report/json.h"
#include "tests/test_util.h"

namespace sim::advise {
namespace {

namespace fs = std::filesystem;

TEST(AdviseCommand, RestoreFromBackupNamesMoreFrequentBackupsAndItsCost) {
  std::string dir = testing::temp_dir("advise");
  auto r = testing::run_infrasim({"advise", "scenarios/restore-from-backup.yaml", "--out", dir, "-q", "-j", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("breached as written: rpo, resilience.data"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Best: more frequent backups (db: backups every 1d -> 5m (point-in-time recovery)): meets rpo, "
                       "resilience.data; costs +0 instances"),
            std::string::npos)
      << r.out;
  report::Json j = report::Json::parse(testing::read_file(dir + "/advice.json"));
  EXPECT_EQ(j["solved"], true);
  EXPECT_EQ(j["baseline"]["breached"], report::Json({"rpo", "resilience.data"}));
  const report::Json& best = j["remedies"][0];
  EXPECT_EQ(best["rank"], 1);
  EXPECT_EQ(best["id"], "db-backup-interval");
  EXPECT_EQ(best["overrides"], report::Json({"components.db.backup.interval=300s"}));
  EXPECT_EQ(best["met"], report::Json({"rpo", "resilience.data"}));
  EXPECT_EQ(best["instances_delta"], 0);
  // Its run is a report like any other, whose provenance names the change.
  report::Json rep = report::Json::parse(testing::read_file(dir + "/db-backup-interval/report.json"));
  EXPECT_EQ(rep["provenance"]["overrides"], report::Json({"components.db.backup.interval=300s"}));
  EXPECT_EQ(rep["data_losses"][0]["rpo"], 0.0);
  report::Json base = report::Json::parse(testing::read_file(dir + "/baseline/report.json"));
  EXPECT_NEAR(base["data_losses"][0]["rpo"].get<double>(), 13 * 3600.0, 1.0);
  fs::remove_all(dir);
}

report::RunReport with_checks(bool rpo, bool rto, bool p99, int instances) {
  report::RunReport r;
  for (auto [metric, pass] : {std::pair{"rpo", rpo}, std::pair{"rto", rto}, std::pair{"latency_p99", p99}}) {
    report::ExpectationRow e;
    e.metric = metric;
    e.pass = pass;
    e.actual = pass ? "ok" : "bad";
    r.expectations.push_back(e);
  }
  report::ComponentRow c;
  c.name = "app";
  c.instances = instances;
  r.components.push_back(c);
  return r;
}

Trial trial(const std::string& id, report::RunReport rep) {
  Trial t;
  t.remedy.id = id;
  t.remedy.kind = id;
  t.report = std::move(rep);
  return t;
}

TEST(Advice, RanksWhatMeetsEverythingFirstThenByCost) {
  report::RunReport baseline = with_checks(false, false, true, 3);  // rpo and rto breached
  std::vector<Trial> trials = {trial("only-rpo", with_checks(true, false, true, 3)),
                               trial("both-but-slow", with_checks(true, true, false, 3)),
                               trial("both-plus-two", with_checks(true, true, true, 5)),
                               trial("both-plus-one", with_checks(true, true, true, 4))};
  Trial never;
  never.remedy.id = "retry-budget";
  never.remedy.available = false;
  trials.push_back(never);
  Advice a = make_advice("s", "baseline", baseline, "", trials);
  ASSERT_EQ(a.rows.size(), 5u);
  EXPECT_EQ(a.breached, (std::vector<std::string>{"rpo", "rto"}));
  std::vector<std::string> order;
  for (const auto& r : a.rows) order.push_back(r.trial.remedy.id + ":" + std::to_string(r.rank));
  EXPECT_EQ(order, (std::vector<std::string>{"both-plus-one:1", "both-plus-two:2", "both-but-slow:3", "only-rpo:4",
                                             "retry-budget:0"}));
  EXPECT_TRUE(a.rows[0].meets_all);
  EXPECT_EQ(a.rows[0].instances_delta, 1);
  EXPECT_EQ(a.rows[2].broken, (std::vector<std::string>{"latency_p99"}));
  EXPECT_FALSE(a.rows[2].meets_all);
  EXPECT_EQ(a.rows[3].still, (std::vector<std::string>{"rto"}));
  EXPECT_TRUE(a.solved());
  // Nothing meets everything: not solved.
  Advice b = make_advice("s", "baseline", baseline, "", {trial("only-rpo", with_checks(true, false, true, 3))});
  EXPECT_FALSE(b.solved());
}

}  // namespace
}  // namespace sim::advise
