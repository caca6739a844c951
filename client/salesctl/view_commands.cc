#include "view_commands.h"

#include <memory>

#include "analysis_tables.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "commands.h"
#include "display_width.h"
#include "exit_codes.h"
#include "field_flags.h"
#include "help_text.h"
#include "pipeline_tables.h"
#include "reply_format.h"
#include "review_tables.h"
#include "text_forms.h"
#include "time_text.h"
#include "workload_table.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
namespace v1 = ::salesops::v1;

constexpr absl::string_view kViewFlags =
    "  --as-of=POSITION|TIME  answer as the log stood at a position, or at a moment of server time\n"
    "                         (RFC 3339 or a date; view.as_of_position / view.as_of_time)\n"
    "  --min-position=N       wait until the views have applied position N (view.min_position)\n";

// Sugar flag -> the request field it sets. Used only when the request has no
// field of the sugar's own name.
struct Alias {
  absl::string_view flag;   // as ParseFlagToken normalizes it: '-' is '_'
  absl::string_view field;  // a dotted path; "" for --as-of, which picks one
};
constexpr Alias kAliases[] = {
    {"as_of", ""},
    {"min_position", "view.min_position"},
    {"member", "member_id"},
    {"policy", "policy_version"},
};

// "2026-11-01": a calendar date, taken as 00:00 UTC.
bool IsDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(text[i])) return false;
  }
  return true;
}

// The value of the flag at args[*i]: written inline, or the next argument
// (which is then consumed). INVALID_ARGUMENT naming the flag when missing.
absl::StatusOr<std::string> FlagValue(const FlagToken& flag, const std::vector<std::string>& args,
                                      size_t* i) {
  if (flag.value.has_value()) return *flag.value;
  if (*i + 1 < args.size() && !absl::StartsWith(args[*i + 1], "--")) return args[++*i];
  return absl::InvalidArgumentError(absl::StrCat("--", flag.name, " needs a value"));
}

// Rewrites the sugar flags of `args` into the request's own flags, so that
// ApplyRequestArgs does the parsing (and names the flag in its errors).
absl::StatusOr<std::vector<std::string>> RewriteSugar(const pb::Descriptor& type,
                                                      const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<FlagToken> flag = ParseFlagToken(args[i]);
    if (!flag.has_value() || flag->name == "help") {
      out.push_back(args[i]);
      continue;
    }
    absl::StatusOr<FieldPath> own = ResolveFieldPath(type, flag->name);
    const Alias* alias = nullptr;
    if (absl::IsNotFound(own.status())) {
      for (const Alias& a : kAliases) {
        if (a.flag == flag->name) alias = &a;
      }
    }
    if (alias != nullptr && (alias->field.empty() || ResolveFieldPath(type, alias->field).ok())) {
      absl::StatusOr<std::string> value = FlagValue(*flag, args, &i);
      if (!value.ok()) return value.status();
      std::string field(alias->field);
      if (field.empty()) {  // --as-of: a position is a number, anything else a time
        uint64_t position;
        field = absl::SimpleAtoi(*value, &position) ? "view.as_of_position" : "view.as_of_time";
        if (field == "view.as_of_time") {
          if (IsDate(*value)) *value += "T00:00:00Z";
          // Checked here so that the error names the flag the user typed.
          if (absl::Status time = ParseTimestamp(*value).status(); !time.ok()) {
            return absl::InvalidArgumentError(
                absl::StrCat("--", flag->name, ": neither a log position nor a time (", time.message(), ")"));
          }
        }
      }
      out.push_back(absl::StrCat("--", field, "=", *value));
      continue;
    }
    if (own.ok() && IsTimestampField(own->leaf())) {
      absl::StatusOr<std::string> value = FlagValue(*flag, args, &i);
      if (!value.ok()) return value.status();
      if (IsDate(*value)) *value += "T00:00:00Z";
      out.push_back(absl::StrCat("--", flag->name, "=", *value));
      continue;
    }
    out.push_back(args[i]);
  }
  return out;
}

// True when the request's field `name` is set (present, or non-default).
bool HasField(const pb::Message& message, absl::string_view name) {
  const pb::FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(std::string(name));
  return field != nullptr && message.GetReflection()->HasField(message, field);
}

// A single review or a ranking whose policy_version is 0.
bool NoScoringPolicy(const pb::Message& reply) {
  const pb::Descriptor* type = reply.GetDescriptor();
  if (type != v1::PerformanceReview::descriptor() && type != v1::ListPerformanceReviewsResponse::descriptor()) {
    return false;
  }
  const pb::FieldDescriptor* version = type->FindFieldByName("policy_version");
  return version != nullptr && reply.GetReflection()->GetUInt32(reply, version) == 0;
}

// NoPolicyHint over the server's policies; a line saying why when they
// cannot be listed.
std::string PolicyAdvice(const GlobalOptions& globals, RpcClient& rpc) {
  absl::StatusOr<const Command*> list = FindCommand("team.list-scoring-policies");
  if (!list.ok()) return "";
  v1::ListScoringPoliciesResponse policies;
  const grpc::Status status =
      rpc.Call(globals, **list, v1::ListScoringPoliciesRequest(),
               [&](const pb::Message& reply) { policies.CopyFrom(reply); });
  if (!status.ok()) {
    return absl::StrCat("No scoring policy was in force at the end of this period (the policies could not be "
                        "listed: ", status.error_message(), ").\n");
  }
  return NoPolicyHint(policies);
}

int UsageError(std::ostream& err, const absl::Status& status, absl::string_view hint) {
  err << "salesctl: " << status.message() << "\n" << hint << "\n";
  return kExitUsage;
}

std::string ViewCommandHelp(const ViewCommand& view, const Command& rpc) {
  // The generic command's help without its usage line, which names the
  // generic command.
  std::string fields = CommandHelp(rpc);
  if (const size_t blank = fields.find("\n\n"); blank != std::string::npos) fields.erase(0, blank + 2);
  return absl::StrCat("Usage: salesctl [GLOBAL FLAGS] ", view.name, " [--field=value ...]\n\n", view.summary,
                      "\nThe same call as '", rpc.name,
                      "', printed as a table (--json: the reply as JSON).\n\n", "Flags of '", view.name,
                      "' besides the request's fields:\n", kViewFlags, view.extra,
                      "  Timestamp fields also take a date (2026-11-01 = 00:00 UTC).\n\n", fields);
}

}  // namespace

const std::vector<ViewCommand>& ViewCommands() {
  static const std::vector<ViewCommand>* const kCommands = new std::vector<ViewCommand>{
      {"pipeline", "views.get-pipeline",
       "The stage funnel: open leads, value and weighted value per currency, time in stage, conversions, win "
       "rate.",
       ""},
      {"leads", "views.list-leads",
       "Leads by stage, owner, assignee or staleness (--stale-for=72h), a page at a time.", ""},
      {"workload", "views.get-workload",
       "Open work per member (load against capacity, oldest item, SLA overdue) and per role.", ""},
      {"review", "views.get-performance-review",
       "One member's performance review for a period, per role, with its score.",
       "  --member=ID            member_id (default: yourself)\n"
       "  --policy=N             policy_version (default: the policy in force at the period end)\n"
       "  default period         the last complete UTC month\n",
       /*default_period=*/true},
      {"reviews", "views.list-performance-reviews", "Every member of a role ranked by review score.",
       "  --policy=N             policy_version\n"
       "  default period, role   the last complete UTC month, SALES_REP\n",
       /*default_period=*/true, /*default_role=*/true},
      {"compare", "views.compare-reviews",
       "Two scoring policies side by side: both scores, both ranks, rank change (--policy-a=1 --policy-b=2).",
       "  default period, role   the last complete UTC month, SALES_REP\n", /*default_period=*/true,
       /*default_role=*/true},
      {"analysis", "views.get-sales-analysis",
       "Sales figures of a period by owner, source, month, product or account: leads, win rate, won value, "
       "cycle time, repeat and referral wins, stage times, loss reasons, trend.",
       "  --group-by=owner|source|month|product|account  group_by (default: owner)\n"
       "  default period         the last complete UTC month\n",
       /*default_period=*/true},
      {"satisfaction", "views.get-satisfaction-analysis",
       "Survey scores of a period per after-sales member, sales owner, month or account, with the trend.",
       "  --group-by=after_sales_member|sales_owner|month|account  group_by (default: after_sales_member)\n"
       "  default period         the last complete UTC month\n",
       /*default_period=*/true},
      {"account", "views.get-account",
       "A customer account: leads, wins and won value, time since the last purchase, orders, tickets, "
       "satisfaction trend, referrals, latest leads (--account-id=ID).",
       ""},
  };
  return *kCommands;
}

const ViewCommand* FindViewCommand(absl::string_view name) {
  for (const ViewCommand& command : ViewCommands()) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string ViewCommandsHelp() {
  std::string out = "\nViews as tables (any command's fields, plus --as-of=POSITION|TIME):\n";
  size_t width = 0;
  for (const ViewCommand& c : ViewCommands()) width = std::max(width, c.name.size());
  for (const ViewCommand& c : ViewCommands()) {
    absl::StrAppend(&out, "    ", PadToWidth(c.name, width), "  ", c.summary, "\n");
  }
  return out;
}

absl::StatusOr<RequestArgs> BuildViewRequest(const ViewCommand& command, const std::vector<std::string>& args,
                                             absl::Time now, pb::Message* request, GlobalOptions* globals) {
  absl::StatusOr<std::vector<std::string>> rewritten = RewriteSugar(*request->GetDescriptor(), args);
  if (!rewritten.ok()) return rewritten.status();
  absl::StatusOr<RequestArgs> parsed = ApplyRequestArgs(*rewritten, request, globals);
  if (!parsed.ok() || parsed->help) return parsed;

  const pb::Descriptor& type = *request->GetDescriptor();
  const pb::Reflection& reflection = *request->GetReflection();
  if (command.default_period && !HasField(*request, "period") && !HasField(*request, "from") &&
      !HasField(*request, "to")) {
    // The last complete month: on the 2nd, the current one holds a day.
    const absl::CivilMonth this_month(absl::ToCivilSecond(now, absl::UTCTimeZone()));
    reflection.SetString(request, type.FindFieldByName("period"), absl::FormatCivilTime(this_month - 1).substr(0, 7));
  }
  if (command.default_role && !HasField(*request, "role")) {
    reflection.SetEnumValue(request, type.FindFieldByName("role"), v1::ROLE_SALES_REP);
  }
  return parsed;
}

std::string RenderView(const pb::Message& reply) {
  // Copy into the generated type: the reply may come from a dynamic factory.
  const pb::Descriptor* type = reply.GetDescriptor();
  const auto render = [&reply]<typename T>(std::string (*renderer)(const T&)) {
    T typed;
    typed.CopyFrom(reply);
    return renderer(typed);
  };
  if (type == v1::Pipeline::descriptor()) return render(&RenderPipeline);
  if (type == v1::ListLeadsResponse::descriptor()) return render(&RenderLeadList);
  if (type == v1::Workload::descriptor()) return render(&RenderWorkload);
  if (type == v1::PerformanceReview::descriptor()) return render(&RenderReview);
  if (type == v1::ListPerformanceReviewsResponse::descriptor()) return render(&RenderReviewRanking);
  if (type == v1::CompareReviewsResponse::descriptor()) return render(&RenderReviewComparison);
  if (type == v1::SalesAnalysis::descriptor()) return render(&RenderSalesAnalysis);
  if (type == v1::SatisfactionAnalysis::descriptor()) return render(&RenderSatisfactionAnalysis);
  if (type == v1::Account::descriptor()) return render(&RenderAccount);
  return FormatReadable(reply);
}

int RunViewCommand(const ViewCommand& command, const CommandLine& line, absl::Time now, RpcClient& rpc,
                   std::ostream& out, std::ostream& err) {
  absl::StatusOr<const Command*> found = FindCommand(command.rpc);
  if (!found.ok()) {  // the proto lost the method: a build problem, not the user's
    err << "salesctl: " << found.status().message() << "\n";
    return kExitInternal;
  }
  const Command& rpc_command = **found;
  if (line.help) {
    out << ViewCommandHelp(command, rpc_command);
    return kExitOk;
  }
  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(rpc_command.method->input_type())->New());
  GlobalOptions globals = line.globals;
  absl::StatusOr<RequestArgs> parsed =
      BuildViewRequest(command, line.command_args, now, request.get(), &globals);
  const std::string hint = absl::StrCat("Run 'salesctl ", command.name, " --help' for its flags.");
  if (!parsed.ok()) return UsageError(err, parsed.status(), hint);
  if (parsed->help) {
    out << ViewCommandHelp(command, rpc_command);
    return kExitOk;
  }

  std::string text;
  absl::Status print_status;
  bool no_policy = false;  // a review computed under no scoring policy
  const grpc::Status status = rpc.Call(globals, rpc_command, *request, [&](const pb::Message& reply) {
    if (!globals.json) {
      text = RenderView(reply);
      no_policy = NoScoringPolicy(reply);
      return;
    }
    absl::StatusOr<std::string> json = FormatJson(reply);
    if (json.ok()) {
      text = *std::move(json);
    } else {
      print_status = json.status();
    }
  });
  if (!status.ok()) {
    err << FormatGrpcError(status) << "\n";
    return ExitCodeForGrpcError(status);
  }
  if (!print_status.ok()) {
    err << "salesctl: " << print_status.message() << "\n";
    return kExitInternal;
  }
  if (no_policy) absl::StrAppend(&text, "\n", PolicyAdvice(globals, rpc));
  out << text;
  out.flush();
  return kExitOk;
}

}  // namespace salesctl
