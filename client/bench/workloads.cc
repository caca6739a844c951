#include "workloads.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "steady_plan.h"

namespace salesops::bench {
namespace {

v1::Money Cny(int64_t amount_minor) {
  v1::Money m;
  m.set_amount_minor(amount_minor);
  m.set_currency("CNY");
  return m;
}

std::string DateFromToday(int days) {
  return absl::FormatTime("%Y-%m-%d", absl::Now() + absl::Hours(24 * days), absl::UTCTimeZone());
}

// The outcome of an ordinary command: as expected when it succeeded.
OpOutcome Ordinary(const grpc::Status& status) { return {status.error_code(), status.ok(), 0}; }

}  // namespace

// ---------------------------------------------------------------- shared --

void IdPool::Bound(size_t capacity) {
  absl::MutexLock lock(&mu_);
  capacity_ = std::max<size_t>(capacity, 1);
  if (ids_.size() > capacity_) ids_.erase(ids_.begin(), ids_.end() - static_cast<ptrdiff_t>(capacity_));
  replaced_ = 0;
}

void IdPool::Add(std::string id) {
  absl::MutexLock lock(&mu_);
  if (ids_.size() < capacity_) {
    ids_.push_back(std::move(id));
  } else {
    ids_[replaced_++ % capacity_] = std::move(id);
  }
}

std::string IdPool::Pick(uint64_t r) const {
  absl::ReaderMutexLock lock(&mu_);
  if (ids_.empty()) return "";
  return ids_[r % ids_.size()];
}

size_t IdPool::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return ids_.size();
}

void BenchWorld::SawPosition(uint64_t position) {
  uint64_t seen = head_.load(std::memory_order_relaxed);
  while (position > seen && !head_.compare_exchange_weak(seen, position, std::memory_order_relaxed)) {
  }
}

uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// ------------------------------------------------------------------ ping --

void PingWorkload::Start(int client, OpDone done) {
  const Stubs& stubs = world_.client().ForClient(client);
  CallAsync<v1::PingResponse>(world_.team().admin_token, v1::PingRequest(),
                              SALESOPS_BENCH_ASYNC(stubs.admin.get(), Ping),
                              [done = std::move(done)](const grpc::Status& s, const v1::PingResponse&) mutable {
                                std::move(done)(Ordinary(s));
                              });
}

// ---------------------------------------------------------------- append --

std::string BenchCompany(absl::string_view series, uint64_t n) {
  if (n % 5 == 4) return BenchCompany(series, n / 5);
  return absl::StrCat("华东精密制造 ", series, "-", n, " 号有限公司");
}

v1::IdentifyLeadRequest AppendWorkload::Template(absl::string_view series, uint64_t n) {
  v1::IdentifyLeadRequest request;
  request.set_company(BenchCompany(series, n));
  request.mutable_contact()->set_name("李娜");
  request.mutable_contact()->set_email("lina@example.cn");
  request.mutable_contact()->set_phone("+86 21 5555 0101");
  request.set_source(v1::LEAD_SOURCE_REFERRAL);
  *request.mutable_estimated_value() = Cny(120'000'000);
  return request;
}

void AppendWorkload::Start(int client, OpDone done) {
  const uint64_t call = calls_.fetch_add(1, std::memory_order_relaxed);
  Sent sent{.sender = static_cast<size_t>(client)};
  bool retry = false;
  if (retry_every_ > 0 && call % static_cast<uint64_t>(retry_every_) == 0) {
    absl::MutexLock lock(&mu_);
    if (!acknowledged_.empty()) {
      // The same member re-sends the same request: request ids are per member.
      sent = acknowledged_[NextRandom(random_) % acknowledged_.size()];
      retry = true;
    }
  }
  // Its own id space: the append and retry workloads both create leads.
  if (!retry) {
    sent.n = next_.fetch_add(1, std::memory_order_relaxed);
    sent.id = absl::StrCat(series_, sent.n);
  }
  v1::IdentifyLeadRequest request = Template(series_, sent.n);
  request.set_lead_id(sent.id);
  if (request_ids_ || retry) request.mutable_options()->set_request_id(sent.id);
  const BenchMember& rep = world_.team().Pick(v1::ROLE_SALES_REP, sent.sender);
  const Stubs& stubs = world_.client().ForClient(client);
  CallAsync<v1::LeadCommandReply>(
      rep.token, std::move(request), SALESOPS_BENCH_ASYNC(stubs.leads.get(), IdentifyLead),
      [this, sent = std::move(sent), retry, done = std::move(done)](const grpc::Status& s,
                                                                   const v1::LeadCommandReply& reply) mutable {
        if (s.ok() && !retry) {
          world_.SawPosition(reply.position());
          if (retry_every_ > 0) {
            absl::MutexLock lock(&mu_);
            if (acknowledged_.size() < kMaxRemembered) acknowledged_.push_back(sent);
          }
          world_.leads().Add(std::move(sent.id));
        }
        std::move(done)(Ordinary(s));
      });
}

// ------------------------------------------------------------- lifecycle --

void LifecycleWorkload::Prepare(int clients) {
  cursors_.assign(static_cast<size_t>(clients), JourneyCursor());
  commands_.resize(std::max(commands_.size(), static_cast<size_t>(clients)), 0);
}

std::string LifecycleWorkload::LeadId(uint64_t n) const { return absl::StrCat(world_.tag(), "-l", n); }

void LifecycleWorkload::Start(int client, OpDone done) {
  const PlannedCommand planned = cursors_[static_cast<size_t>(client)].Next(
      [this] { return next_lead_.fetch_add(1, std::memory_order_relaxed); });
  Send(client, planned, std::move(done));
}

template <typename Reply>
CallDone<Reply> LifecycleWorkload::Complete(int client, PlannedCommand planned, OpDone done) {
  return [this, client, planned, done = std::move(done)](const grpc::Status& s, const Reply& reply) mutable {
    OpOutcome outcome = Ordinary(s);
    if (planned.refusal) {
      outcome.as_expected = s.error_code() == grpc::StatusCode::FAILED_PRECONDITION;
    } else if (s.ok()) {
      world_.SawPosition(reply.position());
      if (planned.step == Step::kIdentify) world_.leads().Add(LeadId(planned.lead));
      if (planned.step == Step::kWinDeal) world_.orders().Add(LeadId(planned.lead));
    }
    cursors_[static_cast<size_t>(client)].Completed(s.ok());
    std::move(done)(outcome);
  };
}

const BenchMember& LifecycleSender(const BenchTeam& team, const PlannedCommand& planned, size_t client) {
  // Rep steps come from the lead's owner: the rep that identified it.
  return RoleOf(planned.step) == v1::ROLE_SALES_REP ? team.Pick(v1::ROLE_SALES_REP, planned.lead)
                                                    : team.Pick(RoleOf(planned.step), client);
}

v1::Command LifecycleCommand(absl::string_view tag, const PlannedCommand& planned, std::string request_id) {
  const std::string lead_id = absl::StrCat(tag, "-l", planned.lead);
  const std::string ticket_id = lead_id + "-t";
  v1::Command command;
  switch (planned.step) {
    case Step::kIdentify: {
      v1::IdentifyLeadRequest& r = *command.mutable_lead()->mutable_identify();
      r = AppendWorkload::Template(absl::StrCat(tag, "-l"), planned.lead);
      r.set_lead_id(lead_id);
      r.set_source(v1::LEAD_SOURCE_MARKET_RESEARCH);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kQualify: {
      v1::QualifyLeadRequest& r = *command.mutable_lead()->mutable_qualify();
      r.set_lead_id(lead_id);
      r.set_score(80);
      r.set_need("新的生产管理系统，覆盖三个工厂");
      *r.mutable_budget() = Cny(150'000'000);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kDisqualify: {
      v1::DisqualifyLeadRequest& r = *command.mutable_lead()->mutable_disqualify();
      r.set_lead_id(lead_id);
      r.set_reason("今年没有预算");
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kRecordNeeds: {
      v1::RecordNeedsRequest& r = *command.mutable_lead()->mutable_record_needs();
      r.set_lead_id(lead_id);
      r.set_requirements("300 个席位，私有化部署，与现有 ERP 对接");
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kProposeSolution: {
      v1::ProposeSolutionRequest& r = *command.mutable_lead()->mutable_propose_solution();
      r.set_lead_id(lead_id);
      r.set_summary("企业版 + 实施服务");
      r.add_products("企业版");
      *r.mutable_value() = Cny(118'000'000);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kSendQuote: {
      v1::SendQuoteRequest& r = *command.mutable_lead()->mutable_send_quote();
      r.set_lead_id(lead_id);
      r.set_quote_id(absl::StrCat("Q-", planned.lead));
      *r.mutable_amount() = Cny(115'000'000);
      r.set_valid_until(DateFromToday(30));
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kStartNegotiation: {
      v1::StartNegotiationRequest& r = *command.mutable_lead()->mutable_start_negotiation();
      r.set_lead_id(lead_id);
      r.set_note("客户希望分两期付款");
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kWinDeal: {
      v1::WinDealRequest& r = *command.mutable_lead()->mutable_win_deal();
      r.set_lead_id(lead_id);
      *r.mutable_final_amount() = Cny(112'000'000);
      r.set_signed_date(DateFromToday(0));
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kLoseDeal: {
      v1::LoseDealRequest& r = *command.mutable_lead()->mutable_lose_deal();
      r.set_lead_id(lead_id);
      r.set_reason(v1::LOSS_REASON_PRICE);
      r.set_note("竞品报价低 15%");
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kConfirmOrder: {
      v1::ConfirmOrderRequest& r = *command.mutable_order()->mutable_confirm();
      r.set_order_id(lead_id);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kShipOrder: {
      v1::ShipOrderRequest& r = *command.mutable_order()->mutable_ship();
      r.set_order_id(lead_id);
      r.set_carrier("顺丰速运");
      r.set_tracking_number(absl::StrCat("SF", planned.lead));
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kDeliverOrder: {
      v1::DeliverOrderRequest& r = *command.mutable_order()->mutable_deliver();
      r.set_order_id(lead_id);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kOpenTicket: {
      v1::OpenTicketRequest& r = *command.mutable_support()->mutable_open();
      r.set_ticket_id(ticket_id);
      r.set_lead_id(lead_id);
      r.set_subject("报表导出失败");
      r.set_severity(v1::SEVERITY_P3);
      r.set_channel(v1::CHANNEL_EMAIL);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kResolveTicket: {
      v1::ResolveTicketRequest& r = *command.mutable_support()->mutable_resolve();
      r.set_ticket_id(ticket_id);
      r.set_resolution("升级到 3.2.1 后修复");
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
    case Step::kRecordSurvey: {
      v1::RecordSurveyRequest& r = *command.mutable_support()->mutable_survey();
      r.set_lead_id(lead_id);
      r.set_ticket_id(ticket_id);
      r.set_product_quality(4);
      r.set_service_attitude(5);
      r.set_response_speed(4);
      r.mutable_options()->set_request_id(std::move(request_id));
      break;
    }
  }
  return command;
}

void LifecycleWorkload::Send(int client, const PlannedCommand& planned, OpDone done) {
  const size_t c = static_cast<size_t>(client);
  const std::string& token = LifecycleSender(world_.team(), planned, c).token;
  v1::Command command = LifecycleCommand(world_.tag(), planned,
                                         absl::StrCat(world_.tag(), "-lc", client, "-", commands_[c]++));
  const Stubs& stubs = world_.client().ForClient(client);
  v1::Leads::Stub* leads = stubs.leads.get();
  v1::Orders::Stub* orders = stubs.orders.get();
  v1::Support::Stub* support = stubs.support.get();
  using LeadReply = v1::LeadCommandReply;
  using OrderReply = v1::OrderCommandReply;
  using TicketReply = v1::TicketCommandReply;
  // The command's kind is a oneof: each case reads only its own.
  const auto lead = [&command] { return command.mutable_lead(); };
  const auto order = [&command] { return command.mutable_order(); };
  const auto ticket = [&command] { return command.mutable_support(); };
#define SALESOPS_LIFECYCLE_SEND(Reply, stub, Method, request) \
  CallAsync<Reply>(token, std::move(request), SALESOPS_BENCH_ASYNC(stub, Method), \
                   Complete<Reply>(client, planned, std::move(done)))
  switch (planned.step) {
    case Step::kIdentify: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, IdentifyLead, *lead()->mutable_identify()); return;
    case Step::kQualify: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, QualifyLead, *lead()->mutable_qualify()); return;
    case Step::kDisqualify:
      SALESOPS_LIFECYCLE_SEND(LeadReply, leads, DisqualifyLead, *lead()->mutable_disqualify());
      return;
    case Step::kRecordNeeds: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, RecordNeeds, *lead()->mutable_record_needs()); return;
    case Step::kProposeSolution:
      SALESOPS_LIFECYCLE_SEND(LeadReply, leads, ProposeSolution, *lead()->mutable_propose_solution());
      return;
    case Step::kSendQuote: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, SendQuote, *lead()->mutable_send_quote()); return;
    case Step::kStartNegotiation:
      SALESOPS_LIFECYCLE_SEND(LeadReply, leads, StartNegotiation, *lead()->mutable_start_negotiation());
      return;
    case Step::kWinDeal: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, WinDeal, *lead()->mutable_win_deal()); return;
    case Step::kLoseDeal: SALESOPS_LIFECYCLE_SEND(LeadReply, leads, LoseDeal, *lead()->mutable_lose_deal()); return;
    case Step::kConfirmOrder: SALESOPS_LIFECYCLE_SEND(OrderReply, orders, ConfirmOrder, *order()->mutable_confirm()); return;
    case Step::kShipOrder: SALESOPS_LIFECYCLE_SEND(OrderReply, orders, ShipOrder, *order()->mutable_ship()); return;
    case Step::kDeliverOrder: SALESOPS_LIFECYCLE_SEND(OrderReply, orders, DeliverOrder, *order()->mutable_deliver()); return;
    case Step::kOpenTicket:
      SALESOPS_LIFECYCLE_SEND(TicketReply, support, OpenTicket, *ticket()->mutable_open());
      return;
    case Step::kResolveTicket:
      SALESOPS_LIFECYCLE_SEND(TicketReply, support, ResolveTicket, *ticket()->mutable_resolve());
      return;
    case Step::kRecordSurvey:
      SALESOPS_LIFECYCLE_SEND(TicketReply, support, RecordSurvey, *ticket()->mutable_survey());
      return;
  }
#undef SALESOPS_LIFECYCLE_SEND
}

// ------------------------------------------------------------- contended --

absl::Status ContendedWorkload::Setup() {
  versions_ = std::make_unique<std::atomic<uint64_t>[]>(static_cast<size_t>(hot_leads_));
  const BenchMember& rep = world_.team().Pick(v1::ROLE_SALES_REP, 0);
  for (int i = 0; i < hot_leads_; ++i) {
    v1::IdentifyLeadRequest request = AppendWorkload::Template(absl::StrCat(world_.tag(), "-h"), static_cast<uint64_t>(i));
    request.set_lead_id(absl::StrCat(world_.tag(), "-h", i));
    grpc::ClientContext context;
    PrepareContext(context, rep.token);
    v1::LeadCommandReply reply;
    const grpc::Status s = world_.client().Main().leads->IdentifyLead(&context, request, &reply);
    if (!s.ok()) {
      return absl::UnavailableError(absl::StrCat("contended: cannot create hot lead ", request.lead_id(), ": ",
                                                 StatusCodeName(s.error_code()), " ", s.error_message()));
    }
    world_.SawPosition(reply.position());
    world_.leads().Add(request.lead_id());
    ids_.push_back(request.lead_id());
    versions_[static_cast<size_t>(i)].store(reply.version());
  }
  return absl::OkStatus();
}

void ContendedWorkload::Prepare(int clients) {
  random_.resize(static_cast<size_t>(clients));
  for (size_t i = 0; i < random_.size(); ++i) random_[i] = i * 7919 + 1;
}

void ContendedWorkload::SawVersion(size_t lead, uint64_t version) {
  std::atomic<uint64_t>& v = versions_[lead];
  uint64_t seen = v.load(std::memory_order_relaxed);
  while (version > seen && !v.compare_exchange_weak(seen, version, std::memory_order_relaxed)) {
  }
}

void ContendedWorkload::Start(int client, OpDone done) {
  const size_t lead = NextRandom(random_[static_cast<size_t>(client)]) % ids_.size();
  Attempt(client, lead, 0, std::move(done));
}

void ContendedWorkload::Attempt(int client, size_t lead, int retries, OpDone done) {
  v1::UpdateLeadRequest request;
  request.set_lead_id(ids_[lead]);
  request.mutable_options()->set_expected_version(versions_[lead].load(std::memory_order_relaxed));
  const uint64_t attempt = amount_.fetch_add(1, std::memory_order_relaxed);
  *request.mutable_estimated_value() = Cny(100'000'000 + attempt);
  // Each attempt is a new decision (after a re-read), so a new request id.
  request.mutable_options()->set_request_id(absl::StrCat(world_.tag(), "-u", attempt));
  const BenchMember& bd = world_.team().Pick(v1::ROLE_BD_MANAGER, static_cast<size_t>(client));
  CallAsync<v1::LeadCommandReply>(
      bd.token, std::move(request), SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), UpdateLead),
      [this, client, lead, retries, done = std::move(done)](const grpc::Status& s,
                                                            const v1::LeadCommandReply& reply) mutable {
        if (s.ok()) {
          world_.SawPosition(reply.position());
          SawVersion(lead, reply.version());
          std::move(done)(OpOutcome{grpc::StatusCode::OK, true, retries});
        } else if (s.error_code() == grpc::StatusCode::ABORTED && retries < kMaxRetries) {
          Reread(client, lead, retries + 1, std::move(done));
        } else {
          std::move(done)(OpOutcome{s.error_code(), false, retries});
        }
      });
}

void ContendedWorkload::Reread(int client, size_t lead, int retries, OpDone done) {
  v1::GetLeadRequest request;
  request.set_lead_id(ids_[lead]);
  const BenchMember& bd = world_.team().Pick(v1::ROLE_BD_MANAGER, static_cast<size_t>(client));
  CallAsync<v1::Lead>(bd.token, std::move(request),
                      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), GetLead),
                      [this, client, lead, retries, done = std::move(done)](const grpc::Status& s,
                                                                            const v1::Lead& reply) mutable {
                        if (!s.ok()) {
                          std::move(done)(OpOutcome{s.error_code(), false, retries});
                          return;
                        }
                        SawVersion(lead, reply.version());
                        Attempt(client, lead, retries, std::move(done));
                      });
}

// ----------------------------------------------------------------- query --

QueryWorkload::QueryWorkload(BenchWorld& world) : world_(world) {
  // The read mix. A new read is one line here and one method below.
  kinds_ = {
      {"GetPipeline", 15, &QueryWorkload::GetPipeline},
      {"GetWorkload", 15, &QueryWorkload::GetWorkload},
      {"GetPerformanceReview", 10, &QueryWorkload::GetPerformanceReview},
      {"GetLead", 40, &QueryWorkload::GetLead, &world_.leads()},
      {"GetOrder", 15, &QueryWorkload::GetOrder, &world_.orders()},
      {"ListMembers", 5, &QueryWorkload::ListMembers},
  };
}

void QueryWorkload::Prepare(int clients) {
  active_.clear();
  total_weight_ = 0;
  for (const Kind& kind : kinds_) {
    if (kind.needs != nullptr && kind.needs->size() == 0) continue;
    active_.push_back(kind);
    total_weight_ += kind.weight;
  }
  random_.resize(static_cast<size_t>(clients));
  for (size_t i = 0; i < random_.size(); ++i) random_[i] = i * 104729 + 17;
}

std::string QueryWorkload::MixDescription() const {
  std::vector<std::string> parts;
  for (const Kind& kind : active_) {
    parts.push_back(absl::StrCat(kind.rpc, " ", 100 * kind.weight / std::max(total_weight_, 1), "%"));
  }
  return absl::StrJoin(parts, ", ");
}

void QueryWorkload::Start(int client, OpDone done) {
  int pick = static_cast<int>(NextRandom(random_[static_cast<size_t>(client)]) % static_cast<uint64_t>(total_weight_));
  for (const Kind& kind : active_) {
    if (pick < kind.weight) {
      (this->*kind.start)(client, std::move(done));
      return;
    }
    pick -= kind.weight;
  }
}

const std::string& QueryWorkload::Token(int client) const {
  return world_.team().Pick(v1::ROLE_SALES_MANAGER, static_cast<size_t>(client)).token;
}

void QueryWorkload::GetLead(int client, OpDone done) {
  v1::GetLeadRequest request;
  request.set_lead_id(world_.leads().Pick(NextRandom(random_[static_cast<size_t>(client)])));
  CallAsync<v1::Lead>(Token(client), std::move(request),
                      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), GetLead),
                      [done = std::move(done)](const grpc::Status& s, const v1::Lead&) mutable {
                        std::move(done)(Ordinary(s));
                      });
}

void QueryWorkload::GetOrder(int client, OpDone done) {
  v1::GetOrderRequest request;
  request.set_order_id(world_.orders().Pick(NextRandom(random_[static_cast<size_t>(client)])));
  CallAsync<v1::Order>(Token(client), std::move(request),
                       SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).orders.get(), GetOrder),
                       [done = std::move(done)](const grpc::Status& s, const v1::Order&) mutable {
                         std::move(done)(Ordinary(s));
                       });
}

void QueryWorkload::ListMembers(int client, OpDone done) {
  CallAsync<v1::ListMembersResponse>(
      Token(client), v1::ListMembersRequest(),
      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).team.get(), ListMembers),
      [done = std::move(done)](const grpc::Status& s, const v1::ListMembersResponse&) mutable {
        std::move(done)(Ordinary(s));
      });
}

void QueryWorkload::GetPipeline(int client, OpDone done) {
  CallAsync<v1::Pipeline>(Token(client), v1::GetPipelineRequest(),
                          SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).views.get(), GetPipeline),
                          [done = std::move(done)](const grpc::Status& s, const v1::Pipeline&) mutable {
                            std::move(done)(Ordinary(s));
                          });
}

void QueryWorkload::GetWorkload(int client, OpDone done) {
  CallAsync<v1::Workload>(Token(client), v1::GetWorkloadRequest(),
                          SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).views.get(), GetWorkload),
                          [done = std::move(done)](const grpc::Status& s, const v1::Workload&) mutable {
                            std::move(done)(Ordinary(s));
                          });
}

// A sales rep's review for this month, read by the sales manager.
void QueryWorkload::GetPerformanceReview(int client, OpDone done) {
  v1::GetPerformanceReviewRequest request;
  request.set_member_id(world_.team().Pick(v1::ROLE_SALES_REP, static_cast<size_t>(client)).member_id);
  request.set_period(absl::FormatTime("%Y-%m", absl::Now(), absl::UTCTimeZone()));
  CallAsync<v1::PerformanceReview>(
      Token(client), std::move(request),
      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).views.get(), GetPerformanceReview),
      [done = std::move(done)](const grpc::Status& s, const v1::PerformanceReview&) mutable {
        std::move(done)(Ordinary(s));
      });
}

// ------------------------------------------------------------------- mix --

MixWorkload::MixWorkload(std::vector<Part> parts) : parts_(std::move(parts)) {
  for (const Part& p : parts_) total_weight_ += std::max(p.weight, 1);
}

void MixWorkload::Prepare(int clients) {
  for (const Part& p : parts_) p.workload->Prepare(clients);
}

void MixWorkload::Start(int client, OpDone done) {
  int pick = static_cast<int>(next_.fetch_add(1, std::memory_order_relaxed) % static_cast<uint64_t>(total_weight_));
  for (const Part& p : parts_) {
    if (pick < std::max(p.weight, 1)) {
      p.workload->Start(client, std::move(done));
      return;
    }
    pick -= std::max(p.weight, 1);
  }
}

std::string MixWorkload::Description() const {
  std::vector<std::string> out;
  for (const Part& p : parts_) out.push_back(absl::StrCat(p.name, " ", 100 * std::max(p.weight, 1) / total_weight_, "%"));
  return absl::StrJoin(out, ", ");
}

// ---------------------------------------------------------------- steady --

void SteadyPopulation::Start(int client, OpDone done) {
  const uint64_t i = next_.fetch_add(1, std::memory_order_relaxed);
  const bool first = i < leads_;
  const uint64_t lead = i % leads_;
  const BenchMember& rep = world_.team().Pick(v1::ROLE_SALES_REP, SteadyOwner(lead));
  CallAsync<v1::LeadCommandReply>(
      rep.token, SteadyIdentify(world_.tag(), lead),
      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), IdentifyLead),
      [this, first, lead, done = std::move(done)](const grpc::Status& s, const v1::LeadCommandReply& reply) mutable {
        if (first) {
          if (s.ok()) {
            world_.SawPosition(reply.position());
            world_.leads().Add(SteadyLeadId(world_.tag(), lead));
            created_.fetch_add(1, std::memory_order_relaxed);
          } else {
            failed_.fetch_add(1, std::memory_order_relaxed);
          }
        }
        std::move(done)(Ordinary(s));
      });
}

void SteadyWorkload::Prepare(int clients) { query_.Prepare(clients); }

void SteadyWorkload::Start(int client, OpDone done) {
  const SteadyArrival a = PlanSteadyArrival(next_.fetch_add(1, std::memory_order_relaxed), leads_);
  switch (a.op) {
    case SteadyOp::kRetry:
      Retry(client, a.lead, std::move(done));
      return;
    case SteadyOp::kRefusal:
      Refuse(client, a.lead, std::move(done));
      return;
    case SteadyOp::kQuery:
      query_.Start(client, std::move(done));
      return;
    case SteadyOp::kListLeads:
      ListLeads(client, std::move(done));
      return;
  }
}

void SteadyWorkload::Retry(int client, uint64_t lead, OpDone done) {
  const BenchMember& rep = world_.team().Pick(v1::ROLE_SALES_REP, SteadyOwner(lead));
  CallAsync<v1::LeadCommandReply>(
      rep.token, SteadyIdentify(world_.tag(), lead),
      SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), IdentifyLead),
      [done = std::move(done)](const grpc::Status& s, const v1::LeadCommandReply&) mutable {
        // The reply is the recorded one: its position is the original's, so
        // it is not a head the bench has not seen.
        std::move(done)(Ordinary(s));
      });
}

void SteadyWorkload::Refuse(int client, uint64_t lead, OpDone done) {
  const BenchMember& rep = world_.team().Pick(v1::ROLE_SALES_REP, SteadyOwner(lead));
  v1::WinDealRequest request;
  request.set_lead_id(SteadyLeadId(world_.tag(), lead));
  *request.mutable_final_amount() = Cny(112'000'000);
  request.set_signed_date(DateFromToday(0));
  CallAsync<v1::LeadCommandReply>(
      rep.token, std::move(request), SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).leads.get(), WinDeal),
      [done = std::move(done)](const grpc::Status& s, const v1::LeadCommandReply&) mutable {
        std::move(done)(OpOutcome{s.error_code(), s.error_code() == grpc::StatusCode::FAILED_PRECONDITION, 0});
      });
}

void SteadyWorkload::ListLeads(int client, OpDone done) {
  v1::ListLeadsRequest request;
  request.set_stage(v1::STAGE_IDENTIFIED);
  request.set_page_size(50);
  const std::string& token = world_.team().Pick(v1::ROLE_SALES_MANAGER, static_cast<size_t>(client)).token;
  CallAsync<v1::ListLeadsResponse>(
      token, std::move(request), SALESOPS_BENCH_ASYNC(world_.client().ForClient(client).views.get(), ListLeads),
      [done = std::move(done)](const grpc::Status& s, const v1::ListLeadsResponse&) mutable {
        std::move(done)(Ordinary(s));
      });
}

}  // namespace salesops::bench
