# Compiles every .proto file under PROTO_ROOT for the languages of
# docs/CLIENTS.md with the system protoc: Go (protoc-gen-go,
# protoc-gen-go-grpc), Java, C# and Python (grpc_python_plugin), into OUT.
# Fails on any protoc error: a file without go_package (protoc-gen-go refuses
# it), generated Java classes that clash, an option misspelt.
#
#   cmake -DPROTOC=... -DPROTO_ROOT=... -DOUT=... -DGRPC_PYTHON_PLUGIN=... -P generate_other_languages.cmake
foreach(var PROTOC PROTO_ROOT OUT GRPC_PYTHON_PLUGIN)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "${var} is not set")
  endif()
endforeach()

set(missing)
foreach(plugin protoc-gen-go protoc-gen-go-grpc)
  find_program(path_${plugin} ${plugin})
  if(NOT path_${plugin})
    list(APPEND missing ${plugin})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "${missing} not found: install Debian's protoc-gen-go and protoc-gen-go-grpc "
                      "(deploy/dev.sh does)")
endif()

file(GLOB_RECURSE files RELATIVE ${PROTO_ROOT} ${PROTO_ROOT}/*.proto)
list(SORT files)
file(REMOVE_RECURSE ${OUT})
set(go_args --go_out=${OUT}/go --go-grpc_out=${OUT}/go
  --plugin=protoc-gen-go=${path_protoc-gen-go} --plugin=protoc-gen-go-grpc=${path_protoc-gen-go-grpc})
set(java_args --java_out=${OUT}/java)
set(csharp_args --csharp_out=${OUT}/csharp)
set(python_args --python_out=${OUT}/python --grpc_python_out=${OUT}/python
  --plugin=protoc-gen-grpc_python=${GRPC_PYTHON_PLUGIN})
foreach(language go java csharp python)
  file(MAKE_DIRECTORY ${OUT}/${language})
  execute_process(
    COMMAND ${PROTOC} -I ${PROTO_ROOT} ${${language}_args} ${files}
    WORKING_DIRECTORY ${PROTO_ROOT}
    RESULT_VARIABLE rc
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "protoc for ${language} failed:\n${err}")
  endif()
  message(STATUS "${language}: ${files}")
endforeach()
