#pragma once
// SHA-256 (FIPS 180-4), for the content hashes of a report's input files
// (provenance): the same digest `sha256sum FILE` prints, so a user can check
// that a report was made from the files they have.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim::core {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  /// The digest as 64 lowercase hex digits. Call once; the object is spent after it.
  std::string hex();

 private:
  void block(const unsigned char* p);
  std::uint32_t h_[8];
  unsigned char buf_[64];
  std::size_t used_ = 0;
  std::uint64_t length_ = 0;  ///< bytes so far
};

/// The hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

/// The hex SHA-256 of a file's content, read in blocks (traces can be large), and its size;
/// nullopt when it cannot be read.
std::optional<std::pair<std::string, std::uint64_t>> sha256_file(const std::string& path);

}  // namespace sim::core
