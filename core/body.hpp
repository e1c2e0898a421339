#pragma once
// Reading request fields. A missing or wrong-typed field throws MalformedRequest, which
// HandlerNode turns into Maelstrom error 12 inside the same step, so no exception ever
// crosses a node's step and the client learns exactly what was wrong.

#include <cstdint>
#include <stdexcept>
#include <string>

#include "message.hpp"

namespace millpond {

class MalformedRequest : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

const json& require_field(const json& body, const char* field);
std::string require_string(const json& body, const char* field);
std::int64_t require_int(const json& body, const char* field);
const json& require_object(const json& body, const char* field);
const json& require_array(const json& body, const char* field);

}  // namespace millpond
