// Restart back-off sequences against the products' documented ones (docs/operations.md):
//   Docker (moby restartmanager): 100 ms, doubled before each restart in a row, at most 1 min;
//   the kubelet: at once, then 10 s, 20 s, 40 s, ... at most 5 min.
// The timelines they give (back-off + boot time) are checked end to end in
// tests/behaviour/cases/restart-policy-backoff.
#include <gtest/gtest.h>

#include <vector>

#include "sim/engine/supervisor.h"

namespace sim::engine {
namespace {

using topology::RestartSpec;

std::vector<double> first_delays(const RestartSpec& spec, int n) {
  std::vector<double> out;
  for (int k = 1; k <= n; ++k) out.push_back(Supervisor::backoff(spec, k));
  return out;
}

TEST(RestartBackoff, DockerDoublesFrom100MillisecondsToOneMinute) {
  RestartSpec docker = topology::restart_defaults(RestartSpec::By::kDocker);
  std::vector<double> want = {0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 60, 60};
  std::vector<double> got = first_delays(docker, 12);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "restart " << i + 1;
  EXPECT_EQ(Supervisor::backoff(docker, 1000), 60);  // a long crash loop stays at the cap
}

TEST(RestartBackoff, KubeletRestartsAtOnceThenDoublesFrom10SecondsToFiveMinutes) {
  RestartSpec k8s = topology::restart_defaults(RestartSpec::By::kKubernetes);
  EXPECT_EQ(first_delays(k8s, 8), (std::vector<double>{0, 10, 20, 40, 80, 160, 300, 300}));
}

TEST(RestartBackoff, OverridesKeepTheShape) {
  RestartSpec s = topology::restart_defaults(RestartSpec::By::kDocker);
  s.initial = 1;
  s.max = 5;
  EXPECT_EQ(first_delays(s, 5), (std::vector<double>{1, 2, 4, 5, 5}));
}

}  // namespace
}  // namespace sim::engine
