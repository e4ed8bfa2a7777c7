// libFuzzer target: the unit parsers of sim/core/units.h, and the caret
// rendering of sim/core/diagnostics.h on arbitrary text.
//
//   input bytes --> parse_duration / rate / size / bandwidth / ratio / factor / number
//              \--> Diagnostics over the input as a source file --> format()
//
// Invariants: no parser throws or reads outside its string_view (ASan); a value
// is finite and inside the documented range; `expected` is always set; the
// human form of a value (format_*) is produced without trouble. Diagnostics at
// any position of any text format without crashing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/core/units.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using sim::fuzz::fail;

using Parser = std::optional<double> (*)(std::string_view, std::string*);

void check_parser(const char* name, Parser parse, std::string_view text, double lo, double hi, bool lo_open,
                  std::string (*format)(double)) {
  std::string expected;
  std::optional<double> v = parse(text, &expected);
  std::string what = std::string(name) + "('" + std::string(text.substr(0, 200)) + "')";
  FUZZ_CHECK(!expected.empty(), what);
  if (!v) return;
  FUZZ_CHECK(std::isfinite(*v), what);
  FUZZ_CHECK(lo_open ? *v > lo : *v >= lo, what + " = " + std::to_string(*v));
  FUZZ_CHECK(*v <= hi, what + " = " + std::to_string(*v));
  // Same answer without the out-parameter.
  std::optional<double> again = parse(text, nullptr);
  FUZZ_CHECK(again && *again == *v, what);
  if (format) FUZZ_CHECK(!format(*v).empty(), what);
}

// Diagnostics placed at positions taken from the input, over the input as the source text.
void check_caret(std::string_view data) {
  if (data.size() < 4) return;
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(data[i]); };
  std::string text(data.substr(4));
  int lines = sim::fuzz::line_count(text);
  sim::core::Diagnostics diags;
  diags.add_source("f.yaml", text);
  diags.error("f.yaml", b(0) % (lines + 2), b(1) % 64, "first");
  diags.warning("f.yaml", b(2) % (lines + 2), b(3), "second");
  diags.error("other.yaml", 1, 1, "no source");
  std::string out = diags.format();
  FUZZ_CHECK(out.find("error: first") != std::string::npos, out);
  // Every shown source line is printable: control and non-UTF-8 bytes become '?'.
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string_view line(out.data() + pos, end - pos);
    for (std::size_t i = 0; i < line.size();) {
      std::size_t n = sim::core::utf8_length_at(line, i);
      FUZZ_CHECK(n > 0, "format() shows a byte that is not UTF-8:\n" + out);
      auto c = static_cast<unsigned char>(line[i]);
      FUZZ_CHECK(n > 1 || c >= 0x20 || c == '\t', "format() shows a control character:\n" + out);
      i += n;
    }
    pos = end + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A string_view that is not NUL-terminated: ASan catches a parser that reads past it.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size <= 256) {
    check_parser("parse_duration", sim::core::parse_duration, text, 0, 1e18, false, sim::core::format_duration);
    check_parser("parse_rate", sim::core::parse_rate, text, 0, 1e18, false, sim::core::format_rate);
    check_parser("parse_size", sim::core::parse_size, text, 0, 1e21, false, sim::core::format_size);
    check_parser("parse_bandwidth", sim::core::parse_bandwidth, text, 0, 1e18, true, sim::core::format_bandwidth);
    check_parser("parse_ratio", sim::core::parse_ratio, text, 0, 1, false, sim::core::format_ratio);
    check_parser("parse_factor", sim::core::parse_factor, text, 0, 1e18, true, nullptr);
    if (auto v = sim::core::parse_number(text)) {
      FUZZ_CHECK(std::isfinite(*v) && std::fabs(*v) <= 1e18, std::string(text));
      FUZZ_CHECK(!sim::core::format_number(*v).empty(), std::string(text));
    }
    // "did you mean" on the input split in two (bounded: edit distance is quadratic).
    std::string_view a = text.substr(0, text.size() / 2), b = text.substr(text.size() / 2);
    FUZZ_CHECK(sim::core::edit_distance(a, b) == sim::core::edit_distance(b, a), std::string(text));
    std::string guess = sim::core::closest_match(a, {std::string(b), "latency", "replicas", "service_time"});
    (void)guess;
  }
  check_caret(text);
  return 0;
}
