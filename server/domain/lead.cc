#include "server/domain/lead.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/common/status_macros.h"
#include "server/domain/errors.h"
#include "server/domain/events.h"
#include "server/domain/lead_details.h"
#include "server/domain/proto_time.h"

namespace salesops::domain {
namespace {

using C = v1::LeadCommand;
using v1::Stage;

constexpr Stage kIdentified = v1::STAGE_IDENTIFIED;
constexpr Stage kQualified = v1::STAGE_QUALIFIED;
constexpr Stage kNeeds = v1::STAGE_NEEDS_ANALYZED;
constexpr Stage kProposed = v1::STAGE_SOLUTION_PROPOSED;
constexpr Stage kQuoted = v1::STAGE_QUOTED;
constexpr Stage kNegotiating = v1::STAGE_NEGOTIATING;
constexpr Stage kWon = v1::STAGE_WON;
constexpr Stage kLost = v1::STAGE_LOST;
constexpr Stage kDisqualified = v1::STAGE_DISQUALIFIED;

v1::StageTransition Transition(Stage from, Stage to) {
  v1::StageTransition t;
  t.set_from_stage(from);
  t.set_to_stage(to);
  return t;
}

std::string StageList(const std::vector<Stage>& stages) {
  return absl::StrJoin(stages, ", ",
                       [](std::string* out, Stage s) { absl::StrAppend(out, StageName(s)); });
}

// Builds the one event a command produces, given the checked state.
v1::Event MakeEvent(const LeadState& state, const C& command, const std::string& lead_id,
                    const DecideContext& context) {
  v1::Event event;
  const Stage from = state.stage;
  switch (command.command_case()) {
    case C::kIdentify: {
      const auto& c = command.identify();
      auto* e = event.mutable_lead_identified();
      e->set_lead_id(lead_id);
      e->set_company(c.company());
      *e->mutable_contact() = c.contact();
      e->set_source(c.source());
      if (c.has_estimated_value()) *e->mutable_estimated_value() = c.estimated_value();
      e->set_owner(c.owner().empty() ? context.actor : c.owner());
      *e->mutable_transition() = Transition(v1::STAGE_UNSPECIFIED, kIdentified);
      e->set_account_id(c.account_id());  // as the entry resolved it (ResolveAccount)
      e->set_referred_by_account_id(c.referred_by_account_id());
      break;
    }
    case C::kQualify: {
      const auto& c = command.qualify();
      auto* e = event.mutable_lead_qualified();
      if (c.has_budget()) *e->mutable_budget() = c.budget();
      e->set_authority(c.authority());
      e->set_need(c.need());
      e->set_timeline(c.timeline());
      e->set_score(c.score());
      *e->mutable_transition() = Transition(from, kQualified);
      break;
    }
    case C::kDisqualify: {
      auto* e = event.mutable_lead_disqualified();
      e->set_reason(command.disqualify().reason());
      *e->mutable_transition() = Transition(from, kDisqualified);
      break;
    }
    case C::kRecordNeeds: {
      auto* e = event.mutable_needs_recorded();
      e->set_requirements(command.record_needs().requirements());
      *e->mutable_transition() = Transition(from, kNeeds);
      break;
    }
    case C::kProposeSolution: {
      const auto& c = command.propose_solution();
      auto* e = event.mutable_solution_proposed();
      e->set_summary(c.summary());
      *e->mutable_products() = c.products();
      *e->mutable_value() = c.value();
      *e->mutable_transition() = Transition(from, kProposed);
      break;
    }
    case C::kSendQuote: {
      const auto& c = command.send_quote();
      auto* e = event.mutable_quote_sent();
      e->set_quote_id(c.quote_id());
      *e->mutable_amount() = c.amount();
      e->set_valid_until(c.valid_until());
      e->set_discount_basis_points(c.discount_basis_points());
      e->set_revision(state.quote_revisions + 1);
      *e->mutable_transition() = Transition(from, kQuoted);
      break;
    }
    case C::kStartNegotiation: {
      auto* e = event.mutable_negotiation_started();
      e->set_note(command.start_negotiation().note());
      *e->mutable_transition() = Transition(from, kNegotiating);
      break;
    }
    case C::kWinDeal: {
      const auto& c = command.win_deal();
      auto* e = event.mutable_deal_won();
      *e->mutable_final_amount() = c.final_amount();
      e->set_signed_date(c.signed_date());
      *e->mutable_transition() = Transition(from, kWon);
      break;
    }
    case C::kLoseDeal: {
      const auto& c = command.lose_deal();
      auto* e = event.mutable_deal_lost();
      e->set_reason(c.reason());
      e->set_competitor(c.competitor());
      e->set_note(c.note());
      *e->mutable_transition() = Transition(from, kLost);
      break;
    }
    case C::kReopen: {
      auto* e = event.mutable_lead_reopened();
      e->set_reason(command.reopen().reason());
      *e->mutable_transition() = Transition(from, state.closed_from);
      break;
    }
    case C::kUpdate: {
      const auto& c = command.update();
      auto* e = event.mutable_lead_updated();
      if (c.has_contact()) {
        *e->mutable_contact() = c.contact();
        e->add_changed_fields("contact");
      }
      if (c.has_estimated_value()) {
        *e->mutable_estimated_value() = c.estimated_value();
        e->add_changed_fields("estimated_value");
      }
      if (c.source() != v1::LEAD_SOURCE_UNSPECIFIED) {
        e->set_source(c.source());
        e->add_changed_fields("source");
      }
      break;
    }
    case C::kAssign: {
      const auto& c = command.assign();
      auto* e = event.mutable_lead_assigned();
      e->set_assignee(c.assignee());
      e->set_role(state.awaiting_role);
      e->set_previous_assignee(state.assignee.str());
      e->set_reason(c.reason());
      e->set_manual(true);
      break;
    }
    case C::kChangeOwner: {
      const auto& c = command.change_owner();
      auto* e = event.mutable_owner_changed();
      e->set_owner(c.owner());
      e->set_previous_owner(state.owner.str());
      e->set_reason(c.reason());
      break;
    }
    case C::COMMAND_NOT_SET:
      break;
  }
  return event;
}

}  // namespace

LeadState::LeadState() = default;
LeadState::~LeadState() = default;
LeadState::LeadState(LeadState&&) noexcept = default;
LeadState& LeadState::operator=(LeadState&&) noexcept = default;

LeadState LeadState::WithoutDetails() const {
  LeadState copy;
  copy.version = version;
  copy.last_occurred_at = last_occurred_at;
  copy.owner = owner;
  copy.assignee = assignee;
  copy.stage = stage;
  copy.closed_from = closed_from;
  copy.awaiting_role = awaiting_role;
  copy.quote_revisions = quote_revisions;
  copy.exists = exists;
  copy.survey_recorded = survey_recorded;
  return copy;
}

LeadState::LeadState(const LeadState& other) : LeadState(other.WithoutDetails()) {
  if (other.details != nullptr) details = std::make_unique<LeadDetails>(*other.details);
}

LeadState& LeadState::operator=(const LeadState& other) {
  if (this != &other) *this = LeadState(other);
  return *this;
}

bool LeadState::operator==(const LeadState& other) const {
  const bool same_details = details == nullptr || other.details == nullptr
                                ? details == other.details
                                : *details == *other.details;
  return version == other.version && last_occurred_at == other.last_occurred_at && owner == other.owner &&
         assignee == other.assignee && stage == other.stage && closed_from == other.closed_from &&
         awaiting_role == other.awaiting_role && quote_revisions == other.quote_revisions && exists == other.exists &&
         survey_recorded == other.survey_recorded && same_details;
}

const std::vector<LeadRule>& LeadRules() {
  static const std::vector<LeadRule>* const rules = new std::vector<LeadRule>{
      {C::kIdentify, "IdentifyLead", {}},
      {C::kQualify, "QualifyLead", {kIdentified}},
      {C::kDisqualify, "DisqualifyLead", {kIdentified, kQualified}},
      {C::kRecordNeeds, "RecordNeeds", {kQualified, kNeeds}},
      {C::kProposeSolution, "ProposeSolution", {kNeeds, kProposed}},
      {C::kSendQuote, "SendQuote", {kProposed, kQuoted, kNegotiating}},
      {C::kStartNegotiation, "StartNegotiation", {kQuoted}},
      {C::kWinDeal, "WinDeal", {kQuoted, kNegotiating}},
      {C::kLoseDeal, "LoseDeal", {kQualified, kNeeds, kProposed, kQuoted, kNegotiating}},
      {C::kReopen, "ReopenLead", {kLost, kDisqualified}},
      {C::kUpdate, "UpdateLead", {kIdentified, kQualified, kNeeds, kProposed, kQuoted, kNegotiating}},
      {C::kAssign, "AssignLead", {kIdentified, kQualified, kNeeds, kProposed, kQuoted, kNegotiating}},
      {C::kChangeOwner,
       "ChangeOwner",
       {kIdentified, kQualified, kNeeds, kProposed, kQuoted, kNegotiating, kWon, kLost, kDisqualified}},
  };
  return *rules;
}

const LeadRule& RuleFor(v1::LeadCommand::CommandCase command) {
  for (const LeadRule& rule : LeadRules()) {
    if (rule.command == command) return rule;
  }
  static const LeadRule* const none = new LeadRule{C::COMMAND_NOT_SET, "(none)", {}};
  return *none;
}

bool IsOpenStage(v1::Stage stage) {
  return stage >= kIdentified && stage <= kNegotiating;
}

int FunnelIndex(v1::Stage stage) {
  return stage >= kIdentified && stage <= v1::STAGE_WON ? static_cast<int>(stage) : 0;
}

absl::string_view LeadIdOf(const v1::LeadCommand& command) {
  switch (command.command_case()) {
    case C::kIdentify: return command.identify().lead_id();
    case C::kQualify: return command.qualify().lead_id();
    case C::kDisqualify: return command.disqualify().lead_id();
    case C::kRecordNeeds: return command.record_needs().lead_id();
    case C::kProposeSolution: return command.propose_solution().lead_id();
    case C::kSendQuote: return command.send_quote().lead_id();
    case C::kStartNegotiation: return command.start_negotiation().lead_id();
    case C::kWinDeal: return command.win_deal().lead_id();
    case C::kLoseDeal: return command.lose_deal().lead_id();
    case C::kReopen: return command.reopen().lead_id();
    case C::kUpdate: return command.update().lead_id();
    case C::kAssign: return command.assign().lead_id();
    case C::kChangeOwner: return command.change_owner().lead_id();
    case C::COMMAND_NOT_SET: break;
  }
  return {};
}

const v1::CommandOptions& OptionsOf(const v1::LeadCommand& command) {
  switch (command.command_case()) {
    case C::kIdentify: return command.identify().options();
    case C::kQualify: return command.qualify().options();
    case C::kDisqualify: return command.disqualify().options();
    case C::kRecordNeeds: return command.record_needs().options();
    case C::kProposeSolution: return command.propose_solution().options();
    case C::kSendQuote: return command.send_quote().options();
    case C::kStartNegotiation: return command.start_negotiation().options();
    case C::kWinDeal: return command.win_deal().options();
    case C::kLoseDeal: return command.lose_deal().options();
    case C::kReopen: return command.reopen().options();
    case C::kUpdate: return command.update().options();
    case C::kAssign: return command.assign().options();
    case C::kChangeOwner: return command.change_owner().options();
    case C::COMMAND_NOT_SET: break;
  }
  return v1::CommandOptions::default_instance();
}

absl::StatusOr<Decision> DecideLead(const LeadState& state, const v1::LeadCommand& command,
                                    const DecideContext& context) {
  const v1::CommandOptions& options = OptionsOf(command);
  const LeadRule& rule = RuleFor(command.command_case());
  const bool creates = command.command_case() == C::kIdentify;

  Decision decision;
  decision.lead_id = std::string(LeadIdOf(command));
  if (creates && decision.lead_id.empty()) decision.lead_id = context.new_lead_id;
  decision.occurred_at = options.has_occurred_at() ? FromProtoTime(options.occurred_at()) : context.now;
  if (decision.occurred_at > context.now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.occurred_at: must not be in the future (server time ",
        absl::FormatTime(absl::RFC3339_sec, context.now, absl::UTCTimeZone()), ")"));
  }

  if (decision.occurred_at < state.last_occurred_at) {
    return absl::InvalidArgumentError(absl::StrCat(
        "options.occurred_at: must not be before the lead's previous event (",
        absl::FormatTime(absl::RFC3339_full, state.last_occurred_at, absl::UTCTimeZone()), ")"));
  }

  if (creates && state.exists) {
    return errors::AlreadyExists("lead", decision.lead_id,
                                 absl::StrCat("lead '", decision.lead_id, "' already exists"));
  }
  if (!creates && !state.exists) {
    return errors::NotFound("lead", decision.lead_id, absl::StrCat("lead '", decision.lead_id, "' not found"));
  }
  if (options.has_expected_version() && options.expected_version() != state.version) {
    return errors::VersionConflict("lead", decision.lead_id, state.version, options.expected_version());
  }
  if (!creates && std::find(rule.allowed_from.begin(), rule.allowed_from.end(), state.stage) ==
                      rule.allowed_from.end()) {
    return errors::NotAllowedIn(errors::kStageNotAllowed, "lead", decision.lead_id, "STAGE", "stage",
                                StageName(state.stage), rule.action,
                                absl::StrCat("lead '", decision.lead_id, "' is in stage ", StageName(state.stage),
                                             "; ", rule.action, " is allowed only from ",
                                             StageList(rule.allowed_from)));
  }

  decision.events.push_back(MakeEvent(state, command, decision.lead_id, context));
  return decision;
}

void EvolveLead(LeadState& state, const v1::EventEnvelope& envelope) {
  const v1::Event& event = envelope.event();
  state.exists = true;
  state.version = envelope.stream_version();
  state.last_occurred_at = FromProtoTime(envelope.occurred_at());
  if (event.has_quote_sent()) state.quote_revisions = event.quote_sent().revision();
  if (event.has_lead_identified()) state.owner = event.lead_identified().owner();
  if (event.has_owner_changed()) state.owner = event.owner_changed().owner();
  if (event.has_survey_recorded()) state.survey_recorded = true;
  if (event.has_lead_assigned()) {
    state.assignee = event.lead_assigned().assignee();
    state.awaiting_role = event.lead_assigned().role();
  }
  if (const std::optional<v1::StageTransition> t = TransitionOf(event)) {
    state.stage = t->to_stage();
    state.closed_from = (t->to_stage() == kLost || t->to_stage() == kDisqualified)
                            ? t->from_stage()
                            : v1::STAGE_UNSPECIFIED;
    if (!IsOpenStage(t->to_stage())) {
      // Nobody acts next on a closed lead (a won deal's work moves to its order).
      state.assignee.clear();
      state.awaiting_role = v1::ROLE_UNSPECIFIED;
    }
  }
}

}  // namespace salesops::domain
