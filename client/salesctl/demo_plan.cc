#include "demo_plan.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "salesops/v1/leads.pb.h"
#include "salesops/v1/coaching.pb.h"
#include "salesops/v1/meetings.pb.h"
#include "salesops/v1/orders.pb.h"
#include "salesops/v1/support.pb.h"
#include "salesops/v1/team.pb.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

// ---------------------------------------------------------------------------
// Randomness. SplitMix64 and our own draws: std::uniform_*_distribution are
// implementation-defined, and the plan must be the same everywhere, because
// a rerun is recognised by its identical requests.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Unit() < p; }
  int Between(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  absl::Duration Hours(double lo, double hi) {
    return absl::Seconds(static_cast<int64_t>((lo + (hi - lo) * Unit()) * 3600));
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Next() % N];
  }
  // An index drawn with the given weights (which need not add up to 1).
  template <typename T, size_t N>
  const T& Weighted(const T (&items)[N]) {
    double total = 0;
    for (const T& item : items) total += item.weight;
    double x = Unit() * total;
    for (const T& item : items) {
      if (x < item.weight) return item;
      x -= item.weight;
    }
    return items[N - 1];
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// The cast. Profiles make the reviews differ: volume against win rate,
// deal size, speed, and how well customers are looked after.
struct Rep {
  const char* id;
  double weight;     // share of the leads
  double win;        // chance to win a deal that reaches the close
  double deal_size;  // multiplier of the estimated value
  double pace;       // multiplier of the time between steps
  double care;       // 0..1: lifts satisfaction scores
  int64_t monthly_target_yuan;
  int quarterly_deals;
};
constexpr Rep kReps[] = {
    {"wang_fang", 22, 0.52, 1.0, 1.0, 0.6, 2'000'000, 12},
    {"li_qiang", 10, 0.58, 2.3, 1.4, 0.5, 2'500'000, 6},
    {"zhang_wei", 26, 0.30, 0.7, 0.8, 0.1, 1'600'000, 14},
    {"liu_yang", 16, 0.70, 1.1, 1.0, 0.95, 2'200'000, 12},
    {"chen_chen", 10, 0.50, 0.8, 0.7, 0.6, 1'000'000, 6},
    {"yang_fan", 16, 0.42, 1.2, 1.3, 0.35, 1'800'000, 10},
};

struct Helper {
  const char* id;
  double weight;
  double quality;  // 0..1: satisfaction, and how fast tickets are resolved
};
constexpr Helper kBdManagers[] = {{"zhao_lei", 42, 0.5}, {"sun_li", 36, 0.5}, {"zhou_jie", 22, 0.5}};
constexpr Helper kSupport[] = {{"huang_min", 55, 0.7}, {"wu_ting", 45, 0.5}};
constexpr Helper kAfterSales[] = {{"xu_ming", 40, 0.75}, {"ma_chao", 35, 0.35}, {"hu_juan", 25, 0.95}};

template <typename T>
struct Choice {
  T value;
  double weight;
};

// ---------------------------------------------------------------------------
// Words.
constexpr const char* kCities[] = {"北京", "上海", "深圳", "杭州", "广州", "成都", "南京",
                                   "苏州", "武汉", "西安", "重庆", "天津", "青岛", "厦门",
                                   "长沙", "合肥", "宁波", "无锡", "郑州", "济南"};
constexpr const char* kBrands[] = {"星辰", "云帆", "华信", "博远", "恒通", "瑞丰", "德润", "汇智",
                                   "启明", "鼎盛", "海纳", "锦程", "天成", "联创", "安捷", "新锐",
                                   "远航", "嘉禾", "盛达", "明辉", "金石", "蓝海", "正泰", "宏图",
                                   "卓越", "信达", "东方", "万象", "华章", "银河"};
constexpr const char* kTrades[] = {"科技", "信息技术", "智能制造", "物流",       "医疗器械",
                                   "电子", "网络科技", "软件",     "新能源",     "生物科技",
                                   "食品", "教育科技", "环保科技", "汽车零部件", "精密机械"};
constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
constexpr const char* kGivenNames[] = {"伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",
                                       "军",   "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",
                                       "超",   "霞",   "平",   "刚",   "建华", "文博", "子涵", "欣怡",
                                       "浩然", "雨桐", "志强", "晓东", "海燕", "春梅"};
constexpr Choice<v1::LeadSource> kSources[] = {{v1::LEAD_SOURCE_REFERRAL, 24},
                                               {v1::LEAD_SOURCE_INBOUND, 22},
                                               {v1::LEAD_SOURCE_EVENT, 16},
                                               {v1::LEAD_SOURCE_SOCIAL_NETWORK, 14},
                                               {v1::LEAD_SOURCE_MARKET_RESEARCH, 10},
                                               {v1::LEAD_SOURCE_DATA_ANALYSIS, 10},
                                               {v1::LEAD_SOURCE_OTHER, 4}};
constexpr const char* kAuthorities[] = {"采购总监拍板", "CIO 决策，财务审批", "总经理决策",
                                        "IT 部门负责人推动", "董事会审批"};
constexpr const char* kNeeds[] = {"销售过程管理", "客户数据统一", "渠道与经销商管理",
                                  "售后工单管理", "报价审批流程", "销售预测与报表"};
constexpr const char* kTimelines[] = {"本季度内上线", "三个月内", "年底前", "明年一季度", "半年内分期实施"};
constexpr const char* kDeployments[] = {"私有化部署", "公有云", "混合云"};
constexpr const char* kIntegrations[] = {"需对接金蝶财务系统", "需对接用友 ERP",   "需对接企业微信",
                                         "需要移动端",         "需要历史数据迁移", "需对接钉钉审批"};
constexpr const char* kEditions[] = {"企业版", "标准版", "专业版"};
constexpr const char* kServices[] = {"实施服务", "培训服务", "数据迁移", "年度维保", "API 集成包"};
constexpr const char* kDisqualifyReasons[] = {"预算不足",         "非目标行业",     "联系人无决策权",
                                              "需求与产品不匹配", "多次联系无回应", "已与竞品签订三年合同"};
constexpr const char* kCompetitors[] = {"纷享销客", "销售易", "用友", "金蝶", "Salesforce"};
constexpr const char* kNegotiationNotes[] = {"客户要求延长付款周期", "讨论实施周期与验收标准",
                                             "客户希望增加培训名额", "法务审核合同条款",
                                             "就折扣幅度反复沟通"};
constexpr const char* kReopenReasons[] = {"客户预算重新批准，重新跟进", "客户更换决策人后重新启动项目",
                                          "竞品实施失败，客户回头"};
struct Carrier {
  const char* name;
  const char* prefix;
};
constexpr Carrier kCarriers[] = {
    {"顺丰速运", "SF"}, {"京东物流", "JD"}, {"中通快递", "ZTO"}, {"德邦物流", "DPK"}};
constexpr const char* kTicketSubjects[] = {
    "登录异常",     "数据导入失败", "报表加载缓慢",       "移动端无法同步", "权限配置咨询",
    "发票信息修改", "接口调用报错", "系统升级后功能异常", "加密狗无法识别", "培训需求"};
constexpr const char* kResolutions[] = {"已远程修复", "已发布补丁", "已指导客户完成配置", "已更换设备",
                                        "已优化查询索引"};
constexpr const char* kTicketReopenReasons[] = {"问题复现", "客户反馈未彻底解决"};
constexpr const char* kSurveyComments[] = {"服务很及时", "产品稳定好用", "希望响应再快一些", "实施顾问很专业",
                                           ""};
constexpr Choice<v1::Severity> kSeverities[] = {
    {v1::SEVERITY_P1, 6}, {v1::SEVERITY_P2, 20}, {v1::SEVERITY_P3, 44}, {v1::SEVERITY_P4, 30}};
constexpr Choice<v1::Channel> kChannels[] = {{v1::CHANNEL_PHONE, 35},
                                             {v1::CHANNEL_EMAIL, 25},
                                             {v1::CHANNEL_CHAT, 30},
                                             {v1::CHANNEL_ONSITE, 7},
                                             {v1::CHANNEL_OTHER, 3}};

const DemoMember& MemberById(absl::string_view id) {
  for (const DemoMember& m : DemoTeam()) {
    if (m.id == id) return m;
  }
  return DemoTeam().front();  // unreachable: every id above is in DemoTeam
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

v1::Money Yuan(int64_t yuan, absl::string_view currency = "CNY") {
  v1::Money m;
  m.set_amount_minor(yuan * 100);
  m.set_currency(std::string(currency));
  return m;
}

// `money` × factor, rounded to whole hundreds of the currency.
v1::Money Scaled(const v1::Money& money, double factor) {
  v1::Money m = money;
  m.set_amount_minor(
      static_cast<int64_t>(std::llround(static_cast<double>(money.amount_minor()) * factor / 10000)) * 10000);
  return m;
}

// The time zone the team works in.
absl::TimeZone Beijing() { return absl::FixedTimeZone(8 * 3600); }

// The first moment at or after `t` inside Beijing office hours (09:00-18:00,
// Monday to Friday), keeping the minutes so that events do not all start on
// the hour.
absl::Time OfficeHours(absl::Time t) {
  const absl::TimeZone tz = Beijing();
  absl::CivilSecond c = absl::ToCivilSecond(t, tz);
  absl::CivilDay day(c);
  int hour = c.hour();
  if (hour < 9) {
    hour = 9;
  } else if (hour >= 18) {
    day += 1;
    hour = 9 + (hour - 18) % 3;
  }
  const absl::Weekday weekday = absl::GetWeekday(day);
  if (weekday == absl::Weekday::saturday) day += 2;
  if (weekday == absl::Weekday::sunday) day += 1;
  const absl::Time moved = absl::FromCivil(
      absl::CivilSecond(day.year(), day.month(), day.day(), hour, c.minute(), c.second()), tz);
  return std::max(moved, t);
}

std::string Date(absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, Beijing()); }

// A business-time clock that may not pass the plan's anchor.
class Timeline {
 public:
  Timeline(absl::Time start, absl::Time limit) : now_(start), limit_(limit) {}
  // Moves on by `step` into office hours; false (and no move) when that
  // would pass the limit: the story ends there, the work still open.
  bool Advance(absl::Duration step) {
    const absl::Time next = OfficeHours(now_ + step);
    if (next > limit_) return false;
    now_ = next;
    return true;
  }
  absl::Time now() const { return now_; }

 private:
  absl::Time now_;
  absl::Time limit_;
};

// Builds one customer's story.
class StoryWriter {
 public:
  // A customer coming back: the same company, a new lead no earlier than
  // `after` (its last purchase), or a new customer referred by the account
  // `referred_by`.
  struct Returning {
    std::string company;      // empty: a new company
    absl::Time after;
    std::string referred_by;  // an account id, or empty
  };

  StoryWriter(const DemoPlanOptions& options, int index, DemoCounts* counts, std::optional<Returning> returning = {})
      : options_(options),
        returning_(std::move(returning)),
        random_(options.seed * 0x100000001B3ULL + static_cast<uint64_t>(index)),
        lead_id_(DemoLeadId(options.seed, index)),
        counts_(counts),
        rep_(random_.Weighted(kReps)),
        bd_(random_.Weighted(kBdManagers)),
        support_(random_.Weighted(kSupport)),
        after_sales_(random_.Weighted(kAfterSales)) {}

  DemoStory Write() {
    story_.lead_id = lead_id_;
    ++counts_->leads;
    // Business grows: more leads lately than four months ago.
    absl::Time start =
        options_.anchor - absl::Hours(6) - (kDemoHistory - absl::Hours(6)) * std::pow(random_.Unit(), 1.25);
    if (returning_.has_value()) {  // some days after the purchase, before today
      start = std::min(returning_->after + random_.Hours(72, 960), options_.anchor - absl::Hours(6));
    }
    const absl::Time in_hours = OfficeHours(start);
    Timeline clock(in_hours <= options_.anchor ? in_hours : start, options_.anchor);
    Identify(clock.now());
    RunFunnel(clock);
    return std::move(story_);
  }

 private:
  enum class Stage {
    kIdentified,
    kQualified,
    kNeeds,
    kProposed,
    kQuoted,
    kNegotiating,
    kWon,
    kLost,
    kDisqualified
  };

  // The next request id of this story: "demo:demo-0042:7".
  std::string NextRequestId() { return absl::StrCat("demo:", lead_id_, ":", ++calls_); }

  // Stamps the options and adds the call. `acting_for` names the member an
  // override is recorded for (empty: the actor's own role allows it).
  template <typename Request>
  void Add(absl::string_view rpc, Request request, absl::Time at, absl::string_view acting_for = "",
           absl::string_view role = "") {
    v1::CommandOptions* o = request.mutable_options();
    o->set_request_id(NextRequestId());
    *o->mutable_occurred_at() = ToProto(at);
    if (!acting_for.empty()) {
      const DemoMember& m = MemberById(acting_for);
      o->set_override_reason(
          absl::StrCat("salesctl demo: backfilled for ", m.display_name, " (", m.id, ") as ", role));
    }
    story_.calls.push_back({std::string(rpc), std::make_unique<Request>(std::move(request))});
    ++counts_->calls;
  }

  void Identify(absl::Time at) {
    v1::IdentifyLeadRequest r;
    r.set_lead_id(lead_id_);
    r.set_company(absl::StrCat(random_.Pick(kCities), random_.Pick(kBrands), random_.Pick(kTrades),
                               random_.Chance(0.2) ? "股份有限公司" : "有限公司"));
    // A returning customer's lead joins its account by the company name
    // (docs/ACCOUNTS.md); a referral names the referring account.
    if (returning_.has_value() && !returning_->company.empty()) r.set_company(returning_->company);
    story_.company = r.company();
    r.mutable_contact()->set_name(absl::StrCat(random_.Pick(kSurnames), random_.Pick(kGivenNames)));
    r.mutable_contact()->set_phone(absl::StrFormat("1%d%d-%04d-%04d", random_.Between(3, 8),
                                                   random_.Between(0, 9), random_.Between(0, 9999),
                                                   random_.Between(0, 9999)));
    r.set_source(random_.Weighted(kSources).value);
    if (returning_.has_value() && !returning_->referred_by.empty()) {
      r.set_source(v1::LEAD_SOURCE_REFERRAL);
      r.set_referred_by_account_id(returning_->referred_by);
    }
    // Deal sizes are spread over two orders of magnitude (log-uniform); a
    // few customers buy in dollars.
    const double spread = std::exp(std::log(30'000.0) + random_.Unit() * std::log(2'500'000.0 / 30'000.0));
    if (random_.Chance(0.08)) {
      estimate_ = Scaled(Yuan(static_cast<int64_t>(spread / 7), "USD"), rep_.deal_size);
    } else {
      estimate_ = Scaled(Yuan(static_cast<int64_t>(spread)), rep_.deal_size);
    }
    if (estimate_.amount_minor() == 0) estimate_.set_amount_minor(10000);
    *r.mutable_estimated_value() = estimate_;
    r.set_owner(rep_.id);
    r.mutable_options()->set_assign_to(bd_.id);
    Add("leads.identify-lead", std::move(r), at);
  }

  void RunFunnel(Timeline& clock) {
    Stage stage = Stage::kIdentified;
    Stage closed_from = Stage::kIdentified;
    bool reopened = false;
    const double pace = rep_.pace;
    for (;;) {
      switch (stage) {
        case Stage::kIdentified:
          if (!clock.Advance(random_.Hours(2, 96))) return LeaveOpen(bd_.id);
          if (random_.Chance(0.12)) {
            Disqualify(clock.now());
            closed_from = stage;
            stage = Stage::kDisqualified;
          } else {
            Qualify(clock.now());
            stage = Stage::kQualified;
          }
          break;
        case Stage::kQualified:
          if (!clock.Advance(random_.Hours(4, 120))) return LeaveOpen(bd_.id);
          if (random_.Chance(0.08)) {
            Disqualify(clock.now());
            closed_from = stage;
            stage = Stage::kDisqualified;
          } else {
            RecordNeeds(clock.now());
            stage = Stage::kNeeds;
          }
          break;
        case Stage::kNeeds:
          if (!clock.Advance(random_.Hours(24, 192) * pace)) return LeaveOpen(rep_.id);
          if (random_.Chance(0.05)) {
            Lose(clock.now(), random_.Chance(0.5) ? v1::LOSS_REASON_TIMING : v1::LOSS_REASON_NO_DECISION);
            closed_from = stage;
            stage = Stage::kLost;
          } else {
            Propose(clock.now());
            stage = Stage::kProposed;
          }
          break;
        case Stage::kProposed:
          if (!clock.Advance(random_.Hours(48, 192) * pace)) return LeaveOpen(rep_.id);
          if (random_.Chance(0.08)) {
            Lose(clock.now(), random_.Chance(0.6) ? v1::LOSS_REASON_COMPETITOR : v1::LOSS_REASON_PRICE);
            closed_from = stage;
            stage = Stage::kLost;
          } else {
            Quote(clock.now());
            stage = Stage::kQuoted;
          }
          break;
        case Stage::kQuoted: {
          if (!clock.Advance(random_.Hours(48, 168) * pace)) return LeaveOpen(rep_.id);
          const double r = random_.Unit();
          if (quotes_ == 1 && r < 0.2) {
            Quote(clock.now());  // a revised quote; the lead stays QUOTED
          } else if (r < 0.32) {
            stage = Close(clock.now());
          } else if (r < 0.92) {
            Negotiate(clock.now());
            stage = Stage::kNegotiating;
          } else {
            Lose(clock.now(), v1::LOSS_REASON_PRICE);
            stage = Stage::kLost;
          }
          if (stage == Stage::kLost) closed_from = Stage::kQuoted;
          break;
        }
        case Stage::kNegotiating:
          if (!clock.Advance(random_.Hours(72, 384) * pace)) return LeaveOpen(rep_.id);
          stage = Close(clock.now());
          if (stage == Stage::kLost) closed_from = Stage::kNegotiating;
          break;
        case Stage::kWon:
          ++counts_->won;
          return AfterTheWin(clock);
        case Stage::kLost:
        case Stage::kDisqualified: {
          // A manager reopens a few closed leads when the customer returns;
          // the lead goes back to the stage it was closed from.
          const bool disqualified = stage == Stage::kDisqualified;
          if (!reopened && random_.Chance(disqualified ? 0.12 : 0.08) &&
              clock.Advance(random_.Hours(168, 720))) {
            const bool bd_stage = closed_from == Stage::kIdentified || closed_from == Stage::kQualified;
            Reopen(clock.now(), bd_stage ? bd_.id : rep_.id);
            reopened = true;
            stage = closed_from;
            break;
          }
          ++(disqualified ? counts_->disqualified : counts_->lost);
          return;
        }
      }
    }
  }

  // The lead stays open, awaiting `assignee`.
  void LeaveOpen(absl::string_view assignee) {
    ++counts_->open;
    Holds(assignee);
  }
  // `member` is left holding an open item (a lead, an order or a ticket).
  void Holds(absl::string_view member) { ++counts_->open_items[std::string(member)]; }

  void Qualify(absl::Time at) {
    v1::QualifyLeadRequest r;
    r.set_lead_id(lead_id_);
    if (random_.Chance(0.6)) *r.mutable_budget() = Scaled(estimate_, 1.1);
    r.set_authority(random_.Pick(kAuthorities));
    r.set_need(random_.Pick(kNeeds));
    r.set_timeline(random_.Pick(kTimelines));
    r.set_score(random_.Between(45, 95));
    Add("leads.qualify-lead", std::move(r), at, bd_.id, "BD_MANAGER");
  }

  void Disqualify(absl::Time at) {
    v1::DisqualifyLeadRequest r;
    r.set_lead_id(lead_id_);
    r.set_reason(random_.Pick(kDisqualifyReasons));
    Add("leads.disqualify-lead", std::move(r), at, bd_.id, "BD_MANAGER");
  }

  void RecordNeeds(absl::Time at) {
    v1::RecordNeedsRequest r;
    r.set_lead_id(lead_id_);
    r.set_requirements(absl::StrCat(random_.Between(2, 60) * 10, " 个销售席位的客户管理系统，",
                                    random_.Pick(kDeployments), "，", random_.Pick(kIntegrations)));
    Add("leads.record-needs", std::move(r), at, bd_.id, "BD_MANAGER");
  }

  void Propose(absl::Time at) {
    v1::ProposeSolutionRequest r;
    r.set_lead_id(lead_id_);
    const char* edition = random_.Pick(kEditions);
    const char* service = random_.Pick(kServices);
    r.set_summary(absl::StrCat(edition, " + ", service));
    r.add_products(edition);
    r.add_products(service);
    if (random_.Chance(0.4)) r.add_products("年度维保");
    estimate_ = Scaled(estimate_, 0.8 + 0.4 * random_.Unit());
    if (estimate_.amount_minor() == 0) estimate_.set_amount_minor(10000);
    *r.mutable_value() = estimate_;
    Add("leads.propose-solution", std::move(r), at, rep_.id, "SALES_REP");
  }

  void Quote(absl::Time at) {
    v1::SendQuoteRequest r;
    r.set_lead_id(lead_id_);
    r.set_quote_id(absl::StrCat("Q-", lead_id_, "-", ++quotes_));
    const uint32_t discount = static_cast<uint32_t>(random_.Between(0, quotes_ == 1 ? 10 : 20)) * 100;
    quoted_ = Scaled(estimate_, 1.0 - discount / 10000.0);
    if (quoted_.amount_minor() == 0) quoted_.set_amount_minor(10000);
    *r.mutable_amount() = quoted_;
    r.set_valid_until(Date(at + absl::Hours(24 * 30)));
    r.set_discount_basis_points(discount);
    Add("leads.send-quote", std::move(r), at, rep_.id, "SALES_REP");
  }

  void Negotiate(absl::Time at) {
    v1::StartNegotiationRequest r;
    r.set_lead_id(lead_id_);
    r.set_note(random_.Pick(kNegotiationNotes));
    Add("leads.start-negotiation", std::move(r), at, rep_.id, "SALES_REP");
  }

  // The close of a deal: won with the rep's chance, else lost.
  Stage Close(absl::Time at) {
    if (random_.Chance(rep_.win)) {
      v1::WinDealRequest r;
      r.set_lead_id(lead_id_);
      won_ = Scaled(quoted_, 0.95 + 0.05 * random_.Unit());
      if (won_.amount_minor() == 0) won_.set_amount_minor(10000);
      *r.mutable_final_amount() = won_;
      r.set_signed_date(Date(at));
      r.mutable_options()->set_assign_to(support_.id);
      Add("leads.win-deal", std::move(r), at, rep_.id, "SALES_REP");
      story_.won_at = at;
      return Stage::kWon;
    }
    static constexpr Choice<v1::LossReason> kReasons[] = {{v1::LOSS_REASON_PRICE, 35},
                                                          {v1::LOSS_REASON_COMPETITOR, 30},
                                                          {v1::LOSS_REASON_NO_BUDGET, 12},
                                                          {v1::LOSS_REASON_NO_DECISION, 13},
                                                          {v1::LOSS_REASON_TIMING, 10}};
    Lose(at, random_.Weighted(kReasons).value);
    return Stage::kLost;
  }

  void Lose(absl::Time at, v1::LossReason reason) {
    v1::LoseDealRequest r;
    r.set_lead_id(lead_id_);
    r.set_reason(reason);
    if (reason == v1::LOSS_REASON_COMPETITOR) {
      r.set_competitor(random_.Pick(kCompetitors));
      r.set_note(absl::StrCat("客户选择了", r.competitor()));
    } else if (reason == v1::LOSS_REASON_PRICE) {
      r.set_note(absl::StrCat("报价高于客户预算约 ", random_.Between(10, 35), "%"));
    }
    Add("leads.lose-deal", std::move(r), at, rep_.id, "SALES_REP");
  }

  void Reopen(absl::Time at, absl::string_view next) {
    v1::ReopenLeadRequest r;
    r.set_lead_id(lead_id_);
    r.set_reason(random_.Pick(kReopenReasons));
    // Named, so that the hand-off does not depend on other stories' timing.
    r.mutable_options()->set_assign_to(std::string(next));
    Add("leads.reopen-lead", std::move(r), at);
    ++counts_->reopened;
  }

  // The won deal's order, then after-sales.
  void AfterTheWin(Timeline clock) {
    ++counts_->orders;
    const std::string order_id = lead_id_;
    const auto order_step = [&](absl::string_view rpc, auto request) {
      request.set_order_id(order_id);
      Add(rpc, std::move(request), clock.now(), support_.id, "SALES_SUPPORT");
    };
    if (!clock.Advance(random_.Hours(4, 72))) return Holds(support_.id);
    if (random_.Chance(0.03)) return CancelOrder(clock.now());
    v1::ConfirmOrderRequest confirm;
    confirm.set_note("合同已回传，确认订单");
    order_step("orders.confirm-order", std::move(confirm));
    if (!clock.Advance(random_.Hours(24, 120))) return Holds(support_.id);
    const Carrier& carrier = random_.Pick(kCarriers);
    v1::ShipOrderRequest ship;
    ship.set_carrier(carrier.name);
    ship.set_tracking_number(absl::StrFormat("%s%06d%06d", carrier.prefix, random_.Between(0, 999999),
                                             random_.Between(0, 999999)));
    order_step("orders.ship-order", std::move(ship));
    if (!clock.Advance(random_.Hours(24, 144))) return Holds(support_.id);
    v1::DeliverOrderRequest deliver;
    deliver.set_note("客户已签收");
    order_step("orders.deliver-order", std::move(deliver));
    ++counts_->delivered;

    const int tickets = random_.Chance(0.6) ? (random_.Chance(0.25) ? 2 : 1) : 0;
    absl::Time after = clock.now();
    for (int k = 1; k <= tickets; ++k) after = Ticket(k, after);
    if (tickets == 0 && random_.Chance(0.35)) {
      Timeline later = clock;
      if (later.Advance(random_.Hours(72, 480))) Survey(later.now(), "");
    }
  }

  void CancelOrder(absl::Time at) {
    v1::CancelOrderRequest r;
    r.set_order_id(lead_id_);
    r.set_reason("客户内部预算调整，取消订单");
    Add("orders.cancel-order", std::move(r), at);  // SALES_MANAGER may cancel: no override
    ++counts_->cancelled;
  }

  // Ticket `k` of the customer, opened some time after `after`; returns
  // when the next one may open.
  absl::Time Ticket(int k, absl::Time after) {
    Timeline clock(after, options_.anchor);
    if (!clock.Advance(random_.Hours(24, 24 * 30))) return after;
    const std::string ticket_id = absl::StrCat(lead_id_, "-t", k);
    const v1::Severity severity = random_.Weighted(kSeverities).value;
    const auto resolve_time = [&] {
      static constexpr double kHours[][2] = {{0, 0}, {1, 6}, {4, 30}, {12, 96}, {24, 200}};
      const double slower = 1.6 - after_sales_.quality;
      return random_.Hours(kHours[severity][0] * slower, kHours[severity][1] * slower);
    };
    const auto ticket_step = [&](absl::string_view rpc, auto request) {
      request.set_ticket_id(ticket_id);
      Add(rpc, std::move(request), clock.now(), after_sales_.id, "AFTER_SALES");
    };
    v1::OpenTicketRequest open;
    open.set_lead_id(lead_id_);
    open.set_subject(random_.Pick(kTicketSubjects));
    open.set_description("客户来电反馈，详见工单附件");
    open.set_severity(severity);
    open.set_channel(random_.Weighted(kChannels).value);
    open.mutable_options()->set_assign_to(after_sales_.id);
    ticket_step("support.open-ticket", std::move(open));
    ++counts_->tickets;
    const auto resolve = [&] {
      v1::ResolveTicketRequest r;
      r.set_resolution(random_.Pick(kResolutions));
      ticket_step("support.resolve-ticket", std::move(r));
    };
    if (!clock.Advance(resolve_time())) {
      Holds(after_sales_.id);
      return clock.now();
    }
    resolve();
    if (random_.Chance(0.12) && clock.Advance(random_.Hours(24, 120))) {
      v1::ReopenTicketRequest reopen;
      reopen.set_reason(random_.Pick(kTicketReopenReasons));
      reopen.mutable_options()->set_assign_to(after_sales_.id);
      ticket_step("support.reopen-ticket", std::move(reopen));
      ++counts_->tickets_reopened;
      if (!clock.Advance(resolve_time())) {
        Holds(after_sales_.id);
        return clock.now();
      }
      resolve();
    }
    if (random_.Chance(0.7) && clock.Advance(random_.Hours(12, 72))) Survey(clock.now(), ticket_id);
    if (random_.Chance(0.6) && clock.Advance(random_.Hours(48, 168))) {
      ticket_step("support.close-ticket", v1::CloseTicketRequest());
    }
    return clock.now();
  }

  // A satisfaction survey: about a ticket, or about the deal itself.
  void Survey(absl::Time at, const std::string& ticket_id) {
    // Scores 1..5 around a mean that the rep's care and the after-sales
    // member's quality lift.
    const auto score = [&](double mean) {
      return std::clamp(static_cast<int>(std::lround(mean + random_.Unit() * 1.4 - 0.7)), 1, 5);
    };
    v1::RecordSurveyRequest r;
    r.set_lead_id(lead_id_);
    r.set_ticket_id(ticket_id);
    r.set_product_quality(score(3.6 + 0.6 * rep_.care));
    r.set_service_attitude(score(2.8 + 1.0 * rep_.care + 1.0 * after_sales_.quality));
    r.set_response_speed(score(2.6 + 2.0 * after_sales_.quality));
    r.set_comment(random_.Pick(kSurveyComments));
    Add("support.record-survey", std::move(r), at, after_sales_.id, "AFTER_SALES");
    ++counts_->surveys;
  }

  const DemoPlanOptions& options_;
  std::optional<Returning> returning_;
  Random random_;
  const std::string lead_id_;
  DemoCounts* const counts_;
  const Rep& rep_;
  const Helper& bd_;
  const Helper& support_;
  const Helper& after_sales_;
  DemoStory story_;
  int calls_ = 0;
  int quotes_ = 0;
  v1::Money estimate_;
  v1::Money quoted_;
  v1::Money won_;
};

DemoCall TeamCall(absl::string_view rpc, std::unique_ptr<google::protobuf::Message> request) {
  return {std::string(rpc), std::move(request)};
}

// The scoring policies: one weighs volume, the other quality, so that
// "salesctl compare" shows ranks moving.
std::unique_ptr<v1::SetScoringPolicyRequest> Policy(bool quality) {
  auto p = std::make_unique<v1::SetScoringPolicyRequest>();
  p->mutable_options()->set_request_id(quality ? "demo:policy:quality" : "demo:policy:volume");
  p->set_note(quality ? "salesctl demo: 质量优先 (win rate, satisfaction, speed)"
                      : "salesctl demo: 销量优先 (deals, quotes, leads, attainment)");
  const auto add = [&](v1::Role role, std::initializer_list<std::pair<const char*, double>> weights) {
    v1::RoleWeights* r = p->add_roles();
    r->set_role(role);
    for (const auto& [metric, weight] : weights) {
      v1::MetricWeight* w = r->add_weights();
      w->set_metric(metric);
      w->set_weight(weight);
    }
  };
  if (quality) {
    add(v1::ROLE_SALES_REP,
        {{"win_rate", 60}, {"csat", 8}, {"avg_sales_cycle_days", -0.2}, {"deals_won", 1}});
    add(v1::ROLE_BD_MANAGER, {{"qualified_win_rate", 50}, {"qualification_turnaround_hours", -0.1}});
    add(v1::ROLE_SALES_SUPPORT, {{"win_to_delivery_days", -2}, {"orders_delivered", 1}});
    add(v1::ROLE_AFTER_SALES, {{"csat_service_attitude", 6},
                               {"csat_response_speed", 6},
                               {"reopen_rate", -30},
                               {"avg_resolution_hours", -0.1}});
  } else {
    add(v1::ROLE_SALES_REP,
        {{"deals_won", 10}, {"quotes_sent", 2}, {"leads_identified", 1}, {"target_attainment_pct", 0.1}});
    add(v1::ROLE_BD_MANAGER, {{"leads_qualified", 2}, {"needs_analyses", 1}});
    add(v1::ROLE_SALES_SUPPORT, {{"orders_delivered", 3}, {"orders_shipped", 1}});
    add(v1::ROLE_AFTER_SALES, {{"tickets_resolved", 3}});
  }
  // The quality policy closes the satisfaction loop: a survey scoring
  // below 3 opens a follow-up ticket for AFTER_SALES.
  if (quality) p->set_follow_up_below(3);
  return p;
}

// "2026-11", and the two months before it; the quarter "2026-Q4".
std::vector<std::string> RecentMonths(absl::Time anchor) {
  const absl::CivilMonth month(absl::ToCivilSecond(anchor, absl::UTCTimeZone()));
  std::vector<std::string> out;
  for (int back = 2; back >= 0; --back) out.push_back(absl::FormatCivilTime(month - back).substr(0, 7));
  return out;
}

std::string QuarterOf(absl::Time anchor) {
  const absl::CivilMonth month(absl::ToCivilSecond(anchor, absl::UTCTimeZone()));
  return absl::StrCat(month.year(), "-Q", (month.month() - 1) / 3 + 1);
}

}  // namespace

const std::vector<DemoMember>& DemoTeam() {
  using v1::ROLE_AFTER_SALES;
  using v1::ROLE_BD_MANAGER;
  using v1::ROLE_SALES_MANAGER;
  using v1::ROLE_SALES_REP;
  using v1::ROLE_SALES_SUPPORT;
  static const std::vector<DemoMember>* const team = new std::vector<DemoMember>{
      {"chen_jing", "陈静", {ROLE_SALES_MANAGER}, 0},  {"zhao_lei", "赵磊", {ROLE_BD_MANAGER}, 40},
      {"sun_li", "孙丽", {ROLE_BD_MANAGER}, 40},       {"zhou_jie", "周杰", {ROLE_BD_MANAGER}, 40},
      {"wang_fang", "王芳", {ROLE_SALES_REP}, 40},     {"li_qiang", "李强", {ROLE_SALES_REP}, 40},
      {"zhang_wei", "张伟", {ROLE_SALES_REP}, 40},     {"liu_yang", "刘洋", {ROLE_SALES_REP}, 40},
      {"chen_chen", "陈晨", {ROLE_SALES_REP}, 40},     {"yang_fan", "杨帆", {ROLE_SALES_REP}, 40},
      {"huang_min", "黄敏", {ROLE_SALES_SUPPORT}, 25}, {"wu_ting", "吴婷", {ROLE_SALES_SUPPORT}, 25},
      {"xu_ming", "徐明", {ROLE_AFTER_SALES}, 20},     {"ma_chao", "马超", {ROLE_AFTER_SALES}, 20},
      {"hu_juan", "胡娟", {ROLE_AFTER_SALES}, 20},
  };
  return *team;
}

std::string DemoLeadId(uint64_t seed, int index) {
  return seed == 1 ? absl::StrFormat("demo-%04d", index) : absl::StrFormat("demo%d-%04d", seed, index);
}

std::vector<DemoCall> DemoTeamCalls() {
  std::vector<DemoCall> calls;
  for (const DemoMember& m : DemoTeam()) {
    auto add = std::make_unique<v1::AddMemberRequest>();
    add->mutable_options()->set_request_id(absl::StrCat("demo:member:", m.id));
    add->set_member_id(m.id);
    add->set_display_name(m.display_name);
    for (v1::Role role : m.roles) add->add_roles(role);
    add->set_capacity(m.capacity);
    calls.push_back(TeamCall("team.add-member", std::move(add)));
  }
  return calls;
}

// The weekly team meetings of the last three weeks (held, minutes
// recorded, action items agreed: some done, some still open and overdue),
// one-to-ones with two reps, and next week's team meeting, still ahead: its
// brief (salesctl get-meeting-brief) is provisional, from the log as it
// stands, over the week since the last meeting, and carries the open items
// forward. A brief of a past meeting reads the log as it was recorded then:
// before the demo ran, so nearly empty (docs/CLI.md, "demo").
void AddMeetings(const DemoPlanOptions& options, DemoPlan& plan) {
  const std::string tag = options.seed == 1 ? "demo" : absl::StrCat("demo", options.seed);
  const absl::CivilDay today = absl::ToCivilDay(options.anchor, absl::UTCTimeZone());
  // The latest Monday 10:00 UTC before the anchor: the last weekly meeting.
  absl::CivilDay monday = today - static_cast<int>(absl::GetWeekday(today));  // Weekday::monday is 0
  if (absl::FromCivil(absl::CivilSecond(monday.year(), monday.month(), monday.day(), 10, 0, 0),
                      absl::UTCTimeZone()) >= options.anchor) {
    monday -= 7;
  }
  const auto at = [&](int weeks, int hour) {
    return absl::FromCivil(absl::CivilSecond(monday.year(), monday.month(), monday.day() + 7 * weeks, hour, 0, 0),
                           absl::UTCTimeZone());
  };
  const auto day = [&](absl::Time t) { return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone()); };
  const auto schedule = [&](const std::string& id, const std::string& title, absl::Time starts, const char* member,
                            v1::MeetingCadence cadence) {
    auto r = std::make_unique<v1::ScheduleMeetingRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:meeting:", id));
    r->set_meeting_id(id);
    r->set_title(title);
    r->set_member_id(member);
    r->set_cadence(cadence);
    *r->mutable_starts_at() = ToProto(starts);
    plan.closing.push_back(TeamCall("meetings.schedule-meeting", std::move(r)));
    ++plan.counts.meetings;
  };
  const auto minutes = [&](const std::string& id, const std::string& text) {
    auto r = std::make_unique<v1::RecordMinutesRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:minutes:", id));
    r->set_meeting_id(id);
    r->set_minutes(text);
    for (const DemoMember& m : DemoTeam()) {
      if (m.roles[0] == v1::ROLE_SALES_REP || m.roles[0] == v1::ROLE_SALES_MANAGER) r->add_attendees(m.id);
    }
    plan.closing.push_back(TeamCall("meetings.record-minutes", std::move(r)));
  };
  const auto item = [&](const std::string& id, const std::string& meeting, const char* owner, const std::string& title,
                        absl::Time due) {
    auto r = std::make_unique<v1::AddActionItemRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:item:", id));
    r->set_action_item_id(id);
    r->set_meeting_id(meeting);
    r->set_owner(owner);
    r->set_title(title);
    r->set_due_date(day(due));
    plan.closing.push_back(TeamCall("meetings.add-action-item", std::move(r)));
    ++plan.counts.action_items;
  };
  const auto done = [&](const std::string& id, const char* owner, const std::string& note) {
    auto r = std::make_unique<v1::CompleteActionItemRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:done:", id));
    r->mutable_options()->set_override_reason(
        absl::StrCat("salesctl demo: recorded for ", MemberById(owner).display_name, " (", owner, ")"));
    r->set_action_item_id(id);
    r->set_note(note);
    plan.closing.push_back(TeamCall("meetings.complete-action-item", std::move(r)));
    ++plan.counts.action_items_done;
  };
  for (int w = -2; w <= 0; ++w) {
    const std::string id = absl::StrCat(tag, "-weekly-", day(at(w, 10)));
    schedule(id, "华东区销售周会", at(w, 10), "", v1::MEETING_CADENCE_WEEKLY);
    minutes(id, absl::StrCat("回顾上周赢单与丢单；第 ", 3 + w, " 周重点：推进报价阶段的客户，跟进逾期的交接。"));
  }
  const std::string w1 = absl::StrCat(tag, "-weekly-", day(at(-2, 10)));
  const std::string w2 = absl::StrCat(tag, "-weekly-", day(at(-1, 10)));
  const std::string w3 = absl::StrCat(tag, "-weekly-", day(at(0, 10)));
  item(absl::StrCat(tag, "-item-1"), w1, "wang_fang", "整理本季度大客户名单", at(-1, 0) - absl::Hours(24));
  done(absl::StrCat(tag, "-item-1"), "wang_fang", "已整理 12 家，发到群里");
  item(absl::StrCat(tag, "-item-2"), w1, "zhang_wei", "复盘两笔因价格丢失的单子", at(-1, 0) - absl::Hours(24));
  item(absl::StrCat(tag, "-item-3"), w2, "li_qiang", "准备制造业方案的标准报价模板", at(0, 0) - absl::Hours(24));
  done(absl::StrCat(tag, "-item-3"), "li_qiang", "模板已上传到共享盘");
  item(absl::StrCat(tag, "-item-4"), w2, "liu_yang", "回访三家谈判中的客户", at(0, 0) - absl::Hours(24));
  item(absl::StrCat(tag, "-item-5"), w3, "zhao_lei", "清理超过 48 小时未处理的线索", at(1, 0) + absl::Hours(24));
  schedule(absl::StrCat(tag, "-1on1-zhang_wei"), "张伟 一对一：转化率辅导", at(1, 15), "zhang_wei",
           v1::MEETING_CADENCE_MONTHLY);
  schedule(absl::StrCat(tag, "-1on1-wang_fang"), "王芳 一对一：季度目标", at(1, 16), "wang_fang",
           v1::MEETING_CADENCE_MONTHLY);
  schedule(absl::StrCat(tag, "-weekly-", day(at(1, 10))), "华东区销售周会", at(1, 10), "",
           v1::MEETING_CADENCE_WEEKLY);
}

// Feedback on three reps' reviews for the last complete month, written by
// the demo's caller (an ADMIN, which may write feedback), one of them
// corrected. Acknowledging needs each member's own token, which the demo
// does not hold, so all stay "not acknowledged" (docs/CLI.md, "demo").
void AddFeedback(const DemoPlanOptions& options, DemoPlan& plan) {
  const std::string month = RecentMonths(options.anchor)[1];
  struct Note {
    const char* member;
    const char* strengths;
    const char* problems;
    const char* guidance;
    std::vector<std::string> goals;
  };
  const Note notes[] = {
      {"wang_fang", "大客户跟进扎实，报价及时，赢单金额全组第一。", "丢单原因记录偏简单。",
       "每次丢单后当天写明原因，周会上复盘一单。", {"下月赢单金额达到目标的 110%", "丢单原因 100% 填写"}},
      {"zhang_wei", "线索量大，首次响应快。", "转化率全组最低，谈判阶段停留过长。",
       "与王芳结对跟进两笔谈判中的单子；报价前先确认预算与决策人。", {"转化率提升到 35%", "谈判阶段平均少于 10 天"}},
      {"liu_yang", "客户满意度最高，回访及时。", "商机储备不足。", "每周新增 5 条自有线索。",
       {"每周新增 5 条线索", "季度赢单 12 个"}},
  };
  for (const Note& n : notes) {
    auto r = std::make_unique<v1::RecordReviewFeedbackRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:feedback:", n.member, ":", month, ":1"));
    r->set_member_id(n.member);
    r->set_period(month);
    r->set_strengths(n.strengths);
    r->set_problems(n.problems);
    r->set_guidance(n.guidance);
    for (const std::string& goal : n.goals) r->add_goals(goal);
    plan.closing.push_back(TeamCall("coaching.record-review-feedback", std::move(r)));
    ++plan.counts.feedback;
  }
  auto fix = std::make_unique<v1::RecordReviewFeedbackRequest>();
  fix->mutable_options()->set_request_id(absl::StrCat("demo:feedback:zhang_wei:", month, ":2"));
  fix->set_member_id("zhang_wei");
  fix->set_period(month);
  fix->set_strengths("线索量大，首次响应快。");
  fix->set_problems("转化率全组最低，谈判阶段停留过长。");
  fix->set_guidance("与王芳结对跟进两笔谈判中的单子；报价前先确认预算与决策人。");
  fix->add_goals("转化率提升到 30%");
  fix->add_goals("谈判阶段平均少于 10 天");
  fix->set_correction_reason("转化率目标与区域经理对齐后调整为 30%");
  plan.closing.push_back(TeamCall("coaching.record-review-feedback", std::move(fix)));
}

// Training (docs/PRACTICE.md, "Training"): a product session on the 10th of
// last month that every rep attended (one left early), a sales-skills
// workshop yesterday for the reps and BD managers, and a market-trends
// briefing two days ago; one attendance is corrected. The hours show in
// each member's review of the month the session started in.
void AddTraining(const DemoPlanOptions& options, DemoPlan& plan) {
  const absl::CivilDay today = absl::ToCivilDay(options.anchor, absl::UTCTimeZone());
  const absl::CivilMonth last_month = absl::CivilMonth(today) - 1;
  const absl::Time product_day = absl::FromCivil(
      absl::CivilSecond(last_month.year(), last_month.month(), 10, 9, 0, 0), absl::UTCTimeZone());
  const absl::Time hour = absl::FromUnixSeconds(absl::ToUnixSeconds(options.anchor) / 3600 * 3600);
  struct Session {
    const char* suffix;  // of the session id, after "<tag>-"
    const char* topic;
    v1::TrainingCategory category;
    const char* trainer;
    absl::Time starts;
    uint32_t minutes;
  };
  const Session sessions[] = {
      {"training-product", "新一代智能网关：功能与竞品对比", v1::TRAINING_CATEGORY_PRODUCT_KNOWLEDGE,
       "产品部 李工", product_day, 120},
      {"training-skills", "大客户谈判：识别决策人与预算", v1::TRAINING_CATEGORY_SALES_SKILLS, "chen_jing",
       hour - absl::Hours(26), 90},
      {"training-market", "华南制造业数字化趋势", v1::TRAINING_CATEGORY_MARKET_TRENDS, "市场部 周敏",
       hour - absl::Hours(50), 60},
  };
  const std::string tag = options.seed == 1 ? "demo" : absl::StrCat("demo", options.seed);
  const auto id_of = [&](const Session& session) { return absl::StrCat(tag, "-", session.suffix); };
  const auto attend = [&](const Session& session, const std::string& member, uint32_t minutes,
                          const std::string& reason, int revision) {
    auto r = std::make_unique<v1::RecordTrainingAttendanceRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:training:", id_of(session), ":", member, ":", revision));
    r->set_session_id(id_of(session));
    r->set_member_id(member);
    r->set_minutes(minutes);
    r->set_correction_reason(reason);
    plan.closing.push_back(TeamCall("coaching.record-training-attendance", std::move(r)));
  };
  for (const Session& session : sessions) {
    auto r = std::make_unique<v1::RecordTrainingSessionRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:training:", id_of(session)));
    r->set_session_id(id_of(session));
    r->set_topic(session.topic);
    r->set_category(session.category);
    r->set_trainer(session.trainer);
    *r->mutable_starts_at() = ToProto(session.starts);
    r->set_duration_minutes(session.minutes);
    plan.closing.push_back(TeamCall("coaching.record-training-session", std::move(r)));
    ++plan.counts.training_sessions;
  }
  for (const DemoMember& m : DemoTeam()) {
    const v1::Role role = m.roles[0];
    if (role == v1::ROLE_SALES_REP) {
      // zhang_wei left the product session after an hour.
      attend(sessions[0], m.id, m.id == std::string("zhang_wei") ? 60 : 0, "", 1);
      attend(sessions[1], m.id, 0, "", 1);
      plan.counts.attendances += 2;
    }
    if (role == v1::ROLE_BD_MANAGER) {
      attend(sessions[1], m.id, 0, "", 1);
      attend(sessions[2], m.id, 0, "", 1);
      plan.counts.attendances += 2;
    }
  }
  // yang_fan was recorded for the whole workshop but came 30 minutes late.
  attend(sessions[1], "yang_fan", 60, "签到表核对：迟到 30 分钟", 2);
}

// One low survey today, of a won deal without a survey of its own, after the
// quality policy (follow_up_below 3) is in force: the server opens its
// follow-up ticket for the least-loaded AFTER_SALES member (docs/PRACTICE.md).
void AddLowSurvey(DemoPlan& plan) {
  for (const DemoStory& story : plan.stories) {
    bool won = false, surveyed = false;
    for (const DemoCall& call : story.calls) {
      won |= call.rpc == "leads.win-deal";
      if (call.rpc == "support.record-survey") {
        surveyed |= static_cast<const v1::RecordSurveyRequest&>(*call.request).ticket_id().empty();
      }
    }
    if (!won || surveyed) continue;
    const DemoMember* after_sales = nullptr;
    for (const DemoMember& m : DemoTeam()) {
      if (after_sales == nullptr && m.roles[0] == v1::ROLE_AFTER_SALES) after_sales = &m;
    }
    auto r = std::make_unique<v1::RecordSurveyRequest>();
    r->mutable_options()->set_request_id(absl::StrCat("demo:low-survey:", story.lead_id));
    r->mutable_options()->set_override_reason(
        absl::StrCat("salesctl demo: recorded for ", after_sales->display_name, " (", after_sales->id, ")"));
    r->set_lead_id(story.lead_id);
    r->set_product_quality(4);
    r->set_service_attitude(3);
    r->set_response_speed(2);
    r->set_comment("交付后两周才有人回电话，希望改进");
    plan.closing.push_back(TeamCall("support.record-survey", std::move(r)));
    ++plan.counts.surveys;
    ++plan.counts.follow_ups;
    return;
  }
}

// Customers coming back (docs/ACCOUNTS.md): some won customers whose
// company no other story shares (so the account its lead opened has that
// lead's id) buy again — a new lead of the same company, some days after
// the purchase — and a few refer a new customer. These stories are sent
// after every story: a referral needs the referring account to exist, and a
// returning lead should find its customer's history.
void AddRepeatBusiness(const DemoPlanOptions& options, int leads, DemoPlan& plan) {
  std::map<std::string, int> names;
  for (const DemoStory& story : plan.stories) ++names[story.company];
  std::vector<const DemoStory*> won;
  for (const DemoStory& story : plan.stories) {
    const bool won_days_ago = story.won_at != absl::InfinitePast() && story.won_at < options.anchor - absl::Hours(24 * 5);
    if (won_days_ago && names[story.company] == 1) won.push_back(&story);
  }
  const size_t returning = std::min<size_t>(won.size(), std::max(1, leads / 25));
  const size_t referrals = std::min<size_t>(won.size() - returning, std::max(1, leads / 60));
  int index = leads;
  for (size_t k = 0; k < returning + referrals; ++k) {
    const DemoStory& customer = *won[k];
    StoryWriter::Returning r;
    r.after = customer.won_at;
    if (k < returning) {
      r.company = customer.company;
      ++plan.counts.returning;
    } else {
      r.referred_by = customer.lead_id;
      ++plan.counts.referrals;
    }
    plan.returning.push_back(StoryWriter(options, ++index, &plan.counts, std::move(r)).Write());
  }
}

DemoPlan BuildDemoPlan(const DemoPlanOptions& options) {
  DemoPlan plan;

  const int leads = std::clamp(options.leads, 1, kMaxDemoLeads);
  for (int i = 1; i <= leads; ++i) {
    plan.stories.push_back(StoryWriter(options, i, &plan.counts).Write());
  }
  AddRepeatBusiness(options, leads, plan);

  // Targets: monthly won value for the last three months, won deals for the
  // quarter. Team events cannot be backfilled before the team's last event,
  // so these (and the policies) carry today's business time.
  for (const Rep& rep : kReps) {
    for (const std::string& month : RecentMonths(options.anchor)) {
      auto target = std::make_unique<v1::SetTargetRequest>();
      target->mutable_options()->set_request_id(absl::StrCat("demo:target:", rep.id, ":", month, ":value"));
      target->set_member_id(rep.id);
      target->set_period(month);
      target->set_metric(v1::TARGET_METRIC_WON_VALUE);
      *target->mutable_won_value() = Yuan(rep.monthly_target_yuan);
      plan.closing.push_back(TeamCall("team.set-target", std::move(target)));
      ++plan.counts.targets;
    }
    auto target = std::make_unique<v1::SetTargetRequest>();
    const std::string quarter = QuarterOf(options.anchor);
    target->mutable_options()->set_request_id(absl::StrCat("demo:target:", rep.id, ":", quarter, ":count"));
    target->set_member_id(rep.id);
    target->set_period(quarter);
    target->set_metric(v1::TARGET_METRIC_WON_COUNT);
    target->set_won_count(rep.quarterly_deals);
    plan.closing.push_back(TeamCall("team.set-target", std::move(target)));
    ++plan.counts.targets;
  }
  // Two BD managers go part-time today: what they already hold puts one
  // over her new capacity and the other near his, so the workload view (and
  // the dashboard's colours) show both; new work goes around them. The
  // capacities here are placeholders: salesctl demo sizes them to the loads
  // once the stories are in (demo.cc, SizePartTime), as those depend on the
  // hour the demo runs.
  for (const auto& [id, capacity] : {std::pair<const char*, uint32_t>{"sun_li", 12}, {"zhao_lei", 16}}) {
    auto part_time = std::make_unique<v1::SetMemberRolesRequest>();
    part_time->mutable_options()->set_request_id(absl::StrCat("demo:part-time:", id));
    part_time->set_member_id(id);
    part_time->add_roles(v1::ROLE_BD_MANAGER);
    part_time->set_capacity(capacity);
    plan.closing.push_back(TeamCall("team.set-member-roles", std::move(part_time)));
  }
  AddMeetings(options, plan);
  plan.closing.push_back(TeamCall("team.set-scoring-policy", Policy(/*quality=*/false)));
  plan.closing.push_back(TeamCall("team.set-scoring-policy", Policy(/*quality=*/true)));
  plan.counts.policies = 2;
  AddFeedback(options, plan);
  AddTraining(options, plan);
  AddLowSurvey(plan);

  // Fresh inbound leads, today: no assignee named, so the server hands each
  // to the least-loaded BD manager and records why (docs/ROLES.md). No
  // business time either: they happen now.
  Random random(options.seed ^ 0xF2E5);
  constexpr int kFresh = 8;
  for (int k = 1; k <= kFresh; ++k) {
    auto lead = std::make_unique<v1::IdentifyLeadRequest>();
    const std::string id = options.seed == 1 ? absl::StrFormat("demo-new-%02d", k)
                                             : absl::StrFormat("demo%d-new-%02d", options.seed, k);
    lead->mutable_options()->set_request_id(absl::StrCat("demo:", id, ":1"));
    lead->set_lead_id(id);
    lead->set_company(
        absl::StrCat(random.Pick(kCities), random.Pick(kBrands), random.Pick(kTrades), "有限公司"));
    lead->mutable_contact()->set_name(absl::StrCat(random.Pick(kSurnames), random.Pick(kGivenNames)));
    lead->set_source(v1::LEAD_SOURCE_INBOUND);
    *lead->mutable_estimated_value() = Yuan(random.Between(5, 120) * 10'000);
    lead->set_owner(kReps[(k - 1) % std::size(kReps)].id);
    plan.closing.push_back(TeamCall("leads.identify-lead", std::move(lead)));
    ++plan.counts.fresh_leads;
  }
  plan.counts.calls += static_cast<int>(plan.closing.size());
  return plan;
}

}  // namespace salesctl
