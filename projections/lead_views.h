// LeadViews: each lead as Leads.GetLead shows it, by lead id.
#ifndef SALESOPS_PROJECTIONS_LEAD_VIEWS_H_
#define SALESOPS_PROJECTIONS_LEAD_VIEWS_H_

#include <string>

#include "absl/container/node_hash_map.h"
#include "salesops/v1/leads.pb.h"

namespace salesops::projections {

// A node map: growing it moves pointers, not the views, and each key (and
// view) keeps its address for as long as the lead is held.
using LeadViews = absl::node_hash_map<std::string, v1::Lead>;

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_LEAD_VIEWS_H_
