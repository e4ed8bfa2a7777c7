// SHA-256 against the FIPS 180-4 examples (and the long message of its test vectors), fed at
// once and in odd pieces, and a file's digest against `sha256sum`.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>

#include "sim/core/sha256.h"
#include "tests/test_util.h"

namespace sim::core {
namespace {

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // One million 'a', in pieces of 997 bytes (not a multiple of the 64-byte block).
  Sha256 h;
  std::string piece(997, 'a');
  std::size_t left = 1000000;
  while (left > 0) {
    std::size_t n = std::min(left, piece.size());
    h.update(std::string_view(piece).substr(0, n));
    left -= n;
  }
  EXPECT_EQ(h.hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileDigestIsSha256sums) {
  std::string dir = testing::temp_dir("sha256");
  std::string file = dir + "/x.yaml";
  std::string text;
  for (int i = 0; i < 5000; ++i) text += fmt::format("line {}\n", i);
  testing::write_file(file, text);
  auto d = sha256_file(file);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->first, sha256_hex(text));
  EXPECT_EQ(d->second, text.size());
  EXPECT_FALSE(sha256_file(dir + "/missing.yaml"));
  if (std::system("command -v sha256sum >/dev/null 2>&1") == 0) {
    std::string cmd = fmt::format("sha256sum '{}' > '{}/sum.txt'", file, dir);
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(testing::read_file(dir + "/sum.txt").substr(0, 64), d->first);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sim::core
