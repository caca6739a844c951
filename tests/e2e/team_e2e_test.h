// A fixture for end-to-end tests that need a real salesopsd with a small
// team: it starts the server on a free loopback port, adds the members the
// test names (each with a token of kJourneyMembers), and walks a lead of
// rep1 to a close. Meetings and coaching tests share it.
#ifndef SALESOPS_TESTS_E2E_TEAM_E2E_TEST_H_
#define SALESOPS_TESTS_E2E_TEAM_E2E_TEST_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "salesops/v1/leads.grpc.pb.h"
#include "salesops/v1/team.grpc.pb.h"
#include "salesops/v1/views.grpc.pb.h"
#include "tests/common/testing.h"
#include "tests/e2e/server_process.h"

namespace salesops::testing {

class TeamE2eTest : public ::testing::Test {
 protected:
  // Starts the server and adds `members` (rep1 is named 王小明).
  void StartWithTeam(const std::vector<std::pair<std::string, v1::Role>>& members);

  // A context with `member`'s bearer token ("root": the bootstrap admin's)
  // and a 20 s deadline.
  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& member);

  static void Ok(const grpc::Status& s) { ASSERT_TRUE(s.ok()) << s.error_code() << ": " << s.error_message(); }

  // A lead of rep1 (qualified by bd1) walked to WON with `amount` CNY fen,
  // or to LOST on price.
  void Close(const std::string& id, const std::string& company, bool won, int64_t amount);

  TempDir dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<v1::Leads::Stub> leads_;
  std::unique_ptr<v1::Team::Stub> team_;
  std::unique_ptr<v1::Views::Stub> views_;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_E2E_TEAM_E2E_TEST_H_
