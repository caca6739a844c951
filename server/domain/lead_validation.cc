// ValidateLeadCommand: the field rules of every lead command (docs/API.md).
#include "absl/strings/str_cat.h"
#include "server/domain/errors.h"
#include "server/domain/lead.h"
#include "server/domain/validation.h"

namespace salesops::domain {
namespace {

absl::Status Required(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": is required"));
}

absl::Status RequiredMoney(absl::string_view field, bool has, const v1::Money& money) {
  if (!has) return Required(field);
  return ValidateMoney(field, money);
}

absl::Status OptionalMoney(absl::string_view field, bool has, const v1::Money& money) {
  return has ? ValidateMoney(field, money) : absl::OkStatus();
}

absl::Status ValidateLeadId(absl::string_view id) { return ValidateId("lead_id", id); }

}  // namespace

absl::Status ValidateLeadCommand(const v1::LeadCommand& command) {
  if (command.command_case() == v1::LeadCommand::COMMAND_NOT_SET) {
    return absl::InvalidArgumentError("command: is required");
  }
  // Every field violation at once (errors::FieldViolations).
  errors::FieldViolations v;
  v.Add(ValidateCommandOptions(OptionsOf(command)));

  const TextKind kMulti = TextKind::kMultiLine;
  switch (command.command_case()) {
    case v1::LeadCommand::kIdentify: {
      const auto& c = command.identify();
      if (!c.lead_id().empty()) v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("company", c.company(), 1, kMaxNameChars));
      v.Add(c.has_contact() ? ValidateContact("contact", c.contact()) : Required("contact"));
      if (c.source() == v1::LEAD_SOURCE_UNSPECIFIED || !v1::LeadSource_IsValid(c.source())) {
        v.Add(absl::InvalidArgumentError(
            "source: is required (market_research, data_analysis, social_network, referral, "
            "inbound, event, other)"));
      }
      v.Add(OptionalMoney("estimated_value", c.has_estimated_value(), c.estimated_value()));
      if (!c.owner().empty()) v.Add(ValidateId("owner", c.owner()));
      if (!c.account_id().empty()) v.Add(ValidateId("account_id", c.account_id()));
      if (!c.referred_by_account_id().empty()) {
        v.Add(ValidateId("referred_by_account_id", c.referred_by_account_id()));
        if (c.source() != v1::LEAD_SOURCE_REFERRAL) {
          v.Add(absl::InvalidArgumentError("referred_by_account_id: only for source referral"));
        }
      }
      break;
    }
    case v1::LeadCommand::kQualify: {
      const auto& c = command.qualify();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(OptionalMoney("budget", c.has_budget(), c.budget()));
      v.Add(ValidateText("authority", c.authority(), 0, kMaxShortTextChars, kMulti));
      v.Add(ValidateText("need", c.need(), 0, kMaxTextChars, kMulti));
      v.Add(ValidateText("timeline", c.timeline(), 0, kMaxShortTextChars, kMulti));
      if (c.score() < 0 || c.score() > 100) {
        v.Add(absl::InvalidArgumentError("score: must be between 0 and 100"));
      }
      break;
    }
    case v1::LeadCommand::kDisqualify: {
      const auto& c = command.disqualify();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("reason", c.reason(), 1, kMaxTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kRecordNeeds: {
      const auto& c = command.record_needs();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("requirements", c.requirements(), 1, kMaxTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kProposeSolution: {
      const auto& c = command.propose_solution();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("summary", c.summary(), 1, kMaxTextChars, kMulti));
      if (static_cast<size_t>(c.products_size()) > kMaxProducts) {
        v.Add(absl::InvalidArgumentError(
            absl::StrCat("products: at most ", kMaxProducts, " items (got ", c.products_size(), ")")));
      }
      for (int i = 0; i < c.products_size(); ++i) {
        v.Add(ValidateText(absl::StrCat("products[", i, "]"), c.products(i), 1, kMaxNameChars));
      }
      v.Add(RequiredMoney("value", c.has_value(), c.value()));
      break;
    }
    case v1::LeadCommand::kSendQuote: {
      const auto& c = command.send_quote();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateId("quote_id", c.quote_id(), /*allow_dot=*/true));
      v.Add(RequiredMoney("amount", c.has_amount(), c.amount()));
      v.Add(ValidateDate("valid_until", c.valid_until()));
      if (c.discount_basis_points() > 10000) {
        v.Add(absl::InvalidArgumentError(
            "discount_basis_points: must be between 0 and 10000 (100.00 %)"));
      }
      break;
    }
    case v1::LeadCommand::kStartNegotiation: {
      const auto& c = command.start_negotiation();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("note", c.note(), 0, kMaxTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kWinDeal: {
      const auto& c = command.win_deal();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(RequiredMoney("final_amount", c.has_final_amount(), c.final_amount()));
      v.Add(ValidateDate("signed_date", c.signed_date()));
      break;
    }
    case v1::LeadCommand::kLoseDeal: {
      const auto& c = command.lose_deal();
      v.Add(ValidateLeadId(c.lead_id()));
      if (c.reason() == v1::LOSS_REASON_UNSPECIFIED || !v1::LossReason_IsValid(c.reason())) {
        v.Add(absl::InvalidArgumentError(
            "reason: is required (price, competitor, no_budget, no_decision, timing, other)"));
      }
      v.Add(ValidateText("competitor", c.competitor(), c.reason() == v1::LOSS_REASON_COMPETITOR ? 1 : 0,
                         kMaxNameChars));
      v.Add(ValidateText("note", c.note(), 0, kMaxTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kReopen: {
      const auto& c = command.reopen();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateText("reason", c.reason(), 1, kMaxTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kUpdate: {
      const auto& c = command.update();
      v.Add(ValidateLeadId(c.lead_id()));
      if (!c.has_contact() && !c.has_estimated_value() && c.source() == v1::LEAD_SOURCE_UNSPECIFIED) {
        v.Add(absl::InvalidArgumentError(
            "contact, estimated_value, source: at least one must be set"));
      }
      if (c.has_contact()) v.Add(ValidateContact("contact", c.contact()));
      v.Add(OptionalMoney("estimated_value", c.has_estimated_value(), c.estimated_value()));
      if (!v1::LeadSource_IsValid(c.source())) {
        v.Add(absl::InvalidArgumentError("source: unknown value"));
      }
      break;
    }
    case v1::LeadCommand::kAssign: {
      const auto& c = command.assign();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateId("assignee", c.assignee()));
      v.Add(ValidateText("reason", c.reason(), 1, kMaxShortTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::kChangeOwner: {
      const auto& c = command.change_owner();
      v.Add(ValidateLeadId(c.lead_id()));
      v.Add(ValidateId("owner", c.owner()));
      v.Add(ValidateText("reason", c.reason(), 1, kMaxShortTextChars, kMulti));
      break;
    }
    case v1::LeadCommand::COMMAND_NOT_SET:
      break;
  }
  return std::move(v).Finish();
}

}  // namespace salesops::domain
