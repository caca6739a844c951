// An in-process salesops for view tests: a real RocksDB store in a temporary
// directory, the sequencer, the Views projection, a fake clock. Commands go
// through the one decide path exactly as the gRPC services send them.
// Header-only; include from tests only.
#ifndef SALESOPS_TESTS_PROJECTIONS_VIEWS_WORLD_H_
#define SALESOPS_TESTS_PROJECTIONS_VIEWS_WORLD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "projections/views.h"
#include "server/common/clock.h"
#include "server/common/ids.h"
#include "server/domain/team.h"
#include "server/engine/sequencer.h"
#include "server/store/event_store.h"
#include "tests/common/testing.h"

namespace salesops::testing {

inline v1::Money Yuan(int64_t amount_minor, const std::string& currency = "CNY") {
  v1::Money m;
  m.set_amount_minor(amount_minor);
  m.set_currency(currency);
  return m;
}

// IdentifyLead of `lead_id` (a Chinese company and contact, inbound) worth
// `value`.
inline v1::LeadCommand IdentifyCommand(const std::string& lead_id, v1::Money value) {
  v1::LeadCommand c;
  c.mutable_identify()->set_lead_id(lead_id);
  c.mutable_identify()->set_company("成都某某科技有限公司");
  c.mutable_identify()->mutable_contact()->set_name("杨帆");
  c.mutable_identify()->set_source(v1::LEAD_SOURCE_INBOUND);
  *c.mutable_identify()->mutable_estimated_value() = std::move(value);
  return c;
}

inline v1::LeadCommand QualifyCommand(const std::string& lead_id, int32_t score) {
  v1::LeadCommand c;
  c.mutable_qualify()->set_lead_id(lead_id);
  c.mutable_qualify()->set_score(score);
  return c;
}

class ViewsWorld {
 public:
  explicit ViewsWorld(absl::Time start) : clock_(start) { Open(); }
  ~ViewsWorld() { Close(); }

  void Open() {
    auto store = store::EventStore::Open({dir_.path() + "/db", true});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    views_ = std::make_unique<projections::Views>();
    auto sequencer = engine::Sequencer::Start(store_.get(), {views_.get()}, &clock_, &ids_);
    ASSERT_TRUE(sequencer.ok()) << sequencer.status();
    sequencer_ = std::move(*sequencer);
  }

  void Close() {
    if (sequencer_) sequencer_->Stop();
    sequencer_.reset();
    views_.reset();
    store_.reset();
  }

  // Runs one command as `actor` and waits for its outcome.
  engine::CommandResult Run(const std::string& actor, v1::Command command) {
    absl::Notification done;
    engine::CommandResult result = absl::UnknownError("not completed");
    sequencer_->Submit(actor, std::move(command), [&](engine::CommandResult r) {
      result = std::move(r);
      done.Notify();
    });
    EXPECT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(60))) << "command never completed";
    return result;
  }
  engine::CommandResult Lead(const std::string& actor, v1::LeadCommand command) {
    v1::Command c;
    *c.mutable_lead() = std::move(command);
    return Run(actor, std::move(c));
  }
  engine::CommandResult Team(const std::string& actor, v1::TeamCommand command) {
    v1::Command c;
    *c.mutable_team() = std::move(command);
    return Run(actor, std::move(c));
  }
  engine::CommandResult Order(const std::string& actor, v1::OrderCommand command) {
    v1::Command c;
    *c.mutable_order() = std::move(command);
    return Run(actor, std::move(c));
  }
  engine::CommandResult Support(const std::string& actor, v1::SupportCommand command) {
    v1::Command c;
    *c.mutable_support() = std::move(command);
    return Run(actor, std::move(c));
  }

  // Bootstraps `admin` and adds members with roles.
  void AddTeam(const std::string& admin, const std::vector<std::pair<std::string, std::vector<v1::Role>>>& members) {
    v1::TeamCommand boot;
    boot.mutable_bootstrap()->set_member_id(admin);
    ASSERT_TRUE(Team(std::string(domain::kSystemActor), boot).ok());
    for (const auto& [id, roles] : members) {
      v1::TeamCommand add;
      add.mutable_add_member()->set_member_id(id);
      add.mutable_add_member()->set_display_name(absl::StrCat("成员 ", id));
      for (v1::Role r : roles) add.mutable_add_member()->add_roles(r);
      engine::CommandResult r = Team(admin, add);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // The lead as the views hold it now.
  v1::Lead ViewOf(const std::string& lead_id) const {
    return views_->Read([&](const projections::ViewsState& s) {
      auto it = s.core.leads.find(lead_id);
      return it == s.core.leads.end() ? v1::Lead() : domain::ToLeadMessage(it->first, it->second);
    });
  }

  FakeClock& clock() { return clock_; }
  projections::Views& views() const { return *views_; }
  const store::EventStore& store() const { return *store_; }

 private:
  TempDir dir_;
  FakeClock clock_;
  SequentialIdGenerator ids_{"gen"};
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<projections::Views> views_;
  std::unique_ptr<engine::Sequencer> sequencer_;
};

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_PROJECTIONS_VIEWS_WORLD_H_
