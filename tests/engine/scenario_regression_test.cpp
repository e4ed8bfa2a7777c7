// Every committed scenario is a regression test (as DuckDB's .test files): one
// GoogleTest per scenarios/**/*.yaml, running the real CLI in a child process.
// Every one must exit 0: a seed's design that misses its own target on purpose
// declares it (`expected_failure: {reason, fails}`), and then exactly those checks
// must fail ("FAILED AS DECLARED" on stdout); a declaration that no longer holds
// (the checks pass, or others fail) exits 1.
// Scenarios with `slow: true` are skipped unless INFRASIM_SLOW=1.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;

class ScenarioRegression : public ::testing::Test {
 public:
  explicit ScenarioRegression(std::string path) : path_(std::move(path)) {}
  void TestBody() override {
    std::string text = testing::read_file(testing::repo_root() + "/" + path_);
    bool declared = std::regex_search(text, std::regex(R"(\nexpected_failure:)"));
    if (std::regex_search(text, std::regex(R"(\nslow:\s*true)")) && !std::getenv("INFRASIM_SLOW")) {
      GTEST_SKIP() << path_ << " is marked slow: set INFRASIM_SLOW=1 to run it";
    }
    if (text.find("shared/traces") != std::string::npos &&
        !fs::exists(testing::shared_dir() + "/traces")) {
      GTEST_SKIP() << path_ << " replays a trace from ../shared/traces, which is absent here";
    }
    std::string out = testing::temp_dir("scenario");
    auto r = testing::run_infrasim({"run", path_, "--out", out, "-q"});
    EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal;
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("conservation ok"), std::string::npos) << r.out;
    if (declared) {
      EXPECT_NE(r.out.find("outcome: FAILED AS DECLARED"), std::string::npos) << r.out;
    }
    fs::remove_all(out);
  }

 private:
  std::string path_;
};

// Registered at static-initialisation time, one test per file (DuckDB's RegisterSqllogictests).
[[maybe_unused]] const bool kRegistered = [] {
  std::vector<std::string> files;
  fs::path root = fs::path(testing::repo_root()) / "scenarios";
  if (!fs::exists(root)) return false;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") {
      std::string rel = fs::relative(e.path(), testing::repo_root()).string();
      // Capacity plans and sweeps are not scenarios; the bench reference has no expectations.
      if (rel.find("/plans/") != std::string::npos || rel.find("/sweeps/") != std::string::npos ||
          rel.find("/bench/") != std::string::npos) {
        continue;
      }
      files.push_back(rel);
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    std::string name = f;
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    ::testing::RegisterTest("ScenarioRegression", name.c_str(), nullptr, f.c_str(), __FILE__, __LINE__,
                            [f]() -> ::testing::Test* { return new ScenarioRegression(f); });
  }
  return true;
}();

}  // namespace
}  // namespace sim
