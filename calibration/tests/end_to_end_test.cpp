// The two calibration tools together on 127.0.0.1, started and stopped by PID:
//
//   loadgen ──(one connection per request)──> backend (2 workers, 1 ms busy work each)
//
// Checks what scripts/calibrate relies on: every request answered with the
// backend's name, latency at least the service time, the backend's own count
// equal to the client's, a closed port seen as "refused", and a frozen
// (SIGSTOP) backend still accepting connections into the kernel's backlog while
// nothing answers, so requests end as client timeouts.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace calib {
namespace {

struct Child {
  pid_t pid = -1;
  std::FILE* out = nullptr;
};

Child spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  Child c;
  if (posix_spawn(&c.pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  c.out = fdopen(fds[0], "r");
  return c;
}

std::string read_line(std::FILE* f) {
  char buf[4096];
  if (!std::fgets(buf, sizeof buf, f)) return "";
  std::string s(buf);
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string read_all(std::FILE* f) {
  std::string s;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) s.append(buf, n);
  return s;
}

// Runs the load generator to completion; returns its CSV rows (without the header).
std::vector<std::vector<std::string>> loadgen(const std::vector<std::string>& extra, std::string* summary) {
  std::string csv = ::testing::TempDir() + "calib_loadgen_" + std::to_string(getpid()) + ".csv";
  std::vector<std::string> args = {CALIB_LOADGEN, "--out", csv, "--seed", "3"};
  args.insert(args.end(), extra.begin(), extra.end());
  Child c = spawn(args);
  EXPECT_GT(c.pid, 0);
  *summary = read_all(c.out);
  std::fclose(c.out);
  int status = 0;
  waitpid(c.pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << *summary;
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "id,source,sched,sent,done,outcome,status,backend");
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, ',')) cols.push_back(col);
    rows.push_back(cols);
  }
  std::remove(csv.c_str());
  return rows;
}

class CalibEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = spawn({CALIB_BACKEND, "--listen", "127.0.0.1:0", "--name", "b0", "--workers", "2", "--service",
                      "1ms"});
    ASSERT_GT(backend_.pid, 0);
    std::string ready = read_line(backend_.out);
    ASSERT_EQ(ready.rfind("ready b0 127.0.0.1:", 0), 0u) << ready;
    target_ = ready.substr(std::string("ready b0 ").size());
  }
  void TearDown() override {
    if (backend_.pid > 0) {
      kill(backend_.pid, SIGCONT);
      kill(backend_.pid, SIGKILL);
      waitpid(backend_.pid, nullptr, 0);
    }
    if (backend_.out) std::fclose(backend_.out);
  }
  // SIGTERM, then the backend's "stats" line.
  std::string stop_backend() {
    kill(backend_.pid, SIGTERM);
    std::string stats = read_all(backend_.out);
    int status = 0;
    waitpid(backend_.pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    backend_.pid = -1;
    return stats;
  }

  Child backend_;
  std::string target_;
};

TEST_F(CalibEndToEnd, EveryRequestIsServedAndCounted) {
  std::string summary;
  auto rows = loadgen({"--target", target_, "--rate", "200", "--duration", "1s", "--timeout", "5s"}, &summary);
  ASSERT_GT(rows.size(), 120u) << summary;  // Poisson(200): 5 sd below the mean is 129
  ASSERT_LT(rows.size(), 280u) << summary;
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), 8u);
    EXPECT_EQ(r[5], "ok") << summary;
    EXPECT_EQ(r[6], "200");
    EXPECT_EQ(r[7], "b0");
    double latency = std::stod(r[4]) - std::stod(r[2]);
    EXPECT_GE(latency, 0.001);  // at least the 1 ms of busy work
  }
  std::string stats = stop_backend();
  EXPECT_NE(stats.find("stats b0 served=" + std::to_string(rows.size()) + " "), std::string::npos) << stats;
}

TEST_F(CalibEndToEnd, HealthChecksAreAnsweredWithoutWork) {
  std::string summary;
  auto rows = loadgen({"--target", target_, "--path", "/healthz", "--rate", "100", "--duration", "0.5s",
                       "--arrivals", "fixed"},
                      &summary);
  ASSERT_EQ(rows.size(), 50u);
  for (const auto& r : rows) EXPECT_EQ(r[5], "ok");
  std::string stats = stop_backend();
  EXPECT_NE(stats.find("served=0 health=50 "), std::string::npos) << stats;
}

TEST_F(CalibEndToEnd, ClosedPortIsRefused) {
  std::string port = target_.substr(target_.find(':') + 1);
  stop_backend();  // the port is free now: nothing listens there
  std::string summary;
  auto rows = loadgen({"--target", "127.0.0.1:" + port, "--rate", "50", "--duration", "0.2s", "--arrivals",
                       "fixed"},
                      &summary);
  ASSERT_EQ(rows.size(), 10u);
  for (const auto& r : rows) EXPECT_EQ(r[5], "refused");
}

TEST_F(CalibEndToEnd, FrozenBackendAcceptsButNeverAnswers) {
  kill(backend_.pid, SIGSTOP);
  std::string summary;
  auto rows = loadgen({"--target", target_, "--rate", "50", "--duration", "0.2s", "--arrivals", "fixed",
                       "--timeout", "300ms"},
                      &summary);
  ASSERT_EQ(rows.size(), 10u);
  for (const auto& r : rows) {
    EXPECT_EQ(r[5], "timeout");
    EXPECT_NEAR(std::stod(r[4]) - std::stod(r[2]), 0.3, 0.05);
  }
  kill(backend_.pid, SIGCONT);
  // Resumed, it serves the requests it had accepted (their clients are gone) and new ones.
  rows = loadgen({"--target", target_, "--rate", "50", "--duration", "0.2s", "--arrivals", "fixed"}, &summary);
  for (const auto& r : rows) EXPECT_EQ(r[5], "ok");
}

TEST_F(CalibEndToEnd, SourcesBindDistinctLoopbackAddresses) {
  std::string summary;
  auto rows = loadgen({"--target", target_, "--sources", "127.0.0.2=60,127.0.0.3=20", "--duration", "1s",
                       "--arrivals", "fixed"},
                      &summary);
  std::map<std::string, int> per;
  for (const auto& r : rows) {
    EXPECT_EQ(r[5], "ok");
    ++per[r[1]];
  }
  EXPECT_EQ(per["127.0.0.2"], 60);
  EXPECT_EQ(per["127.0.0.3"], 20);
}

}  // namespace
}  // namespace calib
