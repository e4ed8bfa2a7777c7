#include "sim/trace/input.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <optional>

namespace sim::trace {

namespace {

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

}  // namespace

bool Input::open(const std::string& path, const core::SourcePos& where) {
  path_ = path;
  name_ = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags_.error(where, fmt::format("cannot read trace '{}': it is a directory; expected a file", path));
    return false;
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) {
    diags_.error(where, fmt::format("cannot open trace '{}': {}", path, std::strerror(errno)));
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

std::ptrdiff_t Input::read(char* buf, std::size_t n) {
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

bool Input::fail_io() {
  diags_.error(path_, 0, 0, fmt::format("cannot read trace: {}", std::strerror(errno)));
  failed_ = true;
  return false;
}

bool Input::open_bz(const void* unused, int n_unused) {
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

void Input::close() {
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

std::ptrdiff_t Input::raw_read(char* buf, std::size_t n) {
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

std::ptrdiff_t Input::raw_read_full(char* buf, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    std::ptrdiff_t got = raw_read(buf + done, n - done);
    if (got < 0) return -1;
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return static_cast<std::ptrdiff_t>(done);
}

bool Input::open_tar_member() {
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

bool LineReader::next(std::string& out) {
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

void LineReader::strip_cr(std::string& s) {
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

}  // namespace sim::trace
