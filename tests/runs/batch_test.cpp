// The batch driver (sim/runs/batch.h) with a fake runner: children that write
// a report, fail, crash or are killed, without simulating. One classification
// of a child's outcome, the ledger of complete runs and --resume, atomic
// writes and the output-directory lock.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "sim/core/exit_status.h"
#include "sim/runs/batch.h"
#include "sim/runs/output.h"
#include "tests/test_util.h"

namespace sim::runs {
namespace {

namespace fs = std::filesystem;

report::RunReport fake_report(const std::string& name, bool passed) {
  report::RunReport r;
  r.scenario.name = name;
  r.passed = passed;
  return r;
}

TEST(Classify, OneTableForEveryCommand) {
  auto rep = fake_report("x", true);
  EXPECT_EQ(classify(0, 0, rep, "").status, RunStatus::kPassed);
  EXPECT_EQ(classify(1, 0, rep, "").status, RunStatus::kFailed);
  RunOutcome stopped = classify(1, 0, std::nullopt, "no such file");
  EXPECT_EQ(stopped.status, RunStatus::kStopped);
  EXPECT_EQ(stopped.error, "stopped by a limit (--max-wall, --max-events); no report");
  EXPECT_EQ(classify(2, 0, std::nullopt, "").status, RunStatus::kRejected);
  RunOutcome crashed = classify(3, 0, std::nullopt, "");
  EXPECT_EQ(crashed.status, RunStatus::kCrashed);
  EXPECT_EQ(describe(crashed), "crashed (exit status 3)");
  EXPECT_EQ(describe(classify(137, 9, std::nullopt, "")), "crashed (killed by signal 9)");
  // Exit 0 without a readable report is a crash too: the report is the result.
  RunOutcome silent = classify(0, 0, std::nullopt, "x/report.json is not JSON (truncated or not written by infrasim)");
  EXPECT_EQ(silent.status, RunStatus::kCrashed);
  EXPECT_EQ(silent.error, "exit status 0 without a report: x/report.json is not JSON (truncated or not written by infrasim)");
  // A crash anywhere decides the command's status; otherwise the command's own verdict stands.
  EXPECT_EQ(command_status({classify(0, 0, rep, ""), crashed}, core::kOk), core::kInternal);
  EXPECT_EQ(command_status({classify(1, 0, rep, "")}, core::kChecksFailed), core::kChecksFailed);
}

// A scenario on disk (request keys read its files) and a fake runner: a run whose directory
// names "crash" exits 3, "kill" is killed, "fail" fails its expectations; each leaves a
// marker file so the test can tell which runs were made.
struct Fixture {
  std::string dir = testing::temp_dir("batch");
  Fixture() {
    testing::write_file(dir + "/topology.yaml",
                        "name: t\ncomponents:\n  app: {kind: service, service_time: 1ms}\nrequests:\n"
                        "  r: {share: 100%, path: [app]}\n");
    testing::write_file(dir + "/s.yaml", "name: s\ntopology: topology.yaml\nduration: 10s\nload: 1/s\n");
  }
  Batch batch(const std::vector<std::string>& names, bool resume) {
    Batch b;
    b.parallel = 2;
    b.ledger_dir = dir + "/out";
    b.resume = resume;
    for (const auto& n : names) {
      RunRequest r;
      r.scenario_path = dir + "/s.yaml";
      r.out_dir = dir + "/out/" + n;
      r.seed = 1;
      b.runs.push_back(r);
    }
    b.runner = [](const RunRequest& r) {
      testing::write_file(r.out_dir + "/ran", "yes");
      if (r.out_dir.find("crash") != std::string::npos) return 3;
      if (r.out_dir.find("kill") != std::string::npos) std::raise(SIGKILL);
      bool fail = r.out_dir.find("fail") != std::string::npos;
      write_file(r.out_dir + "/report.json", report::dump(report::to_json(fake_report("s", !fail))));
      return fail ? 1 : 0;
    };
    return b;
  }
  bool ran(const std::string& name) { return fs::exists(dir + "/out/" + name + "/ran"); }
  void forget_runs() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir + "/out")) fs::remove(e.path() / "ran", ec);
  }
};

TEST(RunBatch, ClassifiesEveryChild) {
  Fixture f;
  auto out = run_batch(f.batch({"ok", "fail", "crash", "kill"}, false));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].status, RunStatus::kPassed);
  ASSERT_TRUE(out[0].report);
  EXPECT_EQ(out[0].report->scenario.name, "s");
  EXPECT_EQ(out[1].status, RunStatus::kFailed);
  EXPECT_EQ(out[2].status, RunStatus::kCrashed);
  EXPECT_EQ(out[2].error, "exit status 3");
  EXPECT_EQ(out[3].status, RunStatus::kCrashed);
  EXPECT_EQ(out[3].signal, SIGKILL);
  EXPECT_EQ(command_status(out, core::kOk), core::kInternal);
}

TEST(RunBatch, ResumeReusesCompleteRunsOnly) {
  Fixture f;
  run_batch(f.batch({"a", "b-fail", "c-crash"}, false));
  // The ledger lists the complete runs (sorted), not the crashed one.
  std::string ledger = testing::read_file(f.dir + "/out/.infrasim-runs");
  EXPECT_NE(ledger.find(" 0 a\n"), std::string::npos) << ledger;
  EXPECT_NE(ledger.find(" 1 b-fail\n"), std::string::npos) << ledger;
  EXPECT_EQ(ledger.find("c-crash"), std::string::npos) << ledger;
  f.forget_runs();
  // Again with --resume (the crash is fixed): only the crashed run is made again.
  Batch again = f.batch({"a", "b-fail", "c-crash"}, true);
  again.runner = [inner = again.runner](const RunRequest& r) {
    if (r.out_dir.find("crash") == std::string::npos) return inner(r);
    testing::write_file(r.out_dir + "/ran", "yes");
    write_file(r.out_dir + "/report.json", report::dump(report::to_json(fake_report("s", true))));
    return 0;
  };
  auto out = run_batch(again);
  EXPECT_FALSE(f.ran("a"));
  EXPECT_FALSE(f.ran("b-fail"));
  EXPECT_TRUE(f.ran("c-crash"));
  EXPECT_TRUE(out[0].reused);
  EXPECT_EQ(out[1].status, RunStatus::kFailed);  // a reused run keeps its outcome
  EXPECT_TRUE(out[1].reused);
  EXPECT_EQ(out[2].status, RunStatus::kPassed);
  EXPECT_FALSE(out[2].reused);
}

TEST(RunBatch, ResumeRunsAgainWhatChanged) {
  Fixture f;
  run_batch(f.batch({"a", "b"}, false));
  f.forget_runs();
  // Another seed for b: a different request.
  Batch seeded = f.batch({"a", "b"}, true);
  seeded.runs[1].seed = 2;
  run_batch(seeded);
  EXPECT_FALSE(f.ran("a"));
  EXPECT_TRUE(f.ran("b"));
  f.forget_runs();
  // An edited scenario file: every run's inputs changed.
  testing::write_file(f.dir + "/s.yaml", "name: s\ntopology: topology.yaml\nduration: 20s\nload: 1/s\n");
  run_batch(f.batch({"a", "b"}, true));
  EXPECT_TRUE(f.ran("a"));
  f.forget_runs();
  // A report removed by hand: run again.
  fs::remove(f.dir + "/out/a/report.json");
  run_batch(f.batch({"a", "b"}, true));
  EXPECT_TRUE(f.ran("a"));
  EXPECT_FALSE(f.ran("b"));
  // Without --resume nothing is reused.
  f.forget_runs();
  run_batch(f.batch({"a", "b"}, false));
  EXPECT_TRUE(f.ran("a"));
  EXPECT_TRUE(f.ran("b"));
}

TEST(Output, WritesAtomicallyAndSaysWhyNot) {
  std::string dir = testing::temp_dir("output");
  EXPECT_EQ(write_file(dir + "/a/b/report.json", "{}\n"), "");
  EXPECT_EQ(testing::read_file(dir + "/a/b/report.json"), "{}\n");
  EXPECT_EQ(write_file(dir + "/a/b/report.json", "{\"x\": 1}\n"), "");
  EXPECT_EQ(testing::read_file(dir + "/a/b/report.json"), "{\"x\": 1}\n");
  for (const auto& e : fs::directory_iterator(dir + "/a/b")) {
    EXPECT_EQ(e.path().filename(), "report.json") << "left behind: " << e.path();
  }
  // A directory that cannot be made (a file is in the way): said, nothing written.
  testing::write_file(dir + "/file", "x");
  EXPECT_EQ(prepare_dir(dir + "/file/sub"), "cannot write to " + dir + "/file/sub: Not a directory");
  EXPECT_NE(write_file(dir + "/file/sub/report.json", "{}"), "");
  EXPECT_EQ(prepare_dir(dir + "/fresh"), "");
  EXPECT_TRUE(fs::is_directory(dir + "/fresh"));
}

TEST(Output, OneCommandPerOutputDirectory) {
  std::string dir = testing::temp_dir("lock");
  {
    DirLock first(dir);
    ASSERT_TRUE(first.ok()) << first.error();
    DirLock second(dir);
    EXPECT_FALSE(second.ok());
    EXPECT_EQ(second.error(), "another infrasim command is writing " + dir +
                                  "; expected one command per output directory (wait for it, or choose another --out)");
  }
  DirLock after(dir);  // released with the first
  EXPECT_TRUE(after.ok()) << after.error();
}

}  // namespace
}  // namespace sim::runs
