// Fuzz target "command": every command's validation and decision path.
//
// Input: one byte choosing the actor (fuzz_world.h, Actors()), then the wire
// bytes of a v1::Command (proto/salesops/v1/internal.proto): the services
// wrap each request in one, so its oneofs reach every command kind. Bytes
// that do not parse take the path of a request gRPC cannot parse
// (service::ExplainUnparsable). A parsed command is validated and decided
// against the fixed world through the public decide path (domain::Decide,
// which validates once and then decides; the sequencer validates with
// domain::Validate and decides the ValidatedCommand, the same two steps), and
// the outcome converted as the services convert it (service::ToGrpcStatus).
//
// Invariants checked:
//   * unparsable bytes are explained as INVALID_ARGUMENT;
//   * Decide refuses what ValidateCommand refuses, with the same status;
//   * a refusal has one of the codes the decide path documents (state.h)
//     and a non-empty, valid UTF-8 message, which ToGrpcStatus keeps (cut
//     to its bound on a character boundary);
//   * an accepted command appends at least one event to every stream it
//     names, each following the stream's current version with a payload of a
//     known type; the events fold (domain::Evolve through the views'
//     EvolveViews), the streams' versions then advance by the number of
//     events, and MakeReply answers with the stream's new version.
#include <cstddef>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "projections/views_state.h"
#include "server/common/utf8.h"
#include "server/domain/account.h"
#include "server/domain/events.h"
#include "server/domain/order.h"
#include "server/domain/state.h"
#include "server/domain/team.h"
#include "server/domain/ticket.h"
#include "server/service/grpc_status.h"
#include "server/service/request_parse.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_world.h"

namespace salesops::fuzz {
namespace {

// The version of `stream_id` in `state` (0 for a stream that does not exist).
uint64_t StreamVersion(const domain::State& state, absl::string_view stream_id) {
  absl::string_view id = stream_id;
  if (absl::ConsumePrefix(&id, domain::kLeadStreamPrefix)) return state.Lead(id).version;
  if (absl::ConsumePrefix(&id, domain::kOrderStreamPrefix)) return state.Order(id).version();
  if (absl::ConsumePrefix(&id, domain::kTicketStreamPrefix)) return state.Ticket(id).version();
  if (absl::ConsumePrefix(&id, domain::kMeetingStreamPrefix)) return state.meetings.Meeting(id).version();
  if (absl::ConsumePrefix(&id, domain::kActionItemStreamPrefix)) return state.meetings.Item(id).version();
  if (absl::ConsumePrefix(&id, domain::kFeedbackStreamPrefix)) {
    auto it = state.feedback.feedback.find(id);
    return it == state.feedback.feedback.end() ? 0 : it->second.stream_version();
  }
  if (absl::ConsumePrefix(&id, domain::kTrainingStreamPrefix)) return state.training.Find(id).stream_version();
  if (absl::ConsumePrefix(&id, domain::kAccountStreamPrefix)) {
    const domain::AccountState* account = state.accounts.Find(id);
    return account == nullptr ? 0 : account->version;
  }
  if (stream_id == domain::kTeamStreamId) return state.team.version;
  InvariantBroken(absl::StrCat("a decision names stream '", stream_id, "', which no aggregate owns"));
}

bool DocumentedRefusal(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kPermissionDenied:
      return true;
    default:
      return false;
  }
}

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(DocumentedRefusal(status.code()), status.ToString());
  FUZZ_CHECK(!status.message().empty(), status.ToString());
  FUZZ_CHECK(Utf8Length(status.message()).has_value(), status.ToString());
  const grpc::Status converted = service::ToGrpcStatus(status);
  FUZZ_CHECK(static_cast<int>(converted.error_code()) == static_cast<int>(status.code()), status.ToString());
  FUZZ_CHECK(converted.error_message().size() <= service::kMaxStatusMessageBytes + 3, status.ToString());
  FUZZ_CHECK(Utf8Length(converted.error_message()).has_value(), status.ToString());
}

void CheckAccepted(const World& world, const v1::Command& command, const domain::CommandDecision& decision,
                   absl::string_view actor) {
  const domain::State& before = world.views.core;
  FUZZ_CHECK(!decision.streams.empty(), command.ShortDebugString());
  for (const domain::StreamDecision& stream : decision.streams) {
    FUZZ_CHECK(!stream.events.empty(), stream.stream_id);
    FUZZ_CHECK(stream.expected_version == StreamVersion(before, stream.stream_id), stream.stream_id);
    for (const v1::Event& event : stream.events) {
      const std::string type = domain::EventTypeName(event);
      FUZZ_CHECK(domain::IsKnownEventType(type), event.ShortDebugString());
      domain::DescribeEvent(event);
    }
  }
  // Fold the decision into a copy of the world, as the sequencer and the
  // views do after the commit.
  projections::ViewsState after = world.views;
  uint64_t last_position = 0;
  for (const v1::EventEnvelope& e : Envelopes(command, decision, actor, world.log.size() + 1, world.now)) {
    projections::EvolveViews(after, e);
    last_position = e.position();
  }
  for (const domain::StreamDecision& stream : decision.streams) {
    FUZZ_CHECK(StreamVersion(after.core, stream.stream_id) == stream.expected_version + stream.events.size(),
               stream.stream_id);
  }
  const v1::CommandReply reply = domain::MakeReply(after.core, decision, last_position);
  FUZZ_CHECK(reply.kind_case() != v1::CommandReply::KIND_NOT_SET, command.ShortDebugString());
}

}  // namespace
}  // namespace salesops::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  salesops::fuzz::QuietProtobuf();
  salesops::fuzz::TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salesops;  // NOLINT
  using fuzz::FuzzInput;
  const fuzz::World& world = fuzz::TheWorld();
  FuzzInput input(data, size);
  const std::string& actor = fuzz::Actors()[input.Byte() % fuzz::Actors().size()];
  const absl::string_view bytes = input.Rest();

  v1::Command command;
  if (!command.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    const absl::Status explained = service::ExplainUnparsable(*v1::Command::descriptor(), bytes);
    FUZZ_CHECK(explained.code() == absl::StatusCode::kInvalidArgument, explained.ToString());
    return 0;
  }
  const absl::Status valid = domain::ValidateCommand(command);
  domain::DecideContext context{world.now, actor, ""};
  if (domain::NeedsNewLeadId(command) || domain::NeedsNewTicketId(command) || domain::NeedsNewMeetingId(command) ||
      domain::NeedsNewActionItemId(command))
    context.new_lead_id = fuzz::kNewId;
  const absl::StatusOr<domain::CommandDecision> decision = domain::Decide(world.views.core, command, context);
  if (!valid.ok()) {
    FUZZ_CHECK(decision.status() == valid,
               absl::StrCat(valid.ToString(), " vs ", decision.status().ToString()));
  }
  if (!decision.ok()) {
    fuzz::CheckRefusal(decision.status());
    return 0;
  }
  fuzz::CheckAccepted(world, command, *decision, actor);
  return 0;
}
