// Located diagnostics: GCC-style first lines, sorting and de-duplication, the
// source excerpt with its caret (tabs, UTF-8, junk bytes), and the edit
// distance behind "did you mean".
#include <gtest/gtest.h>

#include "sim/core/diagnostics.h"

namespace sim::core {
namespace {

TEST(Diagnostics, FormatsLocationLikeGcc) {
  EXPECT_EQ(format_location({"a.yaml", 3, 12, Severity::kError, "bad thing; expected good"}),
            "a.yaml:3:12: error: bad thing; expected good");
  EXPECT_EQ(format_location({"a.yaml", 3, 0, Severity::kError, "whole line"}), "a.yaml:3: error: whole line");
  EXPECT_EQ(format_location({"a.yaml", 0, 0, Severity::kError, "whole file"}), "a.yaml: error: whole file");
  EXPECT_EQ(format_location({"a.yaml", 1, 1, Severity::kWarning, "odd"}), "a.yaml:1:1: warning: odd");
}

TEST(Diagnostics, CountsErrorsNotWarnings) {
  Diagnostics d;
  EXPECT_FALSE(d.has_errors());
  d.warning("a.yaml", 1, 1, "w");
  EXPECT_FALSE(d.has_errors());
  EXPECT_EQ(d.error_count(), 0u);
  d.error("a.yaml", 2, 1, "e");
  d.error("a.yaml", 3, 1, "e");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(d.error_count(), 2u);
  EXPECT_EQ(d.all().size(), 3u);
}

TEST(Diagnostics, SortsByFileLineColumnThenMessage) {
  Diagnostics d;
  d.error("b.yaml", 1, 1, "in b");
  d.error("a.yaml", 10, 2, "line 10");
  d.error("a.yaml", 2, 9, "col 9");
  d.error("a.yaml", 2, 3, "z message");
  d.error("a.yaml", 2, 3, "a message");
  d.error("a.yaml", 0, 0, "whole file");
  EXPECT_EQ(d.format_short(),
            "a.yaml: error: whole file\n"
            "a.yaml:2:3: error: a message\n"
            "a.yaml:2:3: error: z message\n"
            "a.yaml:2:9: error: col 9\n"
            "a.yaml:10:2: error: line 10\n"
            "b.yaml:1:1: error: in b\n");
}

TEST(Diagnostics, RemovesDuplicates) {
  // The same problem found twice (e.g. a topology checked for two scenarios) is printed once.
  Diagnostics d;
  d.error("a.yaml", 4, 2, "unknown component 'x'; expected one of a");
  d.error("a.yaml", 4, 2, "unknown component 'x'; expected one of a");
  d.error("a.yaml", 4, 2, "another problem");
  EXPECT_EQ(d.sorted().size(), 2u);
  EXPECT_EQ(d.format_short(),
            "a.yaml:4:2: error: another problem\n"
            "a.yaml:4:2: error: unknown component 'x'; expected one of a\n");
}

TEST(Diagnostics, RendersSourceLineAndCaret) {
  Diagnostics d;
  d.add_source("s.yaml", "name: shop\nduration: fast\n");
  d.error("s.yaml", 2, 11, "invalid duration 'fast'; expected a duration");
  EXPECT_EQ(d.format(),
            "s.yaml:2:11: error: invalid duration 'fast'; expected a duration\n"
            "    duration: fast\n"
            "              ^\n");
}

TEST(Diagnostics, CaretAtFirstColumnAndWithoutColumn) {
  Diagnostics d;
  d.add_source("s.yaml", "name: shop\nlatncy: 5ms\n");
  d.error("s.yaml", 2, 1, "unknown key 'latncy' in link; did you mean 'latency'?");
  d.error("s.yaml", 1, 0, "the whole line");
  EXPECT_EQ(d.format(),
            "s.yaml:1: error: the whole line\n"
            "    name: shop\n"
            "s.yaml:2:1: error: unknown key 'latncy' in link; did you mean 'latency'?\n"
            "    latncy: 5ms\n"
            "    ^\n");
}

TEST(Diagnostics, CaretKeepsTabs) {
  // A tab in the line is copied into the padding, so the caret lines up in any tab width.
  Diagnostics d;
  d.add_source("t.yaml", "a: {b: 1,\tc: x}\n");
  d.error("t.yaml", 1, 14, "bad c");
  EXPECT_EQ(d.format(),
            "t.yaml:1:14: error: bad c\n"
            "    a: {b: 1,\tc: x}\n"
            "             \t   ^\n");
}

TEST(Diagnostics, CaretCountsUtf8CharacterOnce) {
  // Columns count bytes (yaml-cpp's marks do); "Ä" is two bytes but one character wide.
  Diagnostics d;
  d.add_source("u.yaml", "x: {d: \xc3\x84\xc3\x96, n: 0}\n");
  d.error("u.yaml", 1, 17, "0 is out of range");
  EXPECT_EQ(d.format(),
            "u.yaml:1:17: error: 0 is out of range\n"
            "    x: {d: \xc3\x84\xc3\x96, n: 0}\n"
            "                  ^\n");
}

TEST(Diagnostics, ShowsControlAndNonUtf8BytesAsQuestionMarks) {
  Diagnostics d;
  d.add_source("j.yaml", "a: \x01\xff\x7f b\n");
  d.error("j.yaml", 1, 8, "junk");
  EXPECT_EQ(d.format(),
            "j.yaml:1:8: error: junk\n"
            "    a: ??? b\n"
            "           ^\n");
}

TEST(Diagnostics, StripsCarriageReturn) {
  Diagnostics d;
  d.add_source("w.yaml", "a: 1\r\nb: 2\r\n");
  d.error("w.yaml", 2, 4, "bad b");
  EXPECT_EQ(d.format(),
            "w.yaml:2:4: error: bad b\n"
            "    b: 2\n"
            "       ^\n");
}

TEST(Diagnostics, OmitsExcerptWhenLineIsUnknownOrTooLong) {
  Diagnostics d;
  d.add_source("l.yaml", "short\n" + std::string(400, 'x') + "\n");
  d.error("l.yaml", 2, 5, "on a long line");
  d.error("l.yaml", 9, 1, "past the end");
  d.error("other.yaml", 1, 1, "no source registered");
  EXPECT_EQ(d.format(),
            "l.yaml:2:5: error: on a long line\n"
            "l.yaml:9:1: error: past the end\n"
            "other.yaml:1:1: error: no source registered\n");
}

TEST(Diagnostics, MergeKeepsItemsAndSources) {
  Diagnostics a, b;
  a.error("a.yaml", 1, 1, "in a");
  b.add_source("b.yaml", "key: v\n");
  b.error("b.yaml", 1, 6, "in b");
  a.merge(b);
  EXPECT_EQ(a.error_count(), 2u);
  EXPECT_EQ(a.format(),
            "a.yaml:1:1: error: in a\n"
            "b.yaml:1:6: error: in b\n"
            "    key: v\n"
            "         ^\n");
}

TEST(Diagnostics, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("latency", "latency"), 0u);
  EXPECT_EQ(edit_distance("latncy", "latency"), 1u);   // deletion
  EXPECT_EQ(edit_distance("replicaz", "replicas"), 1u);  // substitution
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("ab", "ba"), 2u);  // no transpositions
}

TEST(Diagnostics, ClosestMatchSuggestsPlausibleTypos) {
  const std::vector<std::string> keys = {"latency", "bandwidth", "between"};
  EXPECT_EQ(closest_match("latncy", keys), "latency");
  EXPECT_EQ(closest_match("Latency", keys), "latency");
  EXPECT_EQ(closest_match("bandwith", keys), "bandwidth");
  EXPECT_EQ(closest_match("latency", keys), "latency");
  // Too far: more than a third of the word (and at most 3 edits).
  EXPECT_EQ(closest_match("lat", keys), "");
  EXPECT_EQ(closest_match("speed", keys), "");
  EXPECT_EQ(closest_match("bandwidthxxxx", keys), "");
  // Short words allow one edit, but not a complete rewrite.
  EXPECT_EQ(closest_match("ap", {"app", "db"}), "app");
  EXPECT_EQ(closest_match("x", {"r", "db"}), "");
  EXPECT_EQ(closest_match("a", {"ab"}), "ab");
  // Ties go to the first candidate; nothing to choose from gives nothing.
  EXPECT_EQ(closest_match("ab", {"ac", "ad"}), "ac");
  EXPECT_EQ(closest_match("anything", {}), "");
}

TEST(Diagnostics, Utf8LengthAt) {
  EXPECT_EQ(utf8_length_at("a", 0), 1u);
  EXPECT_EQ(utf8_length_at("\xc3\x84", 0), 2u);          // Ä
  EXPECT_EQ(utf8_length_at("\xe2\x82\xac", 0), 3u);      // €
  EXPECT_EQ(utf8_length_at("\xf0\x9f\x98\x80", 0), 4u);  // an emoji
  EXPECT_EQ(utf8_length_at("\xff", 0), 0u);              // never in UTF-8
  EXPECT_EQ(utf8_length_at("\x84", 0), 0u);              // a continuation byte alone
  EXPECT_EQ(utf8_length_at("\xc0\xaf", 0), 0u);          // overlong '/'
  EXPECT_EQ(utf8_length_at("\xe0\x80\xaf", 0), 0u);      // overlong, three bytes
  EXPECT_EQ(utf8_length_at("\xed\xa0\x80", 0), 0u);      // a UTF-16 surrogate
  EXPECT_EQ(utf8_length_at("\xf4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(utf8_length_at("\xe2\x82", 0), 0u);          // truncated at the end
  EXPECT_EQ(utf8_length_at("\xc3x", 0), 0u);             // truncated by ASCII
  EXPECT_EQ(utf8_length_at("x\xc3\x84", 1), 2u);
}

}  // namespace
}  // namespace sim::core
