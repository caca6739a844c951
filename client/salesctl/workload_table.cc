#include "workload_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "duration_text.h"
#include "enum_names.h"
#include "table.h"
#include "view_text.h"

namespace salesctl {
namespace {

namespace v1 = ::salesops::v1;

// "leads QUOTED 4, NEGOTIATING 3 · orders OPEN 1 · tickets P2 1".
std::string OpenWork(const v1::MemberWorkload& m) {
  std::vector<std::string> kinds;
  std::vector<std::string> parts;
  for (const v1::StageCount& c : m.leads_by_stage())
    parts.push_back(absl::StrCat(StageName(c.stage()), " ", c.count()));
  if (!parts.empty()) kinds.push_back(absl::StrCat("leads ", absl::StrJoin(parts, ", ")));
  parts.clear();
  for (const v1::OrderStatusCount& c : m.orders_by_status()) {
    parts.push_back(absl::StrCat(EnumShortNameOf(*v1::OrderStatus_descriptor(), c.status()), " ", c.count()));
  }
  if (!parts.empty()) kinds.push_back(absl::StrCat("orders ", absl::StrJoin(parts, ", ")));
  parts.clear();
  for (const v1::SeverityCount& c : m.tickets_by_severity()) {
    parts.push_back(absl::StrCat(EnumShortNameOf(*v1::Severity_descriptor(), c.severity()), " ", c.count()));
  }
  if (!parts.empty()) kinds.push_back(absl::StrCat("tickets ", absl::StrJoin(parts, ", ")));
  return absl::StrJoin(kinds, " \u00b7 ");
}

std::string Roles(const v1::MemberWorkload& m) {
  return absl::StrJoin(m.roles(), ", ",
                       [](std::string* out, int role) { absl::StrAppend(out, RoleName(role)); });
}

}  // namespace

std::string RenderWorkload(const v1::Workload& workload) {
  // One scale for every bar, so that a longer bar always means more work.
  double scale = 0;
  for (const v1::MemberWorkload& m : workload.members()) {
    scale = std::max({scale, static_cast<double>(m.capacity()), static_cast<double>(m.load())});
  }
  Table members({{"MEMBER"},
                 {"NAME"},
                 {"ROLES"},
                 {"LOAD", Align::kRight},
                 {"USE"},
                 {"%", Align::kRight},
                 {"OLDEST ITEM"},
                 {"AGE"},
                 {"SLA OVERDUE", Align::kRight},
                 {"ACTIONS", Align::kRight},
                 {"OPEN WORK"}});
  for (const v1::MemberWorkload& m : workload.members()) {
    const bool limited = m.capacity() > 0;
    members.AddRow({
        m.member_id(),
        m.active() ? m.display_name() : absl::StrCat(m.display_name(), " (inactive)"),
        Roles(m),
        limited ? absl::StrCat(m.load(), "/", m.capacity()) : absl::StrCat(m.load()),
        MeterBar(m.load(), limited ? m.capacity() : 0, scale, kLoadBarWidth),
        limited ? Percent(m.load_ratio(), 0) : "no limit",
        m.oldest_item(),
        m.oldest_item().empty() ? "" : HumanDuration(m.oldest_item_age()),
        absl::StrCat(m.sla_overdue()),
        // Meetings' action items: open, and how many of them are overdue.
        m.open_action_items() == 0 ? ""
        : m.overdue_action_items() == 0
            ? absl::StrCat(m.open_action_items())
            : absl::StrCat(m.open_action_items(), " (", m.overdue_action_items(), " late)"),
        OpenWork(m),
    });
  }
  Table roles({{"ROLE"},
               {"MEMBERS", Align::kRight},
               {"OPEN", Align::kRight},
               {"MEAN", Align::kRight},
               {"MAX", Align::kRight},
               {"IMBALANCE", Align::kRight},
               {"UNASSIGNED", Align::kRight}});
  std::string queues;
  for (const v1::RoleWorkload& r : workload.roles()) {
    roles.AddRow({RoleName(r.role()), absl::StrCat(r.members()), absl::StrCat(r.total()), Fixed(r.mean(), 1),
                  absl::StrCat(r.max()), Fixed(r.imbalance(), 2), absl::StrCat(r.unassigned())});
    if (r.unassigned() > 0) {
      absl::StrAppend(&queues, "waiting for ", RoleName(r.role()), ": ",
                      absl::StrJoin(r.unassigned_items(), ", "),
                      r.unassigned() > static_cast<uint32_t>(r.unassigned_items_size()) ? ", …" : "", "\n");
    }
  }
  return absl::StrCat("Workload \u00b7 ", ViewLine(workload.view()), " \u00b7 SLA table v",
                      workload.sla_table_version(), "\n\n", members.Render(), "\n", roles.Render(),
                      queues.empty() ? "" : "\n", queues);
}

}  // namespace salesctl
