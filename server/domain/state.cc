#include "server/domain/state.h"

namespace salesops::domain {

const LeadState& State::Lead(absl::string_view lead_id) const {
  static const LeadState* const kNone = new LeadState();
  auto it = leads.find(lead_id);
  return it == leads.end() ? *kNone : it->second;
}

const v1::Order& State::Order(absl::string_view order_id) const {
  auto it = orders.find(order_id);
  return it == orders.end() ? v1::Order::default_instance() : it->second;
}

const v1::Ticket& State::Ticket(absl::string_view ticket_id) const {
  auto it = tickets.find(ticket_id);
  return it == tickets.end() ? v1::Ticket::default_instance() : it->second;
}

bool NeedsNewTicketId(const v1::Command& command) {
  return command.has_support() && command.support().has_open() && command.support().open().ticket_id().empty();
}

v1::CommandOptions* MutableOptionsOf(v1::Command& command) {
  // Command -> the aggregate's command (LeadCommand, TeamCommand) -> the
  // request in its oneof -> its "options" field.
  google::protobuf::Message* message = &command;
  for (int depth = 0; depth < 2; ++depth) {
    const google::protobuf::Reflection* r = message->GetReflection();
    const google::protobuf::OneofDescriptor* oneof = message->GetDescriptor()->oneof_decl(0);
    const google::protobuf::FieldDescriptor* set = r->GetOneofFieldDescriptor(*message, oneof);
    if (set == nullptr) return nullptr;
    message = r->MutableMessage(message, set);
  }
  const google::protobuf::FieldDescriptor* options = message->GetDescriptor()->FindFieldByName("options");
  if (options == nullptr) return nullptr;
  return static_cast<v1::CommandOptions*>(message->GetReflection()->MutableMessage(message, options));
}

bool NeedsNewLeadId(const v1::Command& command) {
  return command.has_lead() && command.lead().has_identify() && command.lead().identify().lead_id().empty();
}

}  // namespace salesops::domain
