// `sweep --emit-jobs` run for real: by Debian's GNU parallel, and as an array job on a single-node
// Slurm (munged, slurmctld and slurmd started and stopped by this test by PID, on 127.0.0.1). Both
// merges must be byte-identical to the local sweep's table.
//
//   sweep tiny.yaml ─────────────────────────────────────────> direct/results.{csv,json}, summary.md
//   sweep --emit-jobs jobs.txt ─> parallel < jobs.txt ─> merge ─> identical
//                               └> sbatch --wait jobs.txt.sbatch ─> merge ─> identical
//
// Skips with a message when a package is missing (scripts/setup installs parallel, slurm-wlm, munge)
// or, for Slurm, when not root. Bounded: every wait has a deadline (sbatch 180 s).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

bool installed(const char* path) { return access(path, X_OK) == 0; }

std::string tiny_sweep(const std::string& dir) {
  std::string f = dir + "/tiny.yaml";
  testing::write_file(f, "name: tiny\nscenario: " + testing::repo_root() +
                             "/scenarios/steady-state.yaml\nseeds: 1\nset: {scenario.duration: 90s, scenario.warmup: "
                             "10s}\ngrid:\n  components.app.replicas: [2, 3]\n");
  return f;
}

void expect_same_tables(const std::string& a, const std::string& b) {
  for (const char* f : {"results.csv", "results.json", "summary.md"}) {
    std::string x = testing::read_file(a + "/" + f), y = testing::read_file(b + "/" + f);
    EXPECT_FALSE(x.empty()) << a << "/" << f;
    EXPECT_EQ(x, y) << f << " differs between " << a << " and " << b;
  }
}

int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(Cluster, GnuParallelRunsTheEmittedJobsAndMergesToTheSameTable) {
  if (!installed("/usr/bin/parallel")) GTEST_SKIP() << "GNU parallel not installed (Debian package parallel)";
  std::string dir = testing::temp_dir("parallel");
  std::string sweep = tiny_sweep(dir);
  auto d = testing::run_infrasim({"sweep", sweep, "--out", dir + "/direct", "-q"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto e = testing::run_infrasim({"sweep", sweep, "--out", dir + "/cluster", "--emit-jobs", dir + "/jobs.txt"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  // --will-cite: GNU parallel's citation notice would wait for input otherwise; --halt: stop at the first failure.
  ASSERT_EQ(sh("parallel --will-cite --jobs 2 --halt now,fail=1 < '" + dir + "/jobs.txt' > '" + dir +
               "/parallel.log' 2>&1"),
            0)
      << testing::read_file(dir + "/parallel.log");
  auto m = testing::run_infrasim({"merge", dir + "/cluster"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  expect_same_tables(dir + "/direct", dir + "/cluster");
  fs::remove_all(dir);
}

// A daemon this test started; SIGTERM (then SIGKILL after 10 s) by its PID when destroyed.
class Daemon {
 public:
  Daemon(std::vector<std::string> argv, const std::string& log) {
    std::vector<char*> args;  // made before fork: only async-signal-safe calls in the child
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Daemon() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

 private:
  pid_t pid_ = -1;
};

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

TEST(Cluster, SlurmArrayJobOnALocalNodeMergesToTheSameTable) {
  for (const char* p : {"/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/sbin/munged"}) {
    if (!installed(p)) GTEST_SKIP() << p << " not installed (Debian packages slurmctld, slurmd, slurm-client, munge)";
  }
  if (geteuid() != 0) GTEST_SKIP() << "slurmd needs root here";
  if (!fs::exists("/etc/munge/munge.key")) GTEST_SKIP() << "no /etc/munge/munge.key (the munge package creates it)";
  std::string dir = testing::temp_dir("slurm");
  std::string sweep = tiny_sweep(dir);
  auto d = testing::run_infrasim({"sweep", sweep, "--out", dir + "/direct", "-q"});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto e = testing::run_infrasim({"sweep", sweep, "--out", dir + "/cluster", "--emit-jobs", dir + "/jobs.txt"});
  ASSERT_EQ(e.exit_code, 0) << e.err;

  std::string s = dir + "/slurm";
  fs::create_directories(s + "/state");
  fs::create_directories(s + "/spool");
  int ctld_port = free_port(), d_port = free_port();
  std::string conf = s + "/slurm.conf";
  testing::write_file(conf,
                      "ClusterName=infrasim\nSlurmctldHost=localhost\nSlurmUser=root\nSlurmdUser=root\n"
                      "AuthType=auth/munge\nAuthInfo=socket=" + s + "/munge.socket\nCredType=cred/munge\n"
                      "MpiDefault=none\nProctrackType=proctrack/linuxproc\nReturnToService=2\n"
                      "SlurmctldPidFile=" + s + "/slurmctld.pid\nSlurmctldPort=" + std::to_string(ctld_port) + "\n"
                      "SlurmdPidFile=" + s + "/slurmd.pid\nSlurmdPort=" + std::to_string(d_port) + "\n"
                      "SlurmdSpoolDir=" + s + "/spool\nStateSaveLocation=" + s + "/state\n"
                      "SwitchType=switch/none\nTaskPlugin=task/none\nSchedulerType=sched/builtin\n"
                      "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nJobCompType=jobcomp/none\n"
                      "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
                      "SlurmctldLogFile=" + s + "/slurmctld.log\nSlurmdLogFile=" + s + "/slurmd.log\n"
                      "NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN\n"
                      "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n");
  setenv("SLURM_CONF", conf.c_str(), 1);
  {
    // munged in the foreground with its own socket; the package's key.
    Daemon munge({"/usr/sbin/munged", "--foreground", "--force", "--socket=" + s + "/munge.socket",
                  "--key-file=/etc/munge/munge.key", "--pid-file=" + s + "/munged.pid", "--log-file=" + s + "/munged.log",
                  "--seed-file=" + s + "/munge.seed"},
                 s + "/munged.out");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    Daemon ctld({"/usr/sbin/slurmctld", "-D", "-i", "-f", conf}, s + "/slurmctld.out");
    Daemon slurmd({"/usr/sbin/slurmd", "-D", "-f", conf, "-N", "localhost"}, s + "/slurmd.out");
    // The node must be idle before the array is submitted (at most 30 s).
    bool idle = false;
    for (int i = 0; i < 150 && !idle; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      idle = sh("sinfo -h -o %T 2>/dev/null | grep -q idle") == 0;
    }
    ASSERT_TRUE(idle) << testing::read_file(s + "/slurmctld.log") << testing::read_file(s + "/slurmd.log");
    int rc = sh("timeout 180 sbatch --wait '" + dir + "/jobs.txt.sbatch' > '" + s + "/sbatch.out' 2>&1");
    EXPECT_EQ(rc, 0) << testing::read_file(s + "/sbatch.out") << testing::read_file(s + "/slurmctld.log");
    EXPECT_TRUE(munge.running() && ctld.running() && slurmd.running());
  }  // slurmd, slurmctld, munged stopped here, in that order
  unsetenv("SLURM_CONF");
  auto m = testing::run_infrasim({"merge", dir + "/cluster"});
  ASSERT_EQ(m.exit_code, 0) << m.err;
  expect_same_tables(dir + "/direct", dir + "/cluster");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
