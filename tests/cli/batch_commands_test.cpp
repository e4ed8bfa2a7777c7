// The batch commands end to end (run with several scenarios or --runs, compare,
// sweep, chaos, capacity): a crashed or killed run gives exit status 3 in every
// one of them, and an interrupted batch resumes where it stopped.
//
//   clients -> lb -> app x2 (2 ms)      20 requests/s for 30 s: each run takes a fraction of a second
//                                       (the capacity plan: 2000 users at 1/s, four runs to size app)
//
// Runs are crashed, killed or hung on purpose through INFRASIM_TEST_RUN_HOOK
// (sim/runs/run_one.h), matched on their output directory.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

struct Files {
  std::string dir;
  explicit Files(const std::string& name) : dir(testing::temp_dir(name)) {
    testing::write_file(dir + "/topology.yaml", R"(name: tiny
clients: {latency: 1ms}
components:
  lb: {kind: load_balancer}
  app: {kind: service, replicas: 2, service_time: 2ms}
requests:
  r: {share: 100%, path: [lb, app]}
)");
    for (const char* scenario : {"tiny", "tiny2"}) {
      testing::write_file(dir + "/" + scenario + ".yaml",
                          std::string("name: ") + scenario +
                              "\ntopology: topology.yaml\nduration: 30s\nseed: 3\nload: {constant: 20/s}\n"
                              "expect: {error_rate: \"<= 1%\"}\n");
    }
    testing::write_file(dir + "/sweep.yaml", "name: grid\nscenario: tiny.yaml\nseeds: 1\n"
                                             "grid:\n  components.app.replicas: [1, 2, 3, 4]\n");
    testing::write_file(dir + "/plan.yaml", R"(name: plan
horizons: [now]
growth: {users: {current: 2000, yearly: 1x}}
requests: {per_user: 1/s}
tiers:
  app: {component: app}
plan:
  0: {app: 8}
scenario: tiny.yaml
simulate: {max_servers: 8}
)");
  }
  std::string path(const std::string& f) const { return dir + "/" + f; }
};

// Sets INFRASIM_TEST_RUN_HOOK for the commands run in its scope.
struct Hook {
  explicit Hook(const std::string& spec) { setenv("INFRASIM_TEST_RUN_HOOK", spec.c_str(), 1); }
  ~Hook() { unsetenv("INFRASIM_TEST_RUN_HOOK"); }
};

TEST(BatchCommands, ACrashedRunExitsThreeInEveryCommand) {
  Files f("batch-crash");
  Hook hook("crashme:crash");
  struct Case {
    const char* what;
    std::vector<std::string> args;
    const char* written;  // what the command still writes
  };
  std::vector<Case> cases = {
      {"run", {"run", f.path("tiny.yaml"), "--out", f.path("crashme-one")}, ""},
      {"run several", {"run", f.path("tiny.yaml"), f.path("tiny2.yaml"), "--out", f.path("crashme-run")}, ""},
      {"run --runs", {"run", f.path("tiny.yaml"), "--runs", "2", "--out", f.path("crashme-mc")}, "montecarlo.json"},
      {"compare",
       {"compare", f.path("tiny.yaml"), "--variant", "one:components.app.replicas=1", "--out", f.path("crashme-cmp")},
       "compare.json"},
      {"sweep", {"sweep", f.path("sweep.yaml"), "--out", f.path("crashme-sweep")}, "results.csv"},
      {"chaos", {"chaos", f.path("tiny.yaml"), "--each-single-failure", "--out", f.path("crashme-chaos")}, "chaos.json"},
      {"capacity", {"capacity", f.path("plan.yaml"), "--out", f.path("crashme-cap")}, "capacity.json"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("-q");
    auto r = testing::run_infrasim(args);
    EXPECT_EQ(r.signal, 0) << c.what;
    EXPECT_EQ(r.exit_code, 3) << c.what << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("injected crash"), std::string::npos) << c.what << "\n" << r.err;
    if (*c.written) {
      std::string out = args[std::find(args.begin(), args.end(), "--out") - args.begin() + 1];
      EXPECT_TRUE(fs::exists(out + "/" + c.written)) << c.what << ": the aggregate is written all the same";
    }
  }
  // A run killed by a signal is the same crash.
  Hook kill("crashme:kill");
  auto r = testing::run_infrasim({"sweep", f.path("sweep.yaml"), "--out", f.path("crashme-killed"), "-q"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("crashed (killed by signal 9)"), std::string::npos) << r.err;
  fs::remove_all(f.dir);
}

// Waits until the ledger in `dir` lists `n` complete runs (at most a minute).
bool wait_for_ledger(const std::string& dir, std::size_t n) {
  for (int i = 0; i < 6000; ++i) {
    std::string ledger = testing::read_file(dir + "/.infrasim-runs");
    if (static_cast<std::size_t>(std::count(ledger.begin(), ledger.end(), '\n')) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(BatchCommands, ASweepKilledMidwayResumesWithItsCompleteRuns) {
  Files f("batch-resume");
  std::string out = f.path("out");
  {
    // One run at a time; the third hangs: the batch is killed with two runs complete.
    Hook hang("runs/0002:hang");
    fs::create_directories(f.path("log"));
    int pid = testing::start_infrasim({"sweep", f.path("sweep.yaml"), "--out", out, "-j", "1", "-q"}, f.path("log"));
    bool two_done = wait_for_ledger(out + "/runs", 2);
    testing::kill_infrasim(pid);
    ASSERT_TRUE(two_done) << testing::read_file(f.path("log/stderr"));
  }
  EXPECT_TRUE(fs::exists(out + "/runs/0001/report.json"));
  EXPECT_FALSE(fs::exists(out + "/runs/0002/report.json"));
  EXPECT_FALSE(fs::exists(out + "/results.csv"));
  auto first = fs::last_write_time(out + "/runs/0000/report.json");

  auto resumed = testing::run_infrasim({"sweep", f.path("sweep.yaml"), "--out", out, "--resume", "-q"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.err.find("resume: 2 of 4 runs reused, 2 to run"), std::string::npos) << resumed.err;
  EXPECT_EQ(fs::last_write_time(out + "/runs/0000/report.json"), first) << "a complete run was made again";
  // The same table as an uninterrupted sweep.
  auto fresh = testing::run_infrasim({"sweep", f.path("sweep.yaml"), "--out", f.path("fresh"), "-q"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_EQ(testing::read_file(out + "/results.csv"), testing::read_file(f.path("fresh/results.csv")));
  fs::remove_all(f.dir);
}

TEST(BatchCommands, ChaosMonteCarloAndCapacityResumeToo) {
  Files f("batch-resume-all");
  // Chaos and Monte Carlo: a complete batch, then --resume reuses every run and writes the same files.
  for (const auto& [args, file] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"chaos", f.path("tiny.yaml"), "--each-single-failure", "--out", f.path("chaos")}, "chaos/chaos.json"},
           {{"run", f.path("tiny.yaml"), "--runs", "3", "--out", f.path("mc")}, "mc/montecarlo.json"}}) {
    std::vector<std::string> a = args;
    a.push_back("-q");
    auto first = testing::run_infrasim(a);
    ASSERT_LE(first.exit_code, 1) << first.err;
    std::string before = testing::read_file(f.path(file));
    a.push_back("--resume");
    auto again = testing::run_infrasim(a);
    EXPECT_EQ(again.exit_code, first.exit_code) << again.err;
    EXPECT_NE(again.err.find("runs reused, 0 to run"), std::string::npos) << again.err;
    EXPECT_EQ(testing::read_file(f.path(file)), before);
  }
  // Capacity: killed while its second candidate hangs, resumed, then the same report as a fresh search.
  {
    Hook hang(".candidates/0001:hang");
    fs::create_directories(f.path("log"));
    int pid = testing::start_infrasim({"capacity", f.path("plan.yaml"), "--out", f.path("cap"), "-j", "1", "-q"},
                                      f.path("log"));
    bool one_done = wait_for_ledger(f.path("cap/.candidates"), 1);
    testing::kill_infrasim(pid);
    ASSERT_TRUE(one_done) << testing::read_file(f.path("log/stderr"));
  }
  auto resumed = testing::run_infrasim({"capacity", f.path("plan.yaml"), "--out", f.path("cap"), "--resume", "-q"});
  ASSERT_LE(resumed.exit_code, 1) << resumed.err;
  EXPECT_NE(resumed.err.find("resume: 1 of"), std::string::npos) << resumed.err;
  auto fresh = testing::run_infrasim({"capacity", f.path("plan.yaml"), "--out", f.path("cap-fresh"), "-q"});
  EXPECT_EQ(fresh.exit_code, resumed.exit_code);
  EXPECT_EQ(testing::read_file(f.path("cap/capacity.json")), testing::read_file(f.path("cap-fresh/capacity.json")));
  // --resume is for batches.
  auto lone = testing::run_infrasim({"run", f.path("tiny.yaml"), "--resume"});
  EXPECT_EQ(lone.exit_code, 2);
  EXPECT_NE(lone.err.find("expected --runs K with it"), std::string::npos) << lone.err;
  fs::remove_all(f.dir);
}

}  // namespace
}  // namespace sim
