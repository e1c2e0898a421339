#include "body.hpp"

namespace millpond {

namespace {

[[noreturn]] void malformed(const char* field, const char* expected, const json& value) {
    throw MalformedRequest(std::string("field '") + field + "' must be " + expected +
                           ", got " + value.type_name());
}

}  // namespace

const json& require_field(const json& body, const char* field) {
    if (!body.is_object()) throw MalformedRequest("body must be an object");
    const json* value = body_field(body, field);
    if (value == nullptr) throw MalformedRequest(std::string("missing field '") + field + "'");
    return *value;
}

std::string require_string(const json& body, const char* field) {
    const json& value = require_field(body, field);
    if (!value.is_string()) malformed(field, "a string", value);
    return value.get<std::string>();
}

std::int64_t require_int(const json& body, const char* field) {
    const json& value = require_field(body, field);
    if (!value.is_number_integer()) malformed(field, "an integer", value);
    return value.get<std::int64_t>();
}

const json& require_object(const json& body, const char* field) {
    const json& value = require_field(body, field);
    if (!value.is_object()) malformed(field, "an object", value);
    return value;
}

const json& require_array(const json& body, const char* field) {
    const json& value = require_field(body, field);
    if (!value.is_array()) malformed(field, "an array", value);
    return value;
}

}  // namespace millpond
