#include "lifecycle_plan.h"

namespace salesops::bench {

absl::string_view StepName(Step step) {
  switch (step) {
    case Step::kIdentify: return "IdentifyLead";
    case Step::kQualify: return "QualifyLead";
    case Step::kDisqualify: return "DisqualifyLead";
    case Step::kRecordNeeds: return "RecordNeeds";
    case Step::kProposeSolution: return "ProposeSolution";
    case Step::kSendQuote: return "SendQuote";
    case Step::kStartNegotiation: return "StartNegotiation";
    case Step::kWinDeal: return "WinDeal";
    case Step::kLoseDeal: return "LoseDeal";
    case Step::kConfirmOrder: return "ConfirmOrder";
    case Step::kShipOrder: return "ShipOrder";
    case Step::kDeliverOrder: return "DeliverOrder";
    case Step::kOpenTicket: return "OpenTicket";
    case Step::kResolveTicket: return "ResolveTicket";
    case Step::kRecordSurvey: return "RecordSurvey";
  }
  return "?";
}

v1::Role RoleOf(Step step) {
  switch (step) {
    case Step::kIdentify:
    case Step::kProposeSolution:
    case Step::kSendQuote:
    case Step::kStartNegotiation:
    case Step::kWinDeal:
    case Step::kLoseDeal:
      return v1::ROLE_SALES_REP;
    case Step::kQualify:
    case Step::kDisqualify:
    case Step::kRecordNeeds:
      return v1::ROLE_BD_MANAGER;
    case Step::kConfirmOrder:
    case Step::kShipOrder:
    case Step::kDeliverOrder:
      return v1::ROLE_SALES_SUPPORT;
    case Step::kOpenTicket:
    case Step::kResolveTicket:
    case Step::kRecordSurvey:
      return v1::ROLE_AFTER_SALES;
  }
  return v1::ROLE_UNSPECIFIED;
}

std::vector<Step> JourneyOf(uint64_t n) {
  using S = Step;
  switch (n % 10) {
    case 9:
      return {S::kIdentify, S::kDisqualify};
    case 4:
    case 7:
      return {S::kIdentify,  S::kQualify,          S::kRecordNeeds, S::kProposeSolution,
              S::kSendQuote, S::kStartNegotiation, S::kLoseDeal};
    default:
      return {S::kIdentify,     S::kQualify,   S::kRecordNeeds,    S::kProposeSolution, S::kSendQuote,
              S::kStartNegotiation, S::kWinDeal,  S::kConfirmOrder, S::kShipOrder,       S::kDeliverOrder,
              S::kOpenTicket,   S::kResolveTicket, S::kRecordSurvey};
  }
}

PlannedCommand JourneyCursor::Next(absl::FunctionRef<uint64_t()> new_lead_number) {
  if (lead_exists_ && commands_ % 10 == 9) {
    last_ = {identified_only_ ? Step::kWinDeal : Step::kQualify, true, existing_lead_};
    return last_;
  }
  if (index_ >= steps_.size()) {
    lead_ = new_lead_number();
    steps_ = JourneyOf(lead_);
    index_ = 0;
    identified_only_ = false;
  }
  last_ = {steps_[index_], false, lead_};
  return last_;
}

void JourneyCursor::Completed(bool ok) {
  ++commands_;
  if (last_.refusal) return;
  if (!ok) {
    index_ = steps_.size();  // abandon the lead
    return;
  }
  if (last_.step == Step::kIdentify) {
    lead_exists_ = true;
    existing_lead_ = lead_;
  }
  identified_only_ = last_.step == Step::kIdentify;
  ++index_;
}

}  // namespace salesops::bench
