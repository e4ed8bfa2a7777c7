// The bad-input corpus: every tests/bad/NAME.expected is one test that runs
// `infrasim validate tests/bad/NAME.yaml` in a child process and expects
//
//   - exit code 2, not a signal (no crash, no abort, no stack overflow);
//   - nothing on stdout (bad input writes nothing);
//   - the first line of stderr equal to the first line of NAME.expected, and
//     every further line of NAME.expected among stderr's lines (for files with
//     several errors: all of them are reported, sorted).
//
// NAME.yaml is usually a malformed topology or scenario; it may also be a
// directory (directory.yaml/), missing (missing.yaml) or binary. Scenarios name
// tests/bad/ok/topology.yaml, a small valid topology. A new pair of files is a
// new test; paths in the messages are as given on the command line.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/test_util.h"

namespace sim::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCorpus = "tests/bad";

// NAME of every NAME.expected, sorted.
std::vector<std::string> corpus() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(repo_root()) / kCorpus, ec)) {
    if (entry.path().extension() == ".expected") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class BadInput : public ::testing::TestWithParam<std::string> {};

TEST_P(BadInput, ExitsTwoWithTheExpectedMessage) {
  const std::string name = GetParam();
  const std::string input = std::string(kCorpus) + "/" + name + ".yaml";
  std::vector<std::string> expected = lines_of(read_file(repo_root() + "/" + kCorpus + "/" + name + ".expected"));
  ASSERT_FALSE(expected.empty()) << name << ".expected is empty";

  RunOutput r = run_infrasim({"validate", input});
  EXPECT_EQ(r.signal, 0) << "killed by signal " << r.signal << "\n" << r.err;
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  std::vector<std::string> got = lines_of(r.err);
  ASSERT_FALSE(got.empty()) << "nothing on stderr";
  EXPECT_EQ(got.front(), expected.front()) << "stderr:\n" << r.err;
  for (std::size_t i = 1; i < expected.size(); ++i) {
    EXPECT_NE(std::find(got.begin(), got.end(), expected[i]), got.end())
        << "missing from stderr: " << expected[i] << "\nstderr:\n" << r.err;
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(corpus()), test_name);

TEST(BadInputCorpus, IsLargeAndComplete) {
  std::vector<std::string> names = corpus();
  EXPECT_GE(names.size(), 45u);
  // Every input has its expectation (an input without one would silently not be tested).
  for (const auto& entry : fs::directory_iterator(fs::path(repo_root()) / kCorpus)) {
    if (entry.path().extension() != ".yaml") continue;
    std::string stem = entry.path().stem().string();
    EXPECT_NE(std::find(names.begin(), names.end(), stem), names.end()) << stem << ".yaml has no .expected";
  }
  // The special inputs are what their names say.
  std::string dir = repo_root() + "/" + kCorpus + "/";
  EXPECT_TRUE(fs::is_directory(dir + "directory.yaml"));
  EXPECT_FALSE(fs::exists(dir + "missing.yaml"));
  EXPECT_EQ(read_file(dir + "empty.yaml"), "");
  EXPECT_NE(read_file(dir + "binary_junk_elf.yaml").find('\0'), std::string::npos);
}

TEST(BadInputCorpus, TheTopologyTheScenariosNameIsValid) {
  // Otherwise the scenarios would test a broken topology instead of their own mistake.
  RunOutput r = run_infrasim({"validate", std::string(kCorpus) + "/ok/topology.yaml"});
  EXPECT_EQ(r.signal, 0);
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace sim::testing
