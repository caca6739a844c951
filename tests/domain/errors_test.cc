// errors.h: the machine-readable details of a failed call, as tables.
#include "server/domain/errors.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/status_reason.h"
#include "server/domain/lead.h"
#include "server/domain/validation.h"

namespace salesops::errors {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> out;
  if (auto bad = BadRequestOf(status); bad.has_value()) {
    for (const auto& v : bad->field_violations()) out.push_back(v.field());
  }
  return out;
}

template <typename Message>
std::optional<Message> Unpack(const google::rpc::Status& status) {
  for (const google::protobuf::Any& any : status.details()) {
    Message m;
    if (any.UnpackTo(&m)) return m;
  }
  return std::nullopt;
}

TEST(SplitFieldMessageTest, ReadsTheFieldPathOfTheValidationConvention) {
  struct Case {
    std::string message;
    std::optional<std::pair<std::string, std::string>> want;
  };
  const std::vector<Case> cases = {
      {"company: must be 1..200 characters (got 0)", {{"company", "must be 1..200 characters (got 0)"}}},
      {"contact.email: must be an address", {{"contact.email", "must be an address"}}},
      {"products[3]: must be 1..200 characters", {{"products[3]", "must be 1..200 characters"}}},
      {"events[2].event_type: 'x' does not name its payload", {{"events[2].event_type", "'x' does not name its payload"}}},
      {"lead 'x' not found", std::nullopt},                    // a sentence, not a field
      {"contact, estimated_value, source: at least one", std::nullopt},
      {": nothing before the colon", std::nullopt},
      {"no colon at all", std::nullopt},
      {"3d: starts with a digit", std::nullopt},
  };
  for (const Case& c : cases) EXPECT_EQ(SplitFieldMessage(c.message), c.want) << c.message;
}

TEST(FieldViolationsTest, CollectsEveryViolationInOrder) {
  // Given a request with three bad fields and one good one.
  FieldViolations v;
  v.Add(domain::ValidateText("company", "", 1, 200));
  v.Add(absl::OkStatus());
  v.Add(domain::ValidateEmail("contact.email", "no-at-sign"));
  v.Add("score", "must be between 0 and 100");
  // When finished: one INVALID_ARGUMENT naming the first, listing all.
  const absl::Status s = std::move(v).Finish();
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith("company: must be 1..200 characters"));
  EXPECT_THAT(std::string(s.message()), ::testing::EndsWith("; and 2 more (contact.email, score)"));
  EXPECT_THAT(Fields(s), ElementsAre("company", "contact.email", "score"));
  ASSERT_TRUE(ErrorInfoOf(s).has_value());
  EXPECT_EQ(ErrorInfoOf(s)->reason(), "FIELD_INVALID");
  EXPECT_EQ(ErrorInfoOf(s)->domain(), "salesops");
  EXPECT_THAT(ErrorInfoOf(s)->metadata(), UnorderedElementsAre(Pair("fields", "company,contact.email,score")));
}

TEST(FieldViolationsTest, NothingAddedIsOk) {
  FieldViolations v;
  v.Add(absl::OkStatus());
  EXPECT_TRUE(v.empty());
  EXPECT_TRUE(std::move(v).Finish().ok());
}

TEST(FieldViolationsTest, MergesNestedCollectionsAndKeepsTheirReasons) {
  // ValidateContact collects its own; the outer collection flattens them.
  v1::Contact contact;
  contact.set_email("bad");
  contact.set_phone("call me");
  FieldViolations v;
  v.Add(domain::ValidateContact("contact", contact));
  v.Add(WithReason(absl::InvalidArgumentError("options.request_id: reused"), kRequestIdReused));
  const absl::Status s = std::move(v).Finish();
  EXPECT_THAT(Fields(s), ElementsAre("contact.name", "contact.email", "contact.phone", "options.request_id"));
  EXPECT_EQ(BadRequestOf(s)->field_violations(3).reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(BadRequestOf(s)->field_violations(0).reason(), "FIELD_INVALID");
}

TEST(FieldViolationsTest, AnErrorThatIsNoFieldsFaultWins) {
  FieldViolations v;
  v.Add(absl::InvalidArgumentError("company: is required"));
  v.Add(absl::UnavailableError("storage"));
  EXPECT_EQ(std::move(v).Finish().code(), absl::StatusCode::kUnavailable);
}

TEST(FieldViolationsTest, BoundsWhatOneErrorCarries) {
  FieldViolations v;
  const std::string long_rule(1000, 'x');
  for (int i = 0; i < 100; ++i) v.Add(absl::StrCat("products[", i, "]"), i == 0 ? long_rule : "is empty");
  const absl::Status s = std::move(v).Finish();
  ASSERT_EQ(BadRequestOf(s)->field_violations_size(), static_cast<int>(FieldViolations::kMaxViolations));
  EXPECT_LE(BadRequestOf(s)->field_violations(0).description().size(), FieldViolations::kMaxDescriptionBytes + 3);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("; and 99 more ("));
  EXPECT_THAT(std::string(s.message()), ::testing::EndsWith(", 80 not listed)"));
  // Serialized, the details stay far below gRPC's 8 KiB metadata limit.
  EXPECT_LT(ToRpcStatus(s, s.message()).ByteSizeLong(), 4096u);
}

TEST(FieldViolationsTest, CutsDescriptionsOnACharacterBoundary) {
  FieldViolations v;
  std::string rule;
  while (rule.size() < 600) rule += "阶段";
  v.Add("company", rule);
  const std::string cut = BadRequestOf(std::move(v).Finish())->field_violations(0).description();
  ASSERT_GT(cut.size(), 3u);
  EXPECT_EQ((cut.size() - 3) % 3, 0u);
  EXPECT_EQ(cut.substr(cut.size() - 3), "...");
}

TEST(LeadValidationTest, ReportsEveryBadFieldOfACommandAtOnce) {
  v1::LeadCommand command;
  v1::IdentifyLeadRequest* c = command.mutable_identify();
  c->set_lead_id("bad id!");
  c->mutable_contact()->set_name("陈静");
  c->mutable_contact()->set_email("nope");
  c->mutable_estimated_value()->set_currency("rmb");
  c->mutable_estimated_value()->set_amount_minor(-1);
  c->mutable_options()->set_request_id("has space");
  const absl::Status s = domain::ValidateLeadCommand(command);
  EXPECT_THAT(Fields(s), ElementsAre("options.request_id", "lead_id", "company", "contact.email", "source",
                                     "estimated_value.currency", "estimated_value.amount_minor"));
}

TEST(ToRpcStatusTest, FillsInWhatTheSiteDidNotSay) {
  struct Case {
    absl::Status status;
    std::string reason;
    std::vector<std::string> fields;  // BadRequest, when any
    std::optional<int64_t> retry_ms;
  };
  const std::vector<Case> cases = {
      // A one-field INVALID_ARGUMENT without details: the field from its message.
      {absl::InvalidArgumentError("score: must be between 0 and 100"), "FIELD_INVALID", {"score"}, std::nullopt},
      // No field in the message: no BadRequest, the code's reason.
      {absl::InvalidArgumentError("request: not a valid message"), "FIELD_INVALID", {"request"}, std::nullopt},
      {absl::InvalidArgumentError("contact, source: at least one"), "INVALID_ARGUMENT", {}, std::nullopt},
      {absl::FailedPreconditionError("x"), "FAILED_PRECONDITION", {}, std::nullopt},
      {absl::DataLossError("x"), "LOG_DAMAGED", {}, std::nullopt},
      // Retryable codes get a delay.
      {absl::UnavailableError("x"), "UNAVAILABLE", {}, 1000},
      {absl::ResourceExhaustedError("x"), "RESOURCE_EXHAUSTED", {}, 1000},
      {absl::AbortedError("x"), "ABORTED", {}, 100},
      // A site's own reason and delay win; a too-large request is never retried.
      {WithRetryDelay(WithReason(absl::UnavailableError("x"), kShuttingDown), absl::Milliseconds(250)),
       "SHUTTING_DOWN", {}, 250},
      {WithReason(absl::ResourceExhaustedError("x"), kRequestTooLarge), "REQUEST_TOO_LARGE", {}, std::nullopt},
      // Below the domain layer, a plain reason.
      {WithPlainReason(absl::ResourceExhaustedError("x"), "MEMBER_LIMIT"), "MEMBER_LIMIT", {}, 1000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    const google::rpc::Status rpc = ToRpcStatus(c.status, "shown");
    EXPECT_EQ(rpc.code(), static_cast<int>(c.status.code()));
    EXPECT_EQ(rpc.message(), "shown");
    const auto info = Unpack<google::rpc::ErrorInfo>(rpc);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), c.reason);
    EXPECT_EQ(info->domain(), "salesops");
    std::vector<std::string> fields;
    if (auto bad = Unpack<google::rpc::BadRequest>(rpc)) {
      for (const auto& v : bad->field_violations()) fields.push_back(v.field());
    }
    EXPECT_EQ(fields, c.fields);
    const auto retry = Unpack<google::rpc::RetryInfo>(rpc);
    ASSERT_EQ(retry.has_value(), c.retry_ms.has_value());
    if (retry.has_value()) {
      EXPECT_EQ(retry->retry_delay().seconds() * 1000 + retry->retry_delay().nanos() / 1'000'000, *c.retry_ms);
    }
  }
}

TEST(ToRpcStatusTest, CarriesResourcePreconditionAndMetadata) {
  const absl::Status s = NotAllowedIn(kStageNotAllowed, "lead", "L-1", "STAGE", "stage", "WON", "QualifyLead",
                                      "lead 'L-1' is in stage WON");
  const google::rpc::Status rpc = ToRpcStatus(s, s.message());
  const auto info = Unpack<google::rpc::ErrorInfo>(rpc);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "STAGE_NOT_ALLOWED");
  EXPECT_THAT(info->metadata(), UnorderedElementsAre(Pair("lead_id", "L-1"), Pair("stage", "WON"),
                                                     Pair("action", "QualifyLead")));
  const auto failure = Unpack<google::rpc::PreconditionFailure>(rpc);
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 1);
  EXPECT_EQ(failure->violations(0).type(), "STAGE");
  EXPECT_EQ(failure->violations(0).subject(), "lead/L-1");
  const auto resource = Unpack<google::rpc::ResourceInfo>(rpc);
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_type(), "salesops.v1.Lead");
  EXPECT_EQ(resource->resource_name(), "L-1");

  const absl::Status conflict = VersionConflict("order", "O-9", 4, 2);
  EXPECT_EQ(conflict.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(conflict.message(), "order 'O-9' is at version 4, expected_version was 2; re-read and retry");
  EXPECT_THAT(ErrorInfoOf(conflict)->metadata(),
              UnorderedElementsAre(Pair("order_id", "O-9"), Pair("expected_version", "2"),
                                   Pair("actual_version", "4")));
}

TEST(ErrorsTest, AVersionConflictNamesItsSubject) {
  struct Row {
    std::string kind, id, subject, message;
  };
  const std::vector<Row> rows = {
      {"lead", "acme-1", "", "lead 'acme-1' is at version 3, expected_version was 1; re-read and retry"},
      {"action_item", "A1", "",
       "action item 'A1' is at version 3, expected_version was 1; re-read and retry"},
      {"team", "team", "the team", "the team is at version 3, expected_version was 1; re-read and retry"},
  };
  for (const Row& row : rows) {
    const absl::Status conflict = VersionConflict(row.kind, row.id, 3, 1, row.subject);
    EXPECT_EQ(conflict.message(), row.message) << row.kind;
    EXPECT_EQ(ReasonOf(conflict), kVersionConflict) << row.kind;
    EXPECT_EQ(ResourceInfoOf(conflict)->resource_name(), row.id) << row.kind;
  }
}

TEST(CopyDetailsTest, ARebuiltStatusKeepsItsDetails) {
  const absl::Status original = NotFound("ticket", "T-1", "ticket 'T-1' not found");
  const absl::Status rebuilt = CopyDetails(original, absl::NotFoundError("prefix: ticket 'T-1' not found"));
  EXPECT_EQ(ReasonOf(rebuilt), "NOT_FOUND");
  EXPECT_EQ(ResourceInfoOf(rebuilt)->resource_name(), "T-1");
  EXPECT_TRUE(CopyDetails(original, absl::OkStatus()).ok());
}

}  // namespace
}  // namespace salesops::errors
