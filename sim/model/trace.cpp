#include "sim/model/trace.h"

#include <bzlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <string_view>

#include "sim/core/units.h"

namespace sim::model {
namespace {

using core::Diagnostics;
using scenario::TraceSpec;

// Where a problem with the trace as a whole (its file, its window) is reported: at the trace's entry in the
// scenario when there is one, else at the trace file itself.
struct Where {
  std::string file;
  int line = 0;
  int column = 0;
};

Where where_of(const TraceSpec& spec) {
  if (!spec.pos.file.empty()) return {spec.pos.file, spec.pos.line, spec.pos.column};
  return {spec.path, 0, 0};
}

void error_at(Diagnostics& diags, const Where& w, std::string msg) {
  diags.error(w.file, w.line, w.column, std::move(msg));
}

// A duration for messages: "1m30s", or "3d4h (274620s)" where the short form rounds.
std::string span_text(double seconds) {
  std::string human = core::format_duration(seconds);
  auto back = core::parse_duration(human);
  if (back && std::fabs(*back - seconds) <= 1e-9 * std::max(1.0, seconds)) return human;
  return fmt::format("{} ({}s)", human, core::format_number(seconds, 15));
}

// Text from a file as shown in a message: at most 40 bytes, control and non-ASCII bytes as '?'.
std::string shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 40)) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c < 0x20 || c >= 0x7f ? '?' : ch);
  }
  if (text.size() > 40) out += "...";
  return out;
}

constexpr const char* kTimeForms = "unix seconds, or a date like 2014-04-10 00:04:00";

// ---- reading bytes: a plain file, a bzip2 stream, or the first regular file of a bzip2'd tar -------------

constexpr std::size_t kTarBlock = 512;

// The header's checksum: the sum of its bytes with the checksum field counted as spaces. Old tars summed
// signed chars, so both sums are accepted.
bool tar_checksum_ok(const unsigned char* h) {
  long unsigned_sum = 0, signed_sum = 0;
  for (std::size_t i = 0; i < kTarBlock; ++i) {
    unsigned char c = (i >= 148 && i < 156) ? ' ' : h[i];
    unsigned_sum += c;
    signed_sum += static_cast<signed char>(c);
  }
  long stored = 0;
  bool digits = false;
  for (std::size_t i = 148; i < 156; ++i) {
    unsigned char c = h[i];
    if (c == ' ' && !digits) continue;
    if (c < '0' || c > '7') break;
    stored = stored * 8 + (c - '0');
    digits = true;
  }
  return digits && (stored == unsigned_sum || stored == signed_sum);
}

// The size field: octal ASCII, or GNU base-256 when the high bit of the first byte is set.
std::optional<std::uint64_t> tar_size(const unsigned char* h) {
  const unsigned char* f = h + 124;
  std::uint64_t v = 0;
  if (f[0] & 0x80) {
    if (f[0] != 0x80) return std::nullopt;  // negative or absurdly large
    for (int i = 1; i < 12; ++i) {
      if (v >> 56) return std::nullopt;
      v = (v << 8) | f[i];
    }
    return v;
  }
  int i = 0;
  while (i < 12 && f[i] == ' ') ++i;
  for (; i < 12 && f[i] >= '0' && f[i] <= '7'; ++i) v = v * 8 + (f[i] - '0');
  return v;
}

std::string tar_name(const unsigned char* h) {
  auto field = [h](std::size_t off, std::size_t len) {
    const char* p = reinterpret_cast<const char*>(h + off);
    return std::string(p, strnlen(p, len));
  };
  std::string name = field(0, 100);
  if (std::memcmp(h + 257, "ustar", 5) == 0) {
    std::string prefix = field(345, 155);
    if (!prefix.empty()) name = prefix + "/" + name;
  }
  return name;
}

// A byte stream over a trace file. Compressed input is recognised by content, not by name: "BZh" starts a
// bzip2 stream (several concatenated streams are read one after another, as bunzip2 does), and a first block
// that is a valid tar header makes it an archive whose first regular file is the trace.
class Input {
 public:
  explicit Input(Diagnostics& diags) : diags_(diags) {}
  ~Input() { close(); }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  /// Opens `path`; a failure to open is reported at `where`, a corrupt archive at the file.
  bool open(const std::string& path, const Where& where) {
    path_ = path;
    name_ = path;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      error_at(diags_, where, fmt::format("cannot read trace '{}': it is a directory; expected a file", path));
      return false;
    }
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) {
      error_at(diags_, where, fmt::format("cannot open trace '{}': {}", path, std::strerror(errno)));
      return false;
    }
    std::array<char, 3> magic{};
    std::size_t got = std::fread(magic.data(), 1, magic.size(), file_);
    if (std::ferror(file_)) return fail_io();
    if (got == 3 && std::memcmp(magic.data(), "BZh", 3) == 0) {
      std::rewind(file_);
      bz_mode_ = true;
      if (!open_bz(nullptr, 0)) return false;
      return open_tar_member();
    }
    std::rewind(file_);
    return true;
  }

  /// Up to n bytes into buf: the count, 0 at the end, -1 after reporting an error.
  std::ptrdiff_t read(char* buf, std::size_t n) {
    if (failed_) return -1;
    std::size_t done = 0;
    if (pending_pos_ < pending_.size()) {
      done = std::min(n, pending_.size() - pending_pos_);
      std::memcpy(buf, pending_.data() + pending_pos_, done);
      pending_pos_ += done;
      return static_cast<std::ptrdiff_t>(done);
    }
    if (in_member_) {
      if (member_left_ == 0) return 0;
      n = static_cast<std::size_t>(std::min<std::uint64_t>(n, member_left_));
    }
    std::ptrdiff_t got = raw_read(buf, n);
    if (got < 0) return -1;
    if (in_member_) {
      if (got == 0) {
        diags_.error(path_, 0, 0,
                     fmt::format("archive ends inside '{}' ({} bytes missing); expected a complete tar file",
                                 member_name_, member_left_));
        failed_ = true;
        return -1;
      }
      member_left_ -= static_cast<std::uint64_t>(got);
    }
    return got;
  }

  /// The name data errors are reported under: the path, or "path(member)" for a file inside an archive.
  const std::string& name() const { return name_; }

 private:
  bool fail_io() {
    diags_.error(path_, 0, 0, fmt::format("cannot read trace: {}", std::strerror(errno)));
    failed_ = true;
    return false;
  }

  bool open_bz(const void* unused, int n_unused) {
    int err = BZ_OK;
    bz_ = BZ2_bzReadOpen(&err, file_, 0, 0, const_cast<void*>(unused), n_unused);
    if (err != BZ_OK) {
      if (bz_) BZ2_bzReadClose(&err, bz_);
      bz_ = nullptr;
      diags_.error(path_, 0, 0, "cannot start bzip2 decompression (out of memory?)");
      failed_ = true;
      return false;
    }
    ++streams_;
    return true;
  }

  void close() {
    if (bz_) {
      int err = BZ_OK;
      BZ2_bzReadClose(&err, bz_);
      bz_ = nullptr;
    }
    if (file_) {
      std::fclose(file_);
      file_ = nullptr;
    }
  }

  // Bytes from the file, decompressed in bzip2 mode; no tar logic here.
  std::ptrdiff_t raw_read(char* buf, std::size_t n) {
    if (!bz_mode_) {
      std::size_t got = std::fread(buf, 1, n, file_);
      if (got == 0 && std::ferror(file_)) {
        fail_io();
        return -1;
      }
      return static_cast<std::ptrdiff_t>(got);
    }
    while (bz_) {
      int err = BZ_OK;
      int want = static_cast<int>(std::min<std::size_t>(n, INT_MAX));
      int got = BZ2_bzRead(&err, bz_, buf, want);
      if (err == BZ_OK) return got;
      if (err == BZ_STREAM_END) {
        // Another bzip2 stream may follow (pbzip2 writes several): continue with it.
        void* unused = nullptr;
        int n_unused = 0;
        int err2 = BZ_OK;
        BZ2_bzReadGetUnused(&err2, bz_, &unused, &n_unused);
        std::string rest(static_cast<const char*>(unused), static_cast<std::size_t>(std::max(n_unused, 0)));
        BZ2_bzReadClose(&err2, bz_);
        bz_ = nullptr;
        int c = std::fgetc(file_);
        bool more_in_file = c != EOF;
        if (more_in_file) std::ungetc(c, file_);
        if ((!rest.empty() || more_in_file) && (rest.size() < 3 || rest.compare(0, 3, "BZh") == 0)) {
          if (!open_bz(rest.data(), static_cast<int>(rest.size()))) return -1;
        }
        // Anything else after the last stream is trailing garbage, which bunzip2 ignores too.
        if (got > 0) return got;
        continue;
      }
      if (err == BZ_DATA_ERROR_MAGIC && streams_ > 1) {
        // Not a further stream after all: trailing garbage, ignored as by bunzip2.
        int err2 = BZ_OK;
        BZ2_bzReadClose(&err2, bz_);
        bz_ = nullptr;
        return 0;
      }
      const char* what = err == BZ_DATA_ERROR         ? "corrupt bzip2 data (a block fails its checksum)"
                         : err == BZ_DATA_ERROR_MAGIC ? "not bzip2 data after the 'BZh' signature"
                         : err == BZ_UNEXPECTED_EOF   ? "bzip2 data ends early; the file is truncated"
                         : err == BZ_MEM_ERROR        ? "out of memory while decompressing"
                         : err == BZ_IO_ERROR         ? nullptr
                                                      : "bzip2 decompression failed";
      if (!what) {
        fail_io();
        return -1;
      }
      diags_.error(path_, 0, 0, what);
      failed_ = true;
      return -1;
    }
    return 0;
  }

  // Reads exactly n bytes (fewer only at the end of the data); -1 after an error.
  std::ptrdiff_t raw_read_full(char* buf, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      std::ptrdiff_t got = raw_read(buf + done, n - done);
      if (got < 0) return -1;
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return static_cast<std::ptrdiff_t>(done);
  }

  // If the decompressed data is a tar archive, positions the stream at its first regular file; otherwise
  // keeps the bytes read so far for read().
  bool open_tar_member() {
    std::array<unsigned char, kTarBlock> h{};
    std::ptrdiff_t got = raw_read_full(reinterpret_cast<char*>(h.data()), kTarBlock);
    if (got < 0) return false;
    if (static_cast<std::size_t>(got) < kTarBlock || !tar_checksum_ok(h.data())) {
      pending_.assign(reinterpret_cast<const char*>(h.data()), static_cast<std::size_t>(got));  // plain .bz2
      return true;
    }
    std::uint64_t offset = 0;
    for (;;) {
      auto size = tar_size(h.data());
      if (!size) {
        diags_.error(path_, 0, 0, fmt::format("tar header at byte {} has an invalid size field", offset));
        failed_ = true;
        return false;
      }
      char type = static_cast<char>(h[156]);
      if (type == '0' || type == '\0' || type == '7') {
        member_name_ = tar_name(h.data());
        name_ = fmt::format("{}({})", path_, member_name_);
        member_left_ = *size;
        in_member_ = true;
        return true;
      }
      // A directory, link, or extended header (pax 'x'/'g', GNU 'L'/'K'): skip its data.
      std::uint64_t skip = (*size + kTarBlock - 1) / kTarBlock * kTarBlock;
      std::array<char, 4096> sink{};
      while (skip > 0) {
        std::ptrdiff_t n = raw_read_full(sink.data(), static_cast<std::size_t>(std::min<std::uint64_t>(skip, sink.size())));
        if (n < 0) return false;
        if (n == 0) break;
        skip -= static_cast<std::uint64_t>(n);
      }
      offset += kTarBlock + (*size + kTarBlock - 1) / kTarBlock * kTarBlock;
      got = raw_read_full(reinterpret_cast<char*>(h.data()), kTarBlock);
      if (got < 0) return false;
      bool zero = std::all_of(h.begin(), h.end(), [](unsigned char c) { return c == 0; });
      if (skip > 0 || static_cast<std::size_t>(got) < kTarBlock || zero) {
        diags_.error(path_, 0, 0, "archive holds no regular file; expected a tar with the trace as its first file");
        failed_ = true;
        return false;
      }
      if (!tar_checksum_ok(h.data())) {
        diags_.error(path_, 0, 0, fmt::format("corrupt tar header at byte {} (bad checksum)", offset));
        failed_ = true;
        return false;
      }
    }
  }

  Diagnostics& diags_;
  std::string path_, name_, member_name_;
  std::FILE* file_ = nullptr;
  BZFILE* bz_ = nullptr;
  bool bz_mode_ = false;
  int streams_ = 0;
  bool failed_ = false;
  std::string pending_;  // bytes read while probing for a tar header, served first
  std::size_t pending_pos_ = 0;
  bool in_member_ = false;
  std::uint64_t member_left_ = 0;
};

// ---- the window -----------------------------------------------------------------------------------------

struct Window {
  std::int64_t first = 0;
  std::int64_t count = -1;  // -1 = to the end of the trace
  std::int64_t end() const { return count < 0 ? INT64_MAX : first + count; }
};

// spec.start and spec.length as whole bins of `width` seconds.
std::optional<Window> window_of(const TraceSpec& spec, double width, const Where& where, Diagnostics& diags) {
  auto whole_bins = [&](double seconds, const char* what) -> std::optional<std::int64_t> {
    double bins = seconds / width;
    double r = std::round(bins);
    if (!std::isfinite(bins) || bins < 0 || bins > 1e15 || std::fabs(bins - r) > 1e-9 * std::max(1.0, r)) {
      error_at(diags, where,
               fmt::format("trace {} {} is not a whole number of the trace's {} bins; expected a multiple of {}",
                           what, span_text(seconds), span_text(width), span_text(width)));
      return std::nullopt;
    }
    return static_cast<std::int64_t>(r);
  };
  auto first = whole_bins(spec.start, "start");
  auto count = whole_bins(spec.length, "length");
  if (!first || !count) return std::nullopt;
  return Window{*first, *count == 0 ? -1 : *count};
}

// At most this many bins in a window (400 MB of counts): the whole NASA per-second trace is 5 M. More means
// a bogus timestamp far from the others, or a window that should be shorter.
constexpr std::int64_t kMaxBins = 50'000'000;

// A bin index or count computed in double, rounded; capped at 1e18 (NaN too) before the conversion: far
// beyond kMaxBins, which is reported, and inside std::int64_t. Rows at 0 and 1e300 overflowed it, which is
// undefined (found by tests/fuzz).
std::int64_t capped_bins(double x) {
  constexpr std::int64_t kCap = 1'000'000'000'000'000'000;
  return x < static_cast<double>(kCap) ? std::llround(x) : kCap;
}

bool too_many_bins(const TraceSpec& spec, std::int64_t bins, double width, const Where& where, Diagnostics& diags) {
  if (bins <= kMaxBins) return false;
  error_at(diags, where,
           fmt::format("trace window of '{}' spans {} bins of {}; expected at most {} (a shorter length, or check "
                       "the file for a stray timestamp)",
                       spec.path, bins, span_text(width), kMaxBins));
  return true;
}

// After reading: is the window inside the `available` bins of the trace?
bool window_fits(const TraceSpec& spec, const Window& w, std::int64_t available, double width, const Where& where,
                 Diagnostics& diags) {
  double trace_len = static_cast<double>(available) * width;
  if (w.first >= available) {
    error_at(diags, where,
             fmt::format("trace window is empty: it starts at {} but trace '{}' is only {} long; expected start < {}",
                         span_text(spec.start), spec.path, span_text(trace_len), span_text(trace_len)));
    return false;
  }
  if (w.count >= 0 && w.end() > available) {
    error_at(diags, where,
             fmt::format("trace window ends at {} but trace '{}' is only {} long; expected start + length <= {}",
                         span_text(spec.start + spec.length), spec.path, span_text(trace_len), span_text(trace_len)));
    return false;
  }
  std::int64_t n_bins = (w.count < 0 ? available : w.end()) - w.first;
  return !too_many_bins(spec, n_bins, width, where, diags);
}

// The window's bins as they are read: kept (load) or only summed (check).
struct Sink {
  bool keep = false;
  TraceBins bins;
  double total = 0;
};

void warn_if_no_requests(const Sink& sink, const TraceSpec& spec, const Where& where, Diagnostics& diags) {
  if (sink.total == 0) {
    diags.warning(where.file, where.line, where.column,
                  fmt::format("trace window of '{}' holds no requests; its replay adds no load", spec.path));
  }
}

// ---- per_second -----------------------------------------------------------------------------------------

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool scan_per_second(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  Where where = where_of(spec);
  auto w = window_of(spec, 1.0, where, diags);
  if (!w) return false;
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  // The window may be far longer than the file (reported once it is read): reserving all of it threw
  // std::length_error / bad_alloc for `length: 1e14s` (found by tests/fuzz). A week at most up front.
  constexpr std::int64_t kReserveBins = 7 * 86400;
  if (sink.keep && w->count > 0) sink.bins.counts.reserve(static_cast<std::size_t>(std::min(w->count, kReserveBins)));
  sink.bins.bin_width = 1;

  constexpr std::uint64_t kMaxCount = 1'000'000'000'000ULL;  // far above any real per-second count
  std::vector<char> buf(1 << 20);
  std::int64_t index = 0;  // counts read so far
  int line = 1, col = 0;   // position of the current byte (col 1-based once a byte is read)
  bool in_token = false, bad = false;
  std::uint64_t value = 0;
  int tok_line = 0, tok_col = 0;
  std::string tok_text;
  bool done = false;

  // Called at the end of each token; false stops the scan (an error, or the window is complete).
  auto finish = [&]() -> bool {
    in_token = false;
    if (bad || value > kMaxCount) {
      // A CSV or a log read as per_second fails on its first line: say which setting to change.
      const char* hint = index == 0 && tok_text.find_first_of(",\t") != std::string::npos
                             ? "; for a CSV or a request log, set format: counts_csv or request_log"
                             : "";
      diags.error(in.name(), tok_line, tok_col,
                  bad ? fmt::format("expected a non-negative integer count of requests in one second, got '{}'{}",
                                    shown(tok_text), hint)
                      : fmt::format("count '{}' is too large; expected at most {} requests in one second",
                                    shown(tok_text), kMaxCount));
      return false;
    }
    if (index >= w->first) {
      if (index - w->first == kMaxBins && too_many_bins(spec, kMaxBins + 1, 1.0, where, diags)) return false;
      double c = static_cast<double>(value);
      sink.total += c;
      if (sink.keep) sink.bins.counts.push_back(c);
    }
    ++index;
    if (index >= w->end()) done = true;  // the rest of the file is not needed
    return !done;
  };

  for (;;) {
    std::ptrdiff_t got = in.read(buf.data(), buf.size());
    if (got < 0) return false;
    if (got == 0) break;
    for (std::ptrdiff_t i = 0; i < got; ++i) {
      auto c = static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]);
      ++col;
      if (is_space(c)) {
        if (in_token && !finish()) {
          if (!done) return false;
          break;
        }
        if (c == '\n') {
          ++line;
          col = 0;
        }
        continue;
      }
      if (!in_token) {
        in_token = true;
        bad = false;
        value = 0;
        tok_line = line;
        tok_col = col;
        tok_text.clear();
      }
      if (tok_text.size() < 41) tok_text.push_back(static_cast<char>(c));
      if (c >= '0' && c <= '9') {
        if (value <= kMaxCount) value = value * 10 + (c - '0');
      } else {
        bad = true;
      }
    }
    if (done) break;
  }
  if (!done && in_token && !finish() && !done) return false;  // the last count, when no whitespace follows
  if (index == 0) {
    diags.error(in.name(), 0, 0, "trace holds no counts; expected whitespace-separated counts, one per second");
    return false;
  }
  if (!done && !window_fits(spec, *w, index, 1.0, where, diags)) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

// ---- text tables (counts_csv, request_log) -----------------------------------------------------------------

// Lines of a text file (through Input, so a .bz2 works as well), without the line terminator.
class LineReader {
 public:
  explicit LineReader(Input& in) : in_(in), buf_(1 << 16) {}
  /// The next line into `out`; false at the end or after an error (then failed() is true).
  bool next(std::string& out) {
    out.clear();
    for (;;) {
      if (pos_ == len_) {
        if (eof_) {
          if (out.empty() && !partial_) return false;
          partial_ = false;
          ++line_;
          strip_cr(out);
          return true;
        }
        std::ptrdiff_t got = in_.read(buf_.data(), buf_.size());
        if (got < 0) {
          failed_ = true;
          return false;
        }
        if (got == 0) {
          eof_ = true;
          continue;
        }
        pos_ = 0;
        len_ = static_cast<std::size_t>(got);
      }
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl) {
        std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
        out.append(start, n);
        pos_ += n + 1;
        partial_ = false;
        ++line_;
        strip_cr(out);
        return true;
      }
      out.append(start, len_ - pos_);
      partial_ = true;
      pos_ = len_;
    }
  }
  int line() const { return line_; }
  bool failed() const { return failed_; }

 private:
  static void strip_cr(std::string& s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
  }
  Input& in_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false, partial_ = false, failed_ = false;
  int line_ = 0;
};

struct Field {
  std::string text;
  int column = 1;  // 1-based byte column of the field's start
};

// Splits a line on `delim`; a CSV field may be "quoted" ("" inside quotes is a quote).
void split_fields(const std::string& line, char delim, std::vector<Field>& out) {
  out.clear();
  std::size_t i = 0;
  for (;;) {
    Field f;
    f.column = static_cast<int>(i) + 1;
    if (delim == ',' && i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f.text.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f.text.push_back(line[i++]);
      }
      while (i < line.size() && line[i] != delim) ++i;
    } else {
      std::size_t end = line.find(delim, i);
      if (end == std::string::npos) end = line.size();
      f.text = line.substr(i, end - i);
      i = end;
    }
    out.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // the delimiter
    if (i == line.size()) {
      out.push_back(Field{"", static_cast<int>(i) + 1});
      break;
    }
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A plain finite number filling the whole text.
std::optional<double> parse_plain_number(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 64) return std::nullopt;
  std::string z(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(z.c_str(), &end);
  if (end != z.c_str() + z.size() || errno == ERANGE || !std::isfinite(v)) return std::nullopt;
  // strtod also takes hex floats, "inf" and "nan": allow digits, sign, point and exponent only.
  for (char c : z) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
      return std::nullopt;
    }
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// "YYYY-MM-DD HH:MM[:SS[.fff]]" (or with 'T', optional trailing 'Z'), taken as UTC: seconds since 1970.
std::optional<double> parse_date_time(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.back() == 'Z') s.remove_suffix(1);
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    if (pos + len > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 16 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':') {
    return std::nullopt;
  }
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2);
  if (!y || !mo || !d || !h || !mi) return std::nullopt;
  double sec = 0;
  if (s.size() > 16) {
    if (s[16] != ':') return std::nullopt;
    auto whole = num(17, 2);
    if (!whole) return std::nullopt;
    sec = *whole;
    if (s.size() > 19) {
      if (s[19] != '.' || s.size() == 20) return std::nullopt;
      auto frac = parse_plain_number(std::string("0") + std::string(s.substr(19)));
      if (!frac) return std::nullopt;
      sec += *frac;
    }
  }
  if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || sec >= 61) return std::nullopt;
  std::int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return static_cast<double>(days) * 86400.0 + *h * 3600.0 + *mi * 60.0 + sec;
}

std::optional<double> parse_time(std::string_view s) {
  if (auto v = parse_plain_number(s)) return v;
  return parse_date_time(s);
}

// The header of a table: its delimiter and the columns used.
struct Table {
  char delim = ',';
  std::vector<std::string> names;  // lowercased, trimmed
  int header_line = 0;

  int find(std::initializer_list<const char*> wanted) const {
    for (const char* w : wanted) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == w) return static_cast<int>(i);
      }
    }
    return -1;
  }
  std::string list() const {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < 12; ++i) out += (i ? ", " : "") + shown(names[i]);
    return names.size() > 12 ? out + ", ..." : out;
  }
};

// Reads the header line (the first non-empty one); false after an error.
bool read_header(LineReader& lines, Input& in, Table& t, Diagnostics& diags, const char* example) {
  std::string line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    t.delim = (line.find('\t') != std::string::npos && line.find(',') == std::string::npos) ? '\t' : ',';
    std::vector<Field> fields;
    split_fields(line, t.delim, fields);
    for (const Field& f : fields) t.names.push_back(lower(trim(f.text)));
    t.header_line = lines.line();
    return true;
  }
  if (!lines.failed()) diags.error(in.name(), 0, 0, fmt::format("trace is empty; expected {}", example));
  return false;
}

// The field `col` of a data line, or an error naming what the column holds.
const Field* field_at(const std::vector<Field>& fields, int col, const Table& t, const std::string& file, int line,
                      Diagnostics& diags) {
  if (col < static_cast<int>(fields.size())) return &fields[static_cast<std::size_t>(col)];
  diags.error(file, line, 0,
              fmt::format("line has {} field(s); expected at least {} (column '{}' of the header on line {})",
                          fields.size(), col + 1, shown(t.names[static_cast<std::size_t>(col)]), t.header_line));
  return nullptr;
}

// ---- counts_csv -----------------------------------------------------------------------------------------

constexpr double kLongGap = 3600;  // a gap this long inside the window earns a warning

struct CsvColumns {
  int time = 0;
  int count = 0;
};

// One data row: false after an error (reported); `skip` for blank lines.
bool csv_row(const std::string& line, const Table& t, const CsvColumns& cols, const std::string& file, int line_no,
             std::vector<Field>& fields, double* time, double* count, bool* skip, Diagnostics& diags) {
  *skip = trim(line).empty();
  if (*skip) return true;
  split_fields(line, t.delim, fields);
  const Field* tf = field_at(fields, cols.time, t, file, line_no, diags);
  const Field* cf = tf ? field_at(fields, cols.count, t, file, line_no, diags) : nullptr;
  if (!tf || !cf) return false;
  auto tv = parse_time(tf->text);
  if (!tv) {
    diags.error(file, line_no, tf->column,
                fmt::format("expected a time in column '{}' ({}), got '{}'",
                            shown(t.names[static_cast<std::size_t>(cols.time)]), kTimeForms, shown(trim(tf->text))));
    return false;
  }
  auto cv = parse_plain_number(cf->text);
  if (!cv || *cv < 0) {
    diags.error(file, line_no, cf->column,
                fmt::format("expected a non-negative request count in column '{}', got '{}'",
                            shown(t.names[static_cast<std::size_t>(cols.count)]), shown(trim(cf->text))));
    return false;
  }
  *time = *tv;
  *count = *cv;
  return true;
}

bool scan_counts_csv(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  Where where = where_of(spec);
  const char* kExample = "a header line, then rows of time and count, like 'timestamp,value'";
  Table t;
  CsvColumns cols;
  double t0 = 0, prev = 0, min_step = 0;
  std::int64_t rows = 0;
  std::string line;
  std::vector<Field> fields;

  // Pass 1: parse and order every row; the bin width is the smallest step between consecutive rows.
  {
    Input in(diags);
    if (!in.open(spec.path, where)) return false;
    LineReader lines(in);
    if (!read_header(lines, in, t, diags, kExample)) return false;
    if (t.names.size() < 2) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("header has {} column(s); expected {}", t.names.size(), kExample));
      return false;
    }
    cols.time = t.find({"unix_ts", "unix_time", "epoch", "timestamp", "time"});
    if (cols.time < 0) cols.time = 0;
    cols.count = t.find({"requests", "count", "value"});
    if (cols.count < 0) cols.count = static_cast<int>(t.names.size()) - 1;
    if (cols.count == cols.time) cols.count = cols.time == 0 ? 1 : 0;
    // A header that parses as data means there is none: the first row would be lost silently.
    std::string header_count = t.names[static_cast<std::size_t>(cols.count)];
    if (parse_plain_number(header_count)) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("first line looks like data ('{}'); expected a header line first, like "
                              "'timestamp,value'",
                              shown(header_count)));
      return false;
    }
    while (lines.next(line)) {
      double tv = 0, cv = 0;
      bool skip = false;
      if (!csv_row(line, t, cols, in.name(), lines.line(), fields, &tv, &cv, &skip, diags)) return false;
      if (skip) continue;
      if (rows == 0) {
        t0 = tv;
      } else {
        double step = tv - prev;
        if (step <= 0) {
          diags.error(in.name(), lines.line(), fields[static_cast<std::size_t>(cols.time)].column,
                      fmt::format("time {} is not after the previous row's ({}); expected rows in increasing time "
                                  "order, one per bin",
                                  core::format_number(tv, 15), core::format_number(prev, 15)));
          return false;
        }
        if (rows == 1 || step < min_step) min_step = step;
      }
      prev = tv;
      ++rows;
    }
    if (lines.failed()) return false;
    if (rows < 2) {
      diags.error(in.name(), 0, 0,
                  fmt::format("trace has {} data row(s); expected at least two, to tell the bin width", rows));
      return false;
    }
  }
  const double width = min_step;
  const std::int64_t available = capped_bins((prev - t0) / width) + 1;
  auto w = window_of(spec, width, where, diags);
  if (!w || !window_fits(spec, *w, available, width, where, diags)) return false;
  std::int64_t n_bins = (w->count < 0 ? available : w->end()) - w->first;
  sink.bins.bin_width = width;
  sink.bins.start_time = t0 + static_cast<double>(w->first) * width;
  if (sink.keep) sink.bins.counts.assign(static_cast<std::size_t>(n_bins), 0.0);

  // Pass 2: every row on the grid; the window's rows into their bins.
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  LineReader lines(in);
  Table again;
  if (!read_header(lines, in, again, diags, kExample)) return false;
  std::int64_t prev_bin = -1;
  while (lines.next(line)) {
    double tv = 0, cv = 0;
    bool skip = false;
    if (!csv_row(line, t, cols, in.name(), lines.line(), fields, &tv, &cv, &skip, diags)) return false;
    if (skip) continue;
    std::int64_t bin = capped_bins((tv - t0) / width);
    if (std::fabs(tv - (t0 + static_cast<double>(bin) * width)) > 1e-6 * width) {
      diags.error(in.name(), lines.line(), fields[static_cast<std::size_t>(cols.time)].column,
                  fmt::format("time {} is off the trace's grid of {} bins from the first row ({}); expected a "
                              "multiple of {} after it",
                              core::format_number(tv, 15), span_text(width), core::format_number(t0, 15),
                              span_text(width)));
      return false;
    }
    // Missing rows count as zero requests; say so when a long stretch of the window is missing.
    double gap = static_cast<double>(bin - prev_bin - 1) * width;
    if (prev_bin >= 0 && gap >= kLongGap && bin > w->first && prev_bin + 1 < w->end()) {
      diags.warning(in.name(), lines.line(), 0,
                    fmt::format("no rows for {} before this one; replayed as {} without requests", span_text(gap),
                                span_text(gap)));
    }
    prev_bin = bin;
    if (bin >= w->end()) break;
    if (bin >= w->first) {
      sink.total += cv;
      if (sink.keep) sink.bins.counts[static_cast<std::size_t>(bin - w->first)] = cv;
    }
  }
  if (lines.failed()) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

// ---- request_log ----------------------------------------------------------------------------------------

bool scan_request_log(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  Where where = where_of(spec);
  const char* kExample = "a header line naming a 'time' column, then one line per request";
  Table t;
  int time_col = -1;
  double min_t = 0, max_t = 0;
  std::int64_t rows = 0;
  std::string line;
  std::vector<Field> fields;

  // Reads one line's time; false after an error, `skip` for blank lines.
  auto row_time = [&](Input& in, LineReader& lines, double* out, bool* skip) -> bool {
    *skip = trim(line).empty();
    if (*skip) return true;
    split_fields(line, t.delim, fields);
    const Field* f = field_at(fields, time_col, t, in.name(), lines.line(), diags);
    if (!f) return false;
    auto v = parse_time(f->text);
    if (!v) {
      diags.error(in.name(), lines.line(), f->column,
                  fmt::format("expected a time in column '{}' ({}), got '{}'",
                              shown(t.names[static_cast<std::size_t>(time_col)]), kTimeForms, shown(trim(f->text))));
      return false;
    }
    *out = *v;
    return true;
  };

  // Pass 1: every line's time; the trace starts at the earliest second (log lines can be out of order).
  {
    Input in(diags);
    if (!in.open(spec.path, where)) return false;
    LineReader lines(in);
    if (!read_header(lines, in, t, diags, kExample)) return false;
    time_col = t.find({"time", "timestamp", "unix_ts"});
    if (time_col < 0) {
      diags.error(in.name(), t.header_line, 0,
                  fmt::format("header has no 'time' column (columns: {}); expected {}", t.list(), kExample));
      return false;
    }
    while (lines.next(line)) {
      double tv = 0;
      bool skip = false;
      if (!row_time(in, lines, &tv, &skip)) return false;
      if (skip) continue;
      if (rows == 0 || tv < min_t) min_t = tv;
      if (rows == 0 || tv > max_t) max_t = tv;
      ++rows;
    }
    if (lines.failed()) return false;
    if (rows == 0) {
      diags.error(in.name(), 0, 0, fmt::format("trace has a header but no requests; expected {}", kExample));
      return false;
    }
  }
  const double origin = std::floor(min_t);
  const std::int64_t available = capped_bins(std::floor(max_t) - origin) + 1;
  auto w = window_of(spec, 1.0, where, diags);
  if (!w || !window_fits(spec, *w, available, 1.0, where, diags)) return false;
  std::int64_t n_bins = (w->count < 0 ? available : w->end()) - w->first;
  sink.bins.bin_width = 1;
  sink.bins.start_time = origin + static_cast<double>(w->first);
  if (sink.keep) sink.bins.counts.assign(static_cast<std::size_t>(n_bins), 0.0);

  // Pass 2: count the window's requests per second (every line was checked in pass 1).
  Input in(diags);
  if (!in.open(spec.path, where)) return false;
  LineReader lines(in);
  Table again;
  if (!read_header(lines, in, again, diags, kExample)) return false;
  while (lines.next(line)) {
    double tv = 0;
    bool skip = false;
    if (!row_time(in, lines, &tv, &skip)) return false;
    if (skip) continue;
    double k = std::floor(tv) - origin - static_cast<double>(w->first);  // in range before it is converted
    if (k >= 0 && k < static_cast<double>(n_bins)) {
      auto bin = static_cast<std::int64_t>(k);
      sink.total += 1;
      if (sink.keep) sink.bins.counts[static_cast<std::size_t>(bin)] += 1;
    }
  }
  if (lines.failed()) return false;
  warn_if_no_requests(sink, spec, where, diags);
  return true;
}

bool scan(const TraceSpec& spec, Sink& sink, Diagnostics& diags) {
  std::size_t errors_before = diags.error_count();
  bool ok = false;
  switch (spec.format) {
    case TraceSpec::Format::kPerSecond: ok = scan_per_second(spec, sink, diags); break;
    case TraceSpec::Format::kCountsCsv: ok = scan_counts_csv(spec, sink, diags); break;
    case TraceSpec::Format::kRequestLog: ok = scan_request_log(spec, sink, diags); break;
  }
  return ok && diags.error_count() == errors_before;
}

}  // namespace

double TraceBins::total() const {
  double s = 0;
  for (double c : counts) s += c;
  return s;
}

std::optional<TraceBins> load_trace(const TraceSpec& spec, Diagnostics& diags) {
  Sink sink;
  sink.keep = true;
  if (!scan(spec, sink, diags)) return std::nullopt;
  return std::move(sink.bins);
}

bool check_trace(const TraceSpec& spec, Diagnostics& diags) {
  Sink sink;
  return scan(spec, sink, diags);
}

std::int64_t scaled_total(const TraceBins& bins, double scale) { return std::llround(scale * bins.total()); }

}  // namespace sim::model
