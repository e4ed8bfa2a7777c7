// libFuzzer target: the scenario loader (sim/scenario/loader.h), with --set overrides.
//
//   input bytes --> lines "#= path=value" --> parse_override --> overrides
//              \--> parse_scenario(<repo>/scenarios/fuzz.yaml, text, topology_override, overrides)
//
// The scenario names its topology; reading whatever path the fuzzer writes
// would make runs depend on the disk, so the topology is one of a fixed set of
// valid topologies, copied once at start-up into a private folder and chosen
// by the file name the `topology:` line mentions (nextleveltraders.yaml when
// none matches). "#= " lines are YAML comments, so a seed scenario is a valid
// input as it is, and the fuzzer can add overrides by writing such lines.
//
// Invariants (tests/fuzz/fuzz_util.h): a scenario without errors, or nullopt
// with at least one; every diagnostic located inside the text it points into
// (the scenario or the topology); formatting works.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sim/scenario/loader.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace fs = std::filesystem;

// Valid topologies the seed scenarios name, by file name; the first is the default.
const char* const kTopologies[] = {
    "topologies/nextleveltraders.yaml",        "topologies/nextleveltraders-scaling.yaml",
    "topologies/cryptopulse.yaml",             "topologies/lifetimecircle-aws.yaml",
    "topologies/lifetimecircle-compose.yaml",  "tests/bad/ok/topology.yaml",
    "tests/scenario/shop.yaml",
};

struct Topo {
  std::string name;  // file name, as a scenario writes it
  std::string path;  // the private copy
  std::string text;
};

std::vector<Topo>& topologies() {
  static std::vector<Topo> all;
  return all;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const Topo& choose(const std::string& text) {
  const auto& all = topologies();
  std::size_t at = text.find("topology:");
  if (at != std::string::npos) {
    std::string line = text.substr(at, text.find('\n', at) - at);
    for (const Topo& t : all) {
      if (line.find(t.name) != std::string::npos) return t;
    }
  }
  return all.front();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fs::path dir = fs::temp_directory_path() / ("infrasim-fuzz-scenario-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* rel : kTopologies) {
    fs::path src = fs::path(INFRASIM_SOURCE_DIR) / rel;
    std::string name = src.filename().string();
    fs::path dst = dir / name;
    Topo t{name, dst.string(), read(src)};
    if (t.text.empty()) sim::fuzz::fail("cannot read the topology", src.string());
    std::ofstream(dst, std::ios::binary) << t.text;
    topologies().push_back(std::move(t));
  }
  // Not removed at exit: libFuzzer ends with _Exit. The folder is small and per process.
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<sim::scenario::Override> overrides;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && overrides.size() < 8;) {
    if (!line.starts_with("#= ")) continue;
    std::string error;
    if (auto o = sim::scenario::parse_override(line.substr(3), &error)) {
      overrides.push_back(*o);
    } else {
      FUZZ_CHECK(!error.empty(), line);
    }
  }
  const Topo& topo = choose(text);
  const std::string file = std::string(INFRASIM_SOURCE_DIR) + "/scenarios/fuzz.yaml";
  sim::core::Diagnostics diags;
  auto loaded = sim::scenario::parse_scenario(file, text, diags, topo.path, overrides);
  sim::fuzz::check_result(loaded, diags);
  // With a topology override the topology text is re-emitted before parsing: positions then refer to
  // that text, which the fuzz target does not see.
  bool topology_overridden = false;
  for (const auto& o : overrides) topology_overridden = topology_overridden || o.topology;
  std::map<std::string, std::string_view> texts = {{file, text}};
  if (!topology_overridden) texts[topo.path] = topo.text;
  sim::fuzz::check_diagnostics(diags, texts);
  return 0;
}
