// ValidateLeadCommand: the field rules of every lead command (docs/API.md).
#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"
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
  SALESOPS_RETURN_IF_ERROR(ValidateCommandOptions(OptionsOf(command)));

  const TextKind kMulti = TextKind::kMultiLine;
  switch (command.command_case()) {
    case v1::LeadCommand::kIdentify: {
      const auto& c = command.identify();
      if (!c.lead_id().empty()) SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(ValidateText("company", c.company(), 1, kMaxNameChars));
      if (!c.has_contact()) return Required("contact");
      SALESOPS_RETURN_IF_ERROR(ValidateContact("contact", c.contact()));
      if (c.source() == v1::LEAD_SOURCE_UNSPECIFIED || !v1::LeadSource_IsValid(c.source())) {
        return absl::InvalidArgumentError(
            "source: is required (market_research, data_analysis, social_network, referral, "
            "inbound, event, other)");
      }
      SALESOPS_RETURN_IF_ERROR(
          OptionalMoney("estimated_value", c.has_estimated_value(), c.estimated_value()));
      if (!c.owner().empty()) SALESOPS_RETURN_IF_ERROR(ValidateId("owner", c.owner()));
      return absl::OkStatus();
    }
    case v1::LeadCommand::kQualify: {
      const auto& c = command.qualify();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(OptionalMoney("budget", c.has_budget(), c.budget()));
      SALESOPS_RETURN_IF_ERROR(ValidateText("authority", c.authority(), 0, kMaxShortTextChars, kMulti));
      SALESOPS_RETURN_IF_ERROR(ValidateText("need", c.need(), 0, kMaxTextChars, kMulti));
      SALESOPS_RETURN_IF_ERROR(ValidateText("timeline", c.timeline(), 0, kMaxShortTextChars, kMulti));
      if (c.score() < 0 || c.score() > 100) {
        return absl::InvalidArgumentError("score: must be between 0 and 100");
      }
      return absl::OkStatus();
    }
    case v1::LeadCommand::kDisqualify: {
      const auto& c = command.disqualify();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      return ValidateText("reason", c.reason(), 1, kMaxTextChars, kMulti);
    }
    case v1::LeadCommand::kRecordNeeds: {
      const auto& c = command.record_needs();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      return ValidateText("requirements", c.requirements(), 1, kMaxTextChars, kMulti);
    }
    case v1::LeadCommand::kProposeSolution: {
      const auto& c = command.propose_solution();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(ValidateText("summary", c.summary(), 1, kMaxTextChars, kMulti));
      if (static_cast<size_t>(c.products_size()) > kMaxProducts) {
        return absl::InvalidArgumentError(
            absl::StrCat("products: at most ", kMaxProducts, " items (got ", c.products_size(), ")"));
      }
      for (int i = 0; i < c.products_size(); ++i) {
        SALESOPS_RETURN_IF_ERROR(
            ValidateText(absl::StrCat("products[", i, "]"), c.products(i), 1, kMaxNameChars));
      }
      return RequiredMoney("value", c.has_value(), c.value());
    }
    case v1::LeadCommand::kSendQuote: {
      const auto& c = command.send_quote();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(ValidateId("quote_id", c.quote_id(), /*allow_dot=*/true));
      SALESOPS_RETURN_IF_ERROR(RequiredMoney("amount", c.has_amount(), c.amount()));
      SALESOPS_RETURN_IF_ERROR(ValidateDate("valid_until", c.valid_until()));
      if (c.discount_basis_points() > 10000) {
        return absl::InvalidArgumentError(
            "discount_basis_points: must be between 0 and 10000 (100.00 %)");
      }
      return absl::OkStatus();
    }
    case v1::LeadCommand::kStartNegotiation: {
      const auto& c = command.start_negotiation();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      return ValidateText("note", c.note(), 0, kMaxTextChars, kMulti);
    }
    case v1::LeadCommand::kWinDeal: {
      const auto& c = command.win_deal();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(RequiredMoney("final_amount", c.has_final_amount(), c.final_amount()));
      return ValidateDate("signed_date", c.signed_date());
    }
    case v1::LeadCommand::kLoseDeal: {
      const auto& c = command.lose_deal();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      if (c.reason() == v1::LOSS_REASON_UNSPECIFIED || !v1::LossReason_IsValid(c.reason())) {
        return absl::InvalidArgumentError(
            "reason: is required (price, competitor, no_budget, no_decision, timing, other)");
      }
      SALESOPS_RETURN_IF_ERROR(ValidateText("competitor", c.competitor(),
                                            c.reason() == v1::LOSS_REASON_COMPETITOR ? 1 : 0,
                                            kMaxNameChars));
      return ValidateText("note", c.note(), 0, kMaxTextChars, kMulti);
    }
    case v1::LeadCommand::kReopen: {
      const auto& c = command.reopen();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      return ValidateText("reason", c.reason(), 1, kMaxTextChars, kMulti);
    }
    case v1::LeadCommand::kUpdate: {
      const auto& c = command.update();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      if (!c.has_contact() && !c.has_estimated_value() && c.source() == v1::LEAD_SOURCE_UNSPECIFIED) {
        return absl::InvalidArgumentError(
            "contact, estimated_value, source: at least one must be set");
      }
      if (c.has_contact()) SALESOPS_RETURN_IF_ERROR(ValidateContact("contact", c.contact()));
      SALESOPS_RETURN_IF_ERROR(
          OptionalMoney("estimated_value", c.has_estimated_value(), c.estimated_value()));
      if (!v1::LeadSource_IsValid(c.source())) {
        return absl::InvalidArgumentError("source: unknown value");
      }
      return absl::OkStatus();
    }
    case v1::LeadCommand::kAssign: {
      const auto& c = command.assign();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(ValidateId("assignee", c.assignee()));
      return ValidateText("reason", c.reason(), 1, kMaxShortTextChars, kMulti);
    }
    case v1::LeadCommand::kChangeOwner: {
      const auto& c = command.change_owner();
      SALESOPS_RETURN_IF_ERROR(ValidateLeadId(c.lead_id()));
      SALESOPS_RETURN_IF_ERROR(ValidateId("owner", c.owner()));
      return ValidateText("reason", c.reason(), 1, kMaxShortTextChars, kMulti);
    }
    case v1::LeadCommand::COMMAND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("command: is required");
}

}  // namespace salesops::domain
