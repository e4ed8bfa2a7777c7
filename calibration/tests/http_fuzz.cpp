// libFuzzer target: the calibration tools' readers of untrusted bytes — the
// backend's request-head parser, the load generator's response-head parser (both
// read whatever a proxy sends) and the service-time spec parser.
//
//   input bytes --> parse_request / parse_response / ServiceTime::parse
//
// Invariants: nothing throws or reads outside its input (ASan); a parser that
// returns a head says the head ends inside the input, after its blank line;
// `bad` and a result are never both set; a status is 100..599; an accepted
// service time has a finite non-negative mean and samples; a rejected one says
// what was expected. Built with -DINFRASIM_FUZZ=ON, run by scripts/fuzz.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "calibration/src/http.h"
#include "calibration/src/service_time.h"

namespace {

void check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "\n*** fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  bool bad = true;
  if (auto r = calib::parse_request(text, &bad)) {
    check(!bad, "parse_request returned a head and bad");
    check(r->length >= 4 && r->length <= size, "request head length outside the input");
    check(text.substr(r->length - 4, 4) == "\r\n\r\n", "request head does not end with a blank line");
  }
  if (auto r = calib::parse_response(text, &bad)) {
    check(!bad, "parse_response returned a head and bad");
    check(r->head_length >= 4 && r->head_length <= size, "response head length outside the input");
    check(r->status >= 100 && r->status <= 599, "status outside 100..599");
  }
  std::string error;
  std::string spec(text.substr(0, 256));
  if (auto st = calib::ServiceTime::parse(spec, &error)) {
    check(std::isfinite(st->mean()) && st->mean() >= 0, "service time mean not finite or negative");
    std::mt19937_64 rng(size);
    for (int i = 0; i < 4; ++i) {
      double x = st->sample(rng);
      check(x >= 0 && !std::isnan(x), "service time sample negative or NaN");
    }
  } else {
    check(!error.empty(), "a rejected service time without its message");
  }
  return 0;
}
