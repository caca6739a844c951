// LeadViews: each lead as the views' fold holds it, by lead id: the
// deciders' LeadState with its details (server/domain/lead_details.h), one
// record per lead (ViewsState::core.leads). Leads.GetLead's reply is built
// from it on demand (domain::ToLeadMessage).
#ifndef SALESOPS_PROJECTIONS_LEAD_VIEWS_H_
#define SALESOPS_PROJECTIONS_LEAD_VIEWS_H_

#include "server/domain/lead_details.h"
#include "server/domain/state.h"

namespace salesops::projections {

// A node map: growing it moves pointers, not the leads, and each key (and
// lead) keeps its address for as long as the lead is held.
using LeadViews = decltype(domain::State::leads);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_LEAD_VIEWS_H_
