// Writes the seed corpus of every fuzz target (tests/fuzz/corpus/<target>/):
// small valid inputs made by the real encoders, from the fixed world of
// fuzz_world.h. Run it again when a format or the world changes:
//
//   build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// It replaces the files it writes and leaves others (e.g. a crash input
// kept as a regression seed) alone. It checks that every command seed is
// decided as expected, so a seed does not silently become a refusal.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/lead_details.h"
#include "projections/deterministic_bytes.h"
#include "projections/pipeline.h"
#include "projections/views_snapshot.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/views.pb.h"
#include "server/domain/proto_time.h"
#include "server/domain/state.h"
#include "server/store/keys.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/fuzz_world.h"
#include "tests/fuzz/request_types.h"

namespace salesops::fuzz {
namespace {

namespace fs = std::filesystem;

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void Write(const std::string& target, const std::string& name, const std::string& bytes) {
    const fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) InvariantBroken(absl::StrCat("cannot write ", (dir / name).string()));
    ++written_;
  }

  int written() const { return written_; }

 private:
  fs::path root_;
  int written_ = 0;
};

std::string Byte(size_t i) { return std::string(1, static_cast<char>(i)); }

size_t ActorIndex(const std::string& actor) {
  const std::vector<std::string>& actors = Actors();
  for (size_t i = 0; i < actors.size(); ++i) {
    if (actors[i] == actor) return i;
  }
  InvariantBroken(absl::StrCat("no actor ", actor));
}

void CommandSeeds(Corpus& corpus) {
  const World& world = TheWorld();
  const std::vector<ActedCommand> commands = CommandsForEveryKind();
  for (const ActedCommand& c : commands) {
    domain::DecideContext context{world.now, c.actor, ""};
    if (domain::NeedsNewLeadId(c.command) || domain::NeedsNewTicketId(c.command))
      context.new_lead_id = kNewId;
    const absl::StatusOr<domain::CommandDecision> d = domain::Decide(world.views.core, c.command, context);
    if (d.ok() != c.decides_ok) {
      InvariantBroken(absl::StrCat("seed ", c.name, " by ", c.actor, ": ", d.status().ToString()));
    }
    corpus.Write("command", c.name, Byte(ActorIndex(c.actor)) + projections::DeterministicBytes(c.command));
  }
  // The same Qualify sent by members who may not.
  const ActedCommand& qualify = commands[2];
  for (const char* actor : {ids::kRep, ids::kGone, ids::kStranger}) {
    corpus.Write("command", absl::StrCat("qualify_lead_by_", actor),
                 Byte(ActorIndex(actor)) + projections::DeterministicBytes(qualify.command));
  }
}

void EnvelopeSeeds(Corpus& corpus) {
  // One stored event of every type the world's log holds.
  const World& world = TheWorld();
  std::vector<std::string> seen;
  for (const v1::EventEnvelope& e : world.log) {
    if (std::find(seen.begin(), seen.end(), e.event_type()) != seen.end()) continue;
    seen.push_back(e.event_type());
    corpus.Write("envelope", e.event_type(), projections::DeterministicBytes(e));
  }
  // Regression: a stage change to a stage this build does not know
  // (projections/view_index.cc, docs/FUZZING.md).
  for (const v1::EventEnvelope& e : world.log) {
    if (!e.event().has_lead_qualified()) continue;
    v1::EventEnvelope unknown = e;
    unknown.mutable_event()->mutable_lead_qualified()->mutable_transition()->set_to_stage(
        static_cast<v1::Stage>(58));
    corpus.Write("envelope", "regress_unknown_stage", projections::DeterministicBytes(unknown));
    break;
  }
}

void SnapshotSeeds(Corpus& corpus) {
  // Snapshots of the world after its team, half-way, and whole.
  const World& world = TheWorld();
  projections::ViewsState state;
  const size_t stops[] = {12, world.log.size() / 2, world.log.size()};
  size_t folded = 0;
  for (size_t stop : stops) {
    for (; folded < stop; ++folded) projections::EvolveViews(state, world.log[folded]);
    std::string framed;
    for (const std::string& chunk : projections::EncodeViewsSnapshot(state)) framed += FramePart(chunk);
    corpus.Write("snapshot", absl::StrCat("views_at_", stop), framed);
  }
  // Regression: a lead in a stage this build does not know.
  state.core.leads.at("quoted").stage = static_cast<v1::Stage>(58);
  std::string framed;
  for (const std::string& chunk : projections::EncodeViewsSnapshot(state)) framed += FramePart(chunk);
  corpus.Write("snapshot", "regress_unknown_stage", framed);
}

void KeySeeds(Corpus& corpus) {
  namespace keys = store::keys;
  corpus.Write("keys", "position_key", keys::PositionKey(42));
  corpus.Write("keys", "stream_key", keys::StreamKey("lead-quoted", 5));
  corpus.Write("keys", "snapshot_key", keys::SnapshotKey("views", 3));
  corpus.Write("keys", "idempotency_key", keys::IdempotencyKey("rep1", "req-0001"));
  // As fields: two ids, two versions, a request id.
  corpus.Write(
      "keys", "fields",
      FramePart("lead-a") + FramePart("lead-ab") + keys::EncodeU64(7) + keys::EncodeU64(300) + "req-1");
}

// The world's lead "quoted" as GetLead shows it.
v1::Lead QuotedLead(const World& world) {
  return domain::ToLeadMessage("quoted", world.views.core.leads.at("quoted"));
}

void PageTokenSeeds(Corpus& corpus) {
  const World& world = TheWorld();
  // ListLeads: the first page, a follow-up page with its real token, and a
  // request whose token is forged from a lead of the world.
  v1::ListLeadsRequest leads;
  leads.set_page_size(2);
  corpus.Write("page_token", "list_leads_first_page",
               Byte(0) + FramePart(projections::DeterministicBytes(leads)));
  absl::StatusOr<v1::ListLeadsResponse> page = projections::ListLeads(world.views, leads, world.now);
  if (!page.ok() || page->next_page_token().empty()) InvariantBroken("no second page of leads");
  leads.set_page_token(page->next_page_token());
  corpus.Write("page_token", "list_leads_next_page",
               Byte(0) + FramePart(projections::DeterministicBytes(leads)));
  v1::ListLeadsRequest by_value;
  by_value.set_order_by(v1::LEAD_ORDER_VALUE);
  by_value.set_currency("CNY");
  by_value.set_stage(v1::STAGE_WON);
  corpus.Write("page_token", "list_leads_by_value",
               Byte(4) + FramePart(projections::DeterministicBytes(by_value)));
  corpus.Write("page_token", "list_leads_forged_cursor",
               Byte(2) + FramePart(projections::DeterministicBytes(by_value)) +
                   FramePart(projections::DeterministicBytes(QuotedLead(world))));
  // Regression: a forged cursor at the least amount (projections/view_index.h
  // ValueKey).
  v1::Lead least = QuotedLead(world);
  least.mutable_estimated_value()->set_amount_minor(std::numeric_limits<int64_t>::min());
  corpus.Write("page_token", "regress_least_amount_cursor",
               Byte(2) + FramePart(projections::DeterministicBytes(by_value)) +
                   FramePart(projections::DeterministicBytes(least)));
  // ListStageChanges: the whole log, one lead, and a forged position.
  v1::ListStageChangesRequest changes;
  changes.set_page_size(3);
  corpus.Write("page_token", "stage_changes_first_page",
               Byte(1) + FramePart(projections::DeterministicBytes(changes)));
  v1::ListStageChangesRequest one_lead;
  one_lead.set_lead_id("delivered");
  one_lead.set_to_stage(v1::STAGE_WON);
  corpus.Write("page_token", "stage_changes_one_lead",
               Byte(5) + FramePart(projections::DeterministicBytes(one_lead)));
  v1::ListStageChangesRequest filtered;
  filtered.set_actor(ids::kBd);
  filtered.set_role(v1::ROLE_BD_MANAGER);
  *filtered.mutable_from_time() = ToProtoTime(world.now - absl::Hours(100));
  corpus.Write(
      "page_token", "stage_changes_forged_position",
      Byte(3) + FramePart(projections::DeterministicBytes(filtered)) + FramePart(store::keys::EncodeU64(40)));
}

void TokensFileSeeds(Corpus& corpus) {
  corpus.Write("tokens_file", "tokens",
               "# salesops tokens: TOKEN MEMBER_ID per line\n"
               "dev-0123456789abcdef0123 admin\n"
               "\n"
               "  tok-aaaaaaaaaaaaaaaa\tbob  \r\n"
               "sha256:529eee756c8c06dd0ea9094b841baa84c6815ff469b308e492e5f3d21eb6a53b alice\n" +
                   std::string(1, '\0') + "Bearer dev-0123456789abcdef0123");
  corpus.Write("tokens_file", "hashed_only",
               "sha256:529EEE756C8C06DD0EA9094B841BAA84C6815FF469B308E492E5F3D21EB6A53B alice\n" +
                   std::string(1, '\0') + "bearer tok-aaaaaaaaaaaaaaaa");
  corpus.Write("tokens_file", "repeated_token", "tok-aaaaaaaaaaaaaaaa a\ntok-aaaaaaaaaaaaaaaa b\n");
  corpus.Write(
      "tokens_file", "with_certificates",
      "x509:billing.internal.example svc-billing\nx509:ops@example.cn ops\ntok-bbbbbbbbbbbbbbbb ops\n" +
          std::string(1, '\0') + "Bearer x509:ops@example.cn");
  // Regression: a token no call could carry (server/service/auth.cc).
  corpus.Write("tokens_file", "regress_token_with_form_feed", "tok-aaaaaaaaaaaaaaaa\f alice\n");
}

void FieldFlagSeeds(Corpus& corpus) {
  // The type byte is the type's index in RequestTypes().
  struct Seed {
    const char* name;
    const char* type;
    std::vector<std::string> args;
  };
  const std::vector<Seed> seeds = {
      {"identify_lead",
       "salesops.v1.IdentifyLeadRequest",
       {"--lead_id=demo-1", "--company=示例科技", "--contact.name=王芳", "--source=referral",
        "--estimated_value=120000 CNY", "--request_id", "r-1"}},
      {"send_quote",
       "salesops.v1.SendQuoteRequest",
       {"--lead-id=demo-1", "--quote_id=Q-7", "--amount.amount_minor=120050", "--amount.currency=CNY",
        "--valid_until=2026-12-31", "--discount_basis_points", "250", "--options.expected_version=3"}},
      {"set_member_roles",
       "salesops.v1.SetMemberRolesRequest",
       {"--member_id=rep1", "--roles=sales_rep", "--roles=ROLE_BD_MANAGER", "--capacity=30", "--json",
        "--timeout=2.5"}},
      {"list_stage_changes",
       "salesops.v1.ListStageChangesRequest",
       {"--from_time=2026-01-01T00:00:00Z", "--overrides_only", "--page_size=10", "--server=127.0.0.1:1"}},
      {"list_leads",
       "salesops.v1.ListLeadsRequest",
       {"--stale_for=1d12h", "--order_by=value", "--currency=CNY", "--view={\"minPosition\": \"5\"}"}},
      {"set_scoring_policy",
       "salesops.v1.SetScoringPolicyRequest",
       {"--roles={\"role\": \"ROLE_SALES_REP\", \"weights\": [{\"metric\": \"deals_won\", \"weight\": 2}]}",
        "--note=Q1"}},
      {"help", "salesops.v1.QualifyLeadRequest", {"--help"}},
      {"no_arguments", "salesops.v1.GetLeadRequest", {}},
  };
  const google::protobuf::DescriptorPool& pool = *google::protobuf::DescriptorPool::generated_pool();
  for (const Seed& seed : seeds) {
    if (pool.FindMessageTypeByName(seed.type) == nullptr)
      InvariantBroken(absl::StrCat("no type ", seed.type));
    std::string input = Byte(RequestTypeIndex(seed.type));
    input += absl::StrJoin(seed.args, std::string(1, '\0'));
    corpus.Write("field_flags", seed.name, input);
  }
}

}  // namespace
}  // namespace salesops::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 64;
  }
  using namespace salesops::fuzz;  // NOLINT
  QuietProtobuf();
  Corpus corpus{std::filesystem::path(argv[1])};
  CommandSeeds(corpus);
  EnvelopeSeeds(corpus);
  SnapshotSeeds(corpus);
  KeySeeds(corpus);
  PageTokenSeeds(corpus);
  TokensFileSeeds(corpus);
  FieldFlagSeeds(corpus);
  std::printf("wrote %d seeds under %s\n", corpus.written(), argv[1]);
  return 0;
}
