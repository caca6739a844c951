// The account aggregate's entry in the composition (compose.h): no
// commands; its stream is written by the process step
// kIdentifiedLeadOpensAccount and folded here.
#include "server/domain/account.h"
#include "server/domain/compose.h"

namespace salesops::domain {
namespace {

void EvolveAccountEntry(State& state, absl::string_view id, const v1::EventEnvelope& envelope) {
  EvolveAccount(state.accounts, id, envelope);
}

}  // namespace

const Aggregate kAccountAggregate{
    "account", v1::Command::KIND_NOT_SET, kAccountStreamPrefix, false, nullptr, nullptr,
    nullptr,   EvolveAccountEntry,        nullptr,
};

}  // namespace salesops::domain
