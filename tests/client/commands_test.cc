#include "commands.h"

#include <set>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "salesops/v1/audit.pb.h"
#include "salesops/v1/leads.pb.h"

namespace salesctl {
namespace {

namespace pb = ::google::protobuf;
using ::testing::HasSubstr;

TEST(KebabCaseTest, SplitsCamelCaseWords) {
  EXPECT_EQ(KebabCase("IdentifyLead"), "identify-lead");
  EXPECT_EQ(KebabCase("GetLeadHistory"), "get-lead-history");
  EXPECT_EQ(KebabCase("ReadLog"), "read-log");
  EXPECT_EQ(KebabCase("Leads"), "leads");
  EXPECT_EQ(KebabCase("ExportCSVFile"), "export-csv-file");
  EXPECT_EQ(KebabCase("GetV2Report"), "get-v2-report");
}

void ExpectEveryMethodHasCommand(const pb::ServiceDescriptor& service) {
  for (int i = 0; i < service.method_count(); ++i) {
    const pb::MethodDescriptor* method = service.method(i);
    absl::StatusOr<const Command*> command = FindCommand(KebabCase(method->name()));
    ASSERT_TRUE(command.ok()) << method->full_name() << ": " << command.status();
    EXPECT_EQ((*command)->method, method);
    EXPECT_EQ((*command)->RpcPath(), "/" + service.full_name() + "/" + method->name());
  }
}

TEST(CommandsTest, EveryLeadsAndAuditMethodHasACommand) {
  const pb::FileDescriptor* leads = salesops::v1::IdentifyLeadRequest::descriptor()->file();
  const pb::FileDescriptor* audit = salesops::v1::ReadLogRequest::descriptor()->file();
  ASSERT_NE(leads->FindServiceByName("Leads"), nullptr);
  ASSERT_NE(audit->FindServiceByName("Audit"), nullptr);
  ExpectEveryMethodHasCommand(*leads->FindServiceByName("Leads"));
  ExpectEveryMethodHasCommand(*audit->FindServiceByName("Audit"));
}

TEST(CommandsTest, KnownCommandsAndPaths) {
  absl::StatusOr<const Command*> identify = FindCommand("identify-lead");
  ASSERT_TRUE(identify.ok());
  EXPECT_EQ((*identify)->RpcPath(), "/salesops.v1.Leads/IdentifyLead");
  EXPECT_EQ((*identify)->qualified_name, "leads.identify-lead");
  EXPECT_FALSE((*identify)->IsStreaming());

  absl::StatusOr<const Command*> history = FindCommand("get-lead-history");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)->RpcPath(), "/salesops.v1.Audit/GetLeadHistory");

  absl::StatusOr<const Command*> qualified = FindCommand("audit.read-log");
  ASSERT_TRUE(qualified.ok());
  EXPECT_EQ((*qualified)->RpcPath(), "/salesops.v1.Audit/ReadLog");
}

TEST(CommandsTest, OnlyApiPackageServicesBecomeCommands) {
  std::set<std::string> names;
  for (const Command& command : AllCommands()) {
    EXPECT_THAT(command.method->full_name(), ::testing::StartsWith("salesops.v1."));
    EXPECT_TRUE(names.insert(command.name).second) << command.name;
  }
  EXPECT_GE(names.size(), 14u);
}

TEST(CommandsTest, UnknownCommandIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(FindCommand("identify").status()));
  EXPECT_TRUE(absl::IsNotFound(FindCommand("IdentifyLead").status()));
}

// Two services sharing a method name: bare names become ambiguous.
TEST(CommandsTest, SharedMethodNamesNeedTheServicePrefix) {
  pb::DescriptorPool pool;
  pb::FileDescriptorProto file;
  file.set_name("x/test.proto");
  file.set_package("salesops.v1");
  file.set_syntax("proto3");
  file.add_message_type()->set_name("Req");
  for (const char* service_name : {"Orders", "Team"}) {
    pb::ServiceDescriptorProto* service = file.add_service();
    service->set_name(service_name);
    for (const char* method_name : {"GetStatus", service_name}) {
      pb::MethodDescriptorProto* method = service->add_method();
      method->set_name(method_name);
      method->set_input_type(".salesops.v1.Req");
      method->set_output_type(".salesops.v1.Req");
    }
  }
  const pb::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  const std::vector<Command> commands = BuildCommands({built});
  std::vector<std::string> names;
  for (const Command& command : commands) names.push_back(command.name);
  EXPECT_THAT(names, ::testing::ElementsAre("orders.get-status", "orders", "team.get-status", "team"));

  absl::StatusOr<const Command*> ambiguous = FindCommandIn(commands, "get-status");
  EXPECT_TRUE(absl::IsInvalidArgument(ambiguous.status()));
  EXPECT_THAT(std::string(ambiguous.status().message()),
              HasSubstr("use one of orders.get-status, team.get-status"));
  absl::StatusOr<const Command*> qualified = FindCommandIn(commands, "team.get-status");
  ASSERT_TRUE(qualified.ok());
  EXPECT_EQ((*qualified)->method->full_name(), "salesops.v1.Team.GetStatus");
  absl::StatusOr<const Command*> unique = FindCommandIn(commands, "orders");
  ASSERT_TRUE(unique.ok());
  EXPECT_EQ((*unique)->method->full_name(), "salesops.v1.Orders.Orders");
}

// A file with one service "Svc" whose method "Do" is in `package`.
const pb::FileDescriptor* BuildServiceFile(pb::DescriptorPool* pool, const std::string& package) {
  pb::FileDescriptorProto file;
  file.set_name(package + "/svc.proto");
  file.set_package(package);
  file.add_message_type()->set_name("Req");
  pb::ServiceDescriptorProto* service = file.add_service();
  service->set_name("Svc");
  pb::MethodDescriptorProto* method = service->add_method();
  method->set_name("Do");
  method->set_input_type("." + package + ".Req");
  method->set_output_type("." + package + ".Req");
  return pool->BuildFile(file);
}

TEST(CommandsTest, OnlyServicesUnderSalesopsV1Count) {
  pb::DescriptorPool pool;
  const pb::FileDescriptor* other = BuildServiceFile(&pool, "other.v1");
  const pb::FileDescriptor* lookalike = BuildServiceFile(&pool, "salesops.v10");
  const pb::FileDescriptor* sub = BuildServiceFile(&pool, "salesops.v1.admin");
  ASSERT_NE(other, nullptr);
  ASSERT_NE(lookalike, nullptr);
  ASSERT_NE(sub, nullptr);
  const std::vector<Command> commands = BuildCommands({other, lookalike, sub});
  ASSERT_EQ(commands.size(), 1u);
  EXPECT_EQ(commands[0].method->full_name(), "salesops.v1.admin.Svc.Do");
  EXPECT_EQ(commands[0].RpcPath(), "/salesops.v1.admin.Svc/Do");
}

}  // namespace
}  // namespace salesctl
