// libprotobuf's own log lines (e.g. "String field ... contains invalid UTF-8
// data when parsing a protocol buffer", one per bad request a caller sends)
// go to our log, at most 10 a second: a caller cannot flood the disk.
#ifndef SALESOPS_SERVER_SERVICE_PROTOBUF_LOG_H_
#define SALESOPS_SERVER_SERVICE_PROTOBUF_LOG_H_

namespace salesops::service {

// Installs the handler for the whole process. Call once, early in main.
void RouteProtobufLogs();

}  // namespace salesops::service

#endif  // SALESOPS_SERVER_SERVICE_PROTOBUF_LOG_H_
