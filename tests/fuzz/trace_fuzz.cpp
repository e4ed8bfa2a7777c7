// libFuzzer target: the trace reader (sim/trace/trace.h), all three formats.
//
//   input bytes --> a private temp file --> load_trace / check_trace as
//                   per_second, counts_csv and request_log,
//                   first over the whole trace, then over a window derived from
//                   the input (inside, misaligned, past the end, or huge)
//
// load_trace reads files (it streams traces of millions of lines and reads
// .bz2 / .tbz2 in place), so the input is written to a file rather than given
// as text; a seed is a trace file as it is. The window is not encoded in the
// input, so that seeds need no header: it comes from a hash of the bytes.
//
// Invariants: load without errors or nullopt with one (tests/fuzz/fuzz_util.h);
// check_trace agrees with load_trace (its documented contract); loaded bins
// are finite and non-negative, with a positive finite width, and as many as the
// window asks for; diagnostics in the trace file lie inside its lines.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "sim/trace/trace.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

namespace fs = std::filesystem;
using sim::scenario::TraceSpec;

std::string& trace_path() {
  static std::string path;
  return path;
}

std::uint64_t fnv1a(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ULL;
  return h;
}

// Loads `spec` and checks it; returns what load_trace returned.
std::optional<sim::trace::TraceBins> check(const TraceSpec& spec, std::string_view text, bool compressed) {
  sim::core::Diagnostics diags;
  auto bins = sim::trace::load_trace(spec, diags);
  sim::fuzz::check_result(bins, diags);
  // Data errors are located in the trace; a compressed one's lines are those of the decompressed text.
  std::map<std::string, std::string_view> texts;
  if (!compressed) texts[spec.path] = text;
  texts[spec.pos.file] = "";  // the scenario's entry: line 1 column 1 below
  sim::fuzz::check_diagnostics(diags, texts);

  sim::core::Diagnostics again;
  bool ok = sim::trace::check_trace(spec, again);
  FUZZ_CHECK(ok == bins.has_value(), "check_trace and load_trace disagree:\n" + diags.format_short() + "--\n" +
                                         again.format_short());
  if (!bins) return bins;
  FUZZ_CHECK(std::isfinite(bins->bin_width) && bins->bin_width > 0, std::to_string(bins->bin_width));
  FUZZ_CHECK(!bins->counts.empty(), "an empty window loaded without error");
  for (double c : bins->counts) FUZZ_CHECK(std::isfinite(c) && c >= 0, std::to_string(c));
  if (spec.length > 0) {
    double expected = spec.length / bins->bin_width;
    FUZZ_CHECK(std::fabs(static_cast<double>(bins->counts.size()) - expected) < 0.5,
               std::to_string(bins->counts.size()) + " bins for a window of " + std::to_string(expected));
  }
  return bins;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fs::path dir = fs::temp_directory_path() / ("infrasim-fuzz-trace-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  trace_path() = (dir / "trace").string();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = trace_path();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) sim::fuzz::fail("cannot write the trace file", path);
    if (size > 0) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool compressed = text.starts_with("BZh");
  std::uint64_t h = fnv1a(data, size);
  for (auto format : {TraceSpec::Format::kPerSecond, TraceSpec::Format::kCountsCsv, TraceSpec::Format::kRequestLog}) {
    TraceSpec spec;
    spec.path = spec.path_as_written = path;
    spec.format = format;
    // Errors about the window point at the trace's entry in a scenario when there is one.
    if (h & 1) spec.pos = {"scenario.yaml", 1, 1};
    auto whole = check(spec, text, compressed);

    // A second window, in bins of the width the whole trace has (1 when it did not load).
    double width = whole ? whole->bin_width : 1;
    double n = whole ? static_cast<double>(whole->counts.size()) : 4;
    switch ((h >> 1) % 6) {
      case 0: spec.start = width * std::floor(n / 2); spec.length = width * std::ceil(n / 2); break;  // the rest
      case 1: spec.start = width; spec.length = width; break;                                         // one bin
      case 2: spec.start = width * 0.5; break;                                                        // misaligned
      case 3: spec.start = width * n; break;                                                          // empty
      case 4: spec.length = width * (n + 1); break;                                                   // past the end
      default: spec.length = 1e14; break;                                                             // huge
    }
    check(spec, text, compressed);
  }
  return 0;
}
