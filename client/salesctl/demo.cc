#include "demo.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "commands.h"
#include "demo_plan.h"
#include "exit_codes.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/team.pb.h"
#include "salesops/v1/views.pb.h"
#include "time_text.h"
#include "view_text.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;

constexpr absl::string_view kUsage =
    "Usage: salesctl [--server=HOST:PORT] [--token=TOKEN] demo [--leads=N] [--seed=N] [--parallel=N]\n"
    "\n"
    "Fills the server with a demo team and about four months of history: leads\n"
    "through every stage, orders, tickets, surveys, targets and two scoring\n"
    "policies, through the public RPCs as the token's member, which must hold\n"
    "ADMIN. It backfills business time (options.occurred_at) and records each\n"
    "team member's work as a SALES_MANAGER override naming that member, so the\n"
    "events say who really recorded them (docs/CLI.md). The member is given\n"
    "SALES_MANAGER and loses SALES_REP, BD_MANAGER, SALES_SUPPORT and\n"
    "AFTER_SALES. Running it again appends nothing.\n"
    "\n"
    "  --leads=N     customers to create (default 300, at most 5000)\n"
    "  --seed=N      another seed gives other customers (default 1)\n"
    "  --parallel=N  customers sent at once (default 8, at most 16)\n";

// Failures worth resending: the server may be busy or slow, and every
// request carries its request_id, so a resend never appends twice.
bool Retryable(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

constexpr int kAttempts = 6;

struct DemoFlags {
  int leads = 300;
  uint64_t seed = 1;
  int parallel = 8;
  bool help = false;
};

absl::Status NumberFlag(const FlagToken& flag, const std::vector<std::string>& args, size_t* i, int64_t lo,
                        int64_t hi, int64_t* out) {
  std::string value;
  if (flag.value.has_value()) {
    value = *flag.value;
  } else if (*i + 1 < args.size()) {
    value = args[++*i];
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--", flag.name, " needs a value"));
  }
  if (!absl::SimpleAtoi(value, out) || *out < lo || *out > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag.name, ": '", value, "' is not a whole number in ", lo, "..", hi));
  }
  return absl::OkStatus();
}

absl::StatusOr<DemoFlags> ParseDemoFlags(const std::vector<std::string>& args, GlobalOptions* globals) {
  DemoFlags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<FlagToken> flag = ParseFlagToken(args[i]);
    if (!flag.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", args[i], "'"));
    }
    int64_t number = 0;
    if (flag->name == "help") {
      flags.help = true;
    } else if (flag->name == "leads") {
      if (absl::Status s = NumberFlag(*flag, args, &i, 1, kMaxDemoLeads, &number); !s.ok()) return s;
      flags.leads = static_cast<int>(number);
    } else if (flag->name == "seed") {
      if (absl::Status s = NumberFlag(*flag, args, &i, 1, 1'000'000'000, &number); !s.ok()) return s;
      flags.seed = static_cast<uint64_t>(number);
    } else if (flag->name == "parallel") {
      if (absl::Status s = NumberFlag(*flag, args, &i, 1, kMaxDemoParallel, &number); !s.ok()) return s;
      flags.parallel = static_cast<int>(number);
    } else if (IsGlobalFlag(flag->name)) {
      if (!flag->value.has_value() && GlobalFlagNeedsValue(flag->name) && i + 1 < args.size()) {
        flag->value = args[++i];
      }
      if (absl::Status s = ApplyGlobalFlag(flag->name, flag->value, globals); !s.ok()) return s;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", flag->name, " (demo takes --leads, --seed, --parallel)"));
    }
  }
  return flags;
}

template <typename T>
T As(const pb::Message& message) {
  T typed;
  typed.CopyFrom(message);
  return typed;
}

// Sends the demo's requests: retries what is safe to retry and remembers
// the highest log position any reply named. Thread-safe when `rpc` is.
class Sender {
 public:
  Sender(RpcClient& rpc, const GlobalOptions& globals) : rpc_(rpc), globals_(globals) {}

  // Calls the command `rpc_name` ("leads.identify-lead"); the reply goes to
  // `*reply` when that is not null.
  grpc::Status Send(absl::string_view rpc_name, const pb::Message& request,
                    std::unique_ptr<pb::Message>* reply = nullptr) {
    absl::StatusOr<const Command*> command = FindCommand(rpc_name);
    if (!command.ok())
      return grpc::Status(grpc::StatusCode::INTERNAL, std::string(command.status().message()));
    grpc::Status status;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (attempt > 0) absl::SleepFor(absl::Milliseconds(50) * (1 << attempt));  // back off, then resend
      status = rpc_.Call(globals_, **command, request, [&](const pb::Message& answer) {
        const pb::FieldDescriptor* position = answer.GetDescriptor()->FindFieldByName("position");
        if (position != nullptr && position->cpp_type() == pb::FieldDescriptor::CPPTYPE_UINT64) {
          const uint64_t p = answer.GetReflection()->GetUInt64(answer, position);
          uint64_t seen = max_position_.load();
          while (p > seen && !max_position_.compare_exchange_weak(seen, p)) {
          }
        }
        if (reply != nullptr) {
          reply->reset(answer.New());
          (*reply)->CopyFrom(answer);
        }
      });
      if (!Retryable(status)) break;
    }
    return status;
  }

  uint64_t max_position() const { return max_position_.load(); }

 private:
  RpcClient& rpc_;
  const GlobalOptions& globals_;
  std::atomic<uint64_t> max_position_{0};
};

int Fail(std::ostream& err, absl::string_view what, const grpc::Status& status) {
  err << "salesctl demo: " << what << ": " << GrpcCodeName(status.error_code()) << " ("
      << static_cast<int>(status.error_code()) << "): " << status.error_message() << "\n";
  return ExitCodeForGrpcError(status);
}

bool Holds(const v1::Member& member, v1::Role role) {
  return std::find(member.roles().begin(), member.roles().end(), role) != member.roles().end();
}

std::string RoleList(const std::vector<int>& roles) {
  return absl::StrJoin(roles, ", ", [](std::string* out, int role) { absl::StrAppend(out, RoleName(role)); });
}

// The member's roles for the demo: SALES_MANAGER added, and the four roles
// whose work the demo records as overrides removed, because the server
// refuses an override from a member the table already allows.
std::vector<int> DemoActorRoles(const v1::Member& member) {
  std::vector<int> roles;
  for (int role : member.roles()) {
    if (role != v1::ROLE_SALES_REP && role != v1::ROLE_BD_MANAGER && role != v1::ROLE_SALES_SUPPORT &&
        role != v1::ROLE_AFTER_SALES) {
      roles.push_back(role);
    }
  }
  roles.push_back(v1::ROLE_SALES_MANAGER);
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

// Sends every story, `parallel` at a time; each story's requests in order.
// Returns the first failure (and which story and call), or OK.
struct StoryFailure {
  grpc::Status status;
  std::string what;
};
// Sizes the capacity of a BD manager going part-time to what it holds once
// the stories are in, which depends on the hour the demo runs: sun_li ends
// over her capacity (about 133 %), the other near his (about 90 %: the
// dashboard's "near" starts at 80 %).
grpc::Status SizePartTime(Sender& sender, v1::SetMemberRolesRequest& request) {
  v1::GetWorkloadRequest get;
  get.mutable_view()->set_min_position(sender.max_position());
  std::unique_ptr<pb::Message> reply;
  if (grpc::Status s = sender.Send("views.get-workload", get, &reply); !s.ok()) return s;
  uint32_t load = 0;
  const v1::Workload workload = As<v1::Workload>(*reply);
  for (const v1::MemberWorkload& m : workload.members()) {
    if (m.member_id() == request.member_id()) load = m.load();
  }
  request.set_capacity(request.member_id() == "sun_li" ? std::max<uint32_t>(1, load * 3 / 4)
                                                        : load + std::max<uint32_t>(1, load / 8));
  return grpc::Status::OK;
}

StoryFailure SendStories(Sender& sender, const std::vector<DemoStory>& stories, int parallel,
                         std::ostream& out, absl::string_view label = "customers") {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  StoryFailure failure;
  size_t done = 0;
  const size_t step = std::max<size_t>(1, (stories.size() + 9) / 10);
  const auto work = [&] {
    while (!failed.load()) {
      const size_t i = next.fetch_add(1);
      if (i >= stories.size()) return;
      for (const DemoCall& call : stories[i].calls) {
        const grpc::Status status = sender.Send(call.rpc, *call.request);
        if (!status.ok()) {
          absl::MutexLock lock(&mu);
          if (!failed.exchange(true)) failure = {status, absl::StrCat(stories[i].lead_id, ", ", call.rpc)};
          return;
        }
      }
      absl::MutexLock lock(&mu);
      if (++done % step == 0 || done == stories.size()) {
        out << "  " << label << " " << done << "/" << stories.size() << "\n";
        out.flush();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < parallel; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  return failure;
}

}  // namespace

std::string DemoHelpLine() {
  return "\nDemo data:\n    demo      a team and ~4 months of history as the ADMIN token's member "
         "(see 'salesctl demo --help')\n";
}

int RunDemo(const CommandLine& line, RpcClient& rpc, std::ostream& out, std::ostream& err) {
  GlobalOptions globals = line.globals;
  absl::StatusOr<DemoFlags> flags = ParseDemoFlags(line.command_args, &globals);
  if (!flags.ok()) {
    err << "salesctl: " << flags.status().message() << "\nRun 'salesctl demo --help' for its flags.\n";
    return kExitUsage;
  }
  if (line.help || flags->help) {
    out << kUsage;
    return kExitOk;
  }
  const absl::Time started = absl::Now();
  Sender sender(rpc, globals);
  std::unique_ptr<pb::Message> reply;

  // Who the token belongs to. There is no "who am I" RPC; one's own review
  // (member_id left empty) is a read any member may make, and its reply
  // names the caller.
  v1::GetPerformanceReviewRequest whoami;
  whoami.set_period(absl::FormatTime("%Y-%m", started, absl::UTCTimeZone()));
  if (grpc::Status s = sender.Send("views.get-performance-review", whoami, &reply); !s.ok()) {
    return Fail(err, "finding the token's member (the demo needs an ADMIN's token)", s);
  }
  const auto self_review = As<v1::PerformanceReview>(*reply);
  const std::string actor = self_review.member_id();
  const uint64_t start_position = self_review.view().position();
  v1::GetMemberRequest get_member;
  get_member.set_member_id(actor);
  if (grpc::Status s = sender.Send("team.get-member", get_member, &reply); !s.ok()) {
    return Fail(err, absl::StrCat("reading member '", actor, "'"), s);
  }
  const auto member = As<v1::Member>(*reply);
  if (!Holds(member, v1::ROLE_ADMIN)) {
    err << "salesctl demo: member '" << actor << "' holds "
        << RoleList(std::vector<int>(member.roles().begin(), member.roles().end()))
        << "; the demo adds members and backfills business time, which needs ADMIN\n";
    return static_cast<int>(grpc::StatusCode::PERMISSION_DENIED);
  }
  out << "salesctl demo: recording as '" << actor << "' on " << globals.server << " (log at position "
      << start_position << ")\n";

  // The team; its first event's time anchors the history. On a rerun the
  // same request is answered with the same position, so the anchor, and
  // with it every backfilled time, comes out the same.
  uint64_t anchor_position = 0;
  for (const DemoCall& call : DemoTeamCalls()) {
    if (grpc::Status s = sender.Send(call.rpc, *call.request, &reply); !s.ok()) {
      return Fail(err, "adding the team", s);
    }
    if (anchor_position == 0) anchor_position = As<v1::TeamCommandReply>(*reply).position();
  }
  v1::ReadLogRequest read;
  read.set_from_position(anchor_position);
  read.set_limit(1);
  if (grpc::Status s = sender.Send("audit.read-log", read, &reply); !s.ok()) {
    return Fail(err, "reading the anchor event", s);
  }
  const auto page = As<v1::ReadLogResponse>(*reply);
  if (page.events().empty() || page.events(0).position() != anchor_position) {
    err << "salesctl demo: the log has no event at position " << anchor_position << "\n";
    return kExitInternal;
  }
  const v1::EventEnvelope& anchor_event = page.events(0);
  const google::protobuf::Timestamp& anchor_time =
      anchor_event.has_occurred_at() ? anchor_event.occurred_at() : anchor_event.recorded_at();
  const absl::Time anchor = absl::FromUnixSeconds(anchor_time.seconds());
  out << "team: " << DemoTeam().size() << " members; history backfilled from "
      << FormatTimestamp(anchor_time, true).substr(0, 10) << " back 120 days\n";

  const std::vector<int> roles = DemoActorRoles(member);
  if (roles != std::vector<int>(member.roles().begin(), member.roles().end())) {
    v1::SetMemberRolesRequest set_roles;
    set_roles.set_member_id(actor);
    for (int role : roles) set_roles.add_roles(static_cast<v1::Role>(role));
    set_roles.set_capacity(member.capacity());
    set_roles.mutable_options()->set_request_id(absl::StrCat("demo:actor-roles:", absl::StrJoin(roles, ",")));
    if (grpc::Status s = sender.Send("team.set-member-roles", set_roles); !s.ok()) {
      return Fail(err, "giving the member SALES_MANAGER", s);
    }
    out << "roles of '" << actor << "': " << RoleList(roles) << " (were "
        << RoleList(std::vector<int>(member.roles().begin(), member.roles().end())) << ")\n";
  }

  DemoPlanOptions options;
  options.seed = flags->seed;
  options.leads = flags->leads;
  options.anchor = anchor;
  options.actor = actor;
  const DemoPlan plan = BuildDemoPlan(options);
  out << "customers: " << plan.stories.size() << " stories, " << plan.counts.calls << " requests, "
      << flags->parallel << " at a time\n";
  out.flush();
  const StoryFailure failure = SendStories(sender, plan.stories, flags->parallel, out);
  if (!failure.status.ok()) return Fail(err, failure.what, failure.status);
  const StoryFailure returning =
      SendStories(sender, plan.returning, flags->parallel, out, "customers coming back or referred");
  if (!returning.status.ok()) return Fail(err, returning.what, returning.status);
  for (const DemoCall& call : plan.closing) {
    if (call.rpc == "team.set-member-roles" && call.request->GetDescriptor() == v1::SetMemberRolesRequest::descriptor()) {
      // A BD manager going part-time: the capacity is sized to what the
      // member holds now, which depends on the hour the demo runs.
      v1::SetMemberRolesRequest part_time;
      part_time.CopyFrom(*call.request);
      if (grpc::Status s = SizePartTime(sender, part_time); !s.ok()) return Fail(err, "views.get-workload", s);
      if (grpc::Status s = sender.Send(call.rpc, part_time); !s.ok()) return Fail(err, call.rpc, s);
      continue;
    }
    if (grpc::Status s = sender.Send(call.rpc, *call.request); !s.ok()) return Fail(err, call.rpc, s);
  }

  // The policies' versions: count up from whatever was there before.
  std::vector<std::string> policies;
  if (grpc::Status s = sender.Send("team.list-scoring-policies", v1::ListScoringPoliciesRequest(), &reply);
      s.ok()) {
    const auto list = As<v1::ListScoringPoliciesResponse>(*reply);
    for (const v1::ScoringPolicy& p : list.policies()) {
      if (p.set_by() == actor && absl::StartsWith(p.note(), "salesctl demo: ")) {
        policies.push_back(absl::StrCat("v", p.version(), " ", p.note().substr(15)));
      }
    }
  }

  const DemoCounts& c = plan.counts;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - started);
  const uint64_t end_position = std::max(sender.max_position(), start_position);
  out << "\n"
      << (end_position > start_position ? "done" : "nothing new: the demo data was already there") << " in "
      << Fixed(seconds, 1) << " s; log position " << start_position << " \u2192 " << end_position << "\n";
  out << "  team      " << DemoTeam().size()
      << " members: 1 sales manager, 3 BD managers, 6 sales reps, 2 sales support, 3 after-sales\n";
  out << "  leads     " << c.leads << ": " << c.won << " won, " << c.lost << " lost, " << c.disqualified
      << " disqualified, " << c.open << " open (" << c.reopened << " reopened); " << c.fresh_leads
      << " fresh inbound leads today\n";
  out << "  accounts  " << c.returning << " customers came back for another deal, " << c.referrals
      << " referred a new customer (salesctl account --account-id=<lead id>)\n";
  out << "  orders    " << c.orders << ": " << c.delivered << " delivered, " << c.cancelled << " cancelled, "
      << c.orders - c.delivered - c.cancelled << " in progress\n";
  out << "  tickets   " << c.tickets << " (" << c.tickets_reopened << " reopened); " << c.surveys
      << " surveys; " << c.follow_ups << " low survey today opened a follow-up ticket for after-sales\n";
  out << "  targets   " << c.targets << "; scoring policies: " << absl::StrJoin(policies, ", ") << "\n";
  out << "  meetings  " << c.meetings << " (3 weekly held, 2 one-to-ones and next week's ahead); " << c.action_items
      << " action items, " << c.action_items_done << " done\n";
  out << "  feedback  on " << c.feedback << " reps' reviews for last month (one corrected), not yet acknowledged\n";
  out << "  training  " << c.training_sessions << " sessions (last month's product session, this week's workshop and "
      << "briefing); " << c.attendances << " attendances, one corrected\n";
  out << "Every event names '" << actor
      << "' as its actor; team members' work is recorded as a SALES_MANAGER\n"
      << "override naming them (salesctl get-lead-history --lead_id=" << DemoLeadId(flags->seed, 1) << ").\n"
      << "Try: salesctl pipeline | workload | leads --stage=quoted | review --member=wang_fang | reviews |\n"
      << "     compare --policy-a=A --policy-b=B (the versions above) | list-meetings |\n"
      << "     get-meeting-brief --meeting_id=<next week's, from list-meetings> | analysis | satisfaction |\n"
      << "     get-review-feedback --member_id=zhang_wei --period=<last month> |\n"
      << "     list-training-sessions --period=<last month>\n";
  return kExitOk;
}

}  // namespace salesctl
