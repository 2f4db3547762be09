// Writes the seed corpora of the fuzz targets from the real encoders, plus
// hand-written edge cases, into <folder>/<target>/:
//   keyledger_fuzz_make_corpus tests/fuzz/corpus
// Deterministic (seeded randomness, fixed times), so re-running it changes
// nothing unless an encoder changed.
#include <capnp/message.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/event_codec.h"
#include "core/random.h"
#include "core/stream_framing.h"
#include "core/token.h"
#include "core/verify_protocol.capnp.h"
#include "projections/record_codec.h"
#include "server/client/verify_wire.h"
#include "server/verify/verify_frames.h"

namespace {

namespace fs = std::filesystem;
using namespace keyledger;

fs::path root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << bytes;
}

void tokens() {
  SeededRandom random(1);
  write("token", "valid_kl", generate_token("kl", random).to_string());
  write("token", "valid_acme9", generate_token("acme9", random).to_string());
  std::string wrong_checksum = generate_token("kl", random).to_string();
  wrong_checksum.back() = wrong_checksum.back() == 'a' ? 'b' : 'a';
  write("token", "wrong_checksum", wrong_checksum);
  write("token", "empty", "");
  write("token", "underscores", "kl__");
  write("token", "long_prefix", "abcdefghijklmnopq_AAAAAAAAAAAA_x");
  write("token", "non_ascii", "kl_\xc3\xa9\xc3\xa9\xc3\xa9_\xff\xfe");
}

void events() {
  Event event;
  event.seq = 7;
  event.time_ns = 1'700'000'000'000'000'000;
  event.origin = {"admin", "192.0.2.1", "0123456789abcdef"};
  event.prev_hash[0] = 0x5a;
  const std::vector<std::pair<std::string, EventPayload>> payloads = {
      {"user_created",
       UserCreated{"alice", Privilege::kAdmin, "$scrypt$ln=10,r=8,p=1$c2FsdA$aGFzaA"}},
      {"privilege_changed", UserPrivilegeChanged{"alice", Privilege::kAuditor}},
      {"user_disabled", UserDisabled{"alice"}},
      {"user_enabled", UserEnabled{"alice"}},
      {"password_changed", PasswordChanged{"alice", "$scrypt$x"}},
      {"key_created", KeyCreated{"AbCdEf123456", "alice", "ci deploy", Hash256{9}}},
      {"key_renamed", KeyRenamed{"AbCdEf123456", "laptop \xf0\x9f\x94\x91"}},
      {"key_deleted", KeyDeleted{"AbCdEf123456", "rotated"}},
      {"key_used", KeyUsed{"AbCdEf123456", "2001:db8::1", 1'700'000'000'000'000'001}},
      {"user_locked", UserLocked{"alice", "too many failures"}},
      {"user_unlocked", UserUnlocked{"alice"}},
  };
  for (const auto& [name, payload] : payloads) {
    event.payload = payload;
    write("event_codec", name, encode_event(event));
  }
}

void records() {
  UserRecord user{"alice", Privilege::kAdmin, false, true, "$scrypt$x", 1'700'000'000'000'000'000};
  write("record_codec", "user", projections::encode_user_record(user));
  KeyRecord key;
  key.key_id = "AbCdEf123456";
  key.owner = "alice";
  key.name = "ci deploy";
  key.secret_hash[3] = 7;
  key.created_at_ns = 1'700'000'000'000'000'000;
  key.created_seq = 4;
  key.deleted = true;
  key.deleted_at_ns = 1'700'000'000'000'000'009;
  key.last_used_ip = "192.0.2.9";
  key.last_used_at_ns = 1'700'000'000'000'000'005;
  write("record_codec", "key", projections::encode_key_record(key));
}

void verify_frames() {
  SeededRandom random(2);
  const std::string token = generate_token("kl", random).to_string();
  const std::string request = client::encode_verify_request(1, token, "");
  write("verify_frame", "request", request);
  write("verify_frame", "request_client_ip", client::encode_verify_request(2, token, "10.1.2.3"));
  write("verify_frame", "pipelined",
        request + client::encode_verify_request(3, "kl_bad", "::1") + request);
  write("verify_frame", "truncated", request.substr(0, request.size() - 5));
  std::string verified, refused;
  server::append_response(9, server::VerifiedKey{"alice", Privilege::kAdmin, "AbCdEf123456"}, 0,
                          verified);
  server::append_response(10, server::rate_limited(), 42, refused);
  write("verify_frame", "response", verified);
  write("verify_frame", "response_refused", refused);
  // A response with no field set: reads as refused, reason invalid.
  capnp::MallocMessageBuilder empty;
  empty.initRoot<wire::VerifyResponse>();
  write("verify_frame", "response_zeroed", frame_message(empty));
  // A segment table announcing a huge segment.
  write("verify_frame", "huge_segment", std::string("\0\0\0\0\xff\xff\xff\x7f", 8));
}

void json_bodies() {
  write("json_body", "login", R"({"user":"alice","password":"correct horse battery"})");
  write("json_body", "create_user",
        R"({"user":"bob","password":"pw pw pw pw","privilege":"auditor"})");
  write("json_body", "update_user", R"({"privilege":"admin","disabled":false,"locked":true})");
  write("json_body", "key_name", R"({"name":"  ci \u0000 deploy \u202e "})");
  write("json_body", "password", R"({"current_password":"a","new_password":"b"})");
  write("json_body", "deep", std::string(20, '[') + std::string(20, ']'));
  write("json_body", "unknown_field", R"({"name":"x","admin":true})");
  write("json_body", "wrong_types", R"({"user":1,"password":null,"privilege":["admin"]})");
  write("json_body", "not_object", R"("just a string")");
}

void http_requests() {
  SeededRandom random(3);
  const std::string token = generate_token("kl", random).to_string();
  write("http_request", "get_keys",
        "GET /v1/credentials HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token +
            "\r\nAccept-Language: es-ES,es;q=0.9,en;q=0.5\r\n\r\n");
  const std::string body = R"({"name":"deploy"})";
  write("http_request", "post_key",
        "POST /v1/keys HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json; "
        "charset=utf-8\r\nCookie: a=b; kl_session=0123abcd\r\nX-CSRF-Token: t\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body);
  write("http_request", "chunked",
        "PATCH /v1/keys/AbCdEf123456 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"nam\r\nc\r\ne\":\"renamed\"}\r\n0\r\n\r\n");
  write("http_request", "pipelined",
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nHEAD /v1/keys/%41b/events?limit=5&after=%2B1 "
        "HTTP/1.1\r\nHost: x\r\nMC-Api-Key: " +
            token + "\r\n\r\nDELETE /v1/users HTTP/1.1\r\nHost: x\r\n\r\n");
  write("http_request", "query",
        "GET /v1/audit?user=al+ice&since=2026-01-01&&key=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  write("http_request", "traversal", "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.0\r\n\r\n");
  write("http_request", "bad_method", "BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n");
  write("http_request", "truncated_body",
        "POST /v1/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n{");
  // Framing keyledgerd refuses: a final coding other than chunked (the
  // "body" is a smuggled request), and a coding besides chunked.
  write("http_request", "smuggled",
        "POST /v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Transfer-Encoding: identity\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  write("http_request", "gzip_chunked",
        "POST /v1/keys HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
        "2\r\n{}\r\n0\r\n\r\n");
  // Routes spelled with escapes (not the route), and a parameter that
  // decodes to two segments.
  write("http_request", "encoded_routes",
        "GET /%6detrics HTTP/1.1\r\nHost: x\r\n\r\nGET /v1%2fsession HTTP/1.1\r\nHost: "
        "x\r\n\r\nDELETE /v1/keys/%41b%2Fc HTTP/1.1\r\nHost: x\r\n\r\n");
  // Two keys at once.
  write("http_request", "ambiguous_key",
        "GET /v1/verify HTTP/1.1\r\nHost: x\r\nMC-Api-Key: " + token +
            "\r\nAuthorization: Bearer kl_other\r\nMC-Api-Key: " + token + "\r\n\r\n");
}

// Mutation programs for the ledger_tool target (see ledger_tool_fuzz.cc):
// [op + 4 * family] [selector] ...; families: 0 events, 1 users, 2 keys,
// 3 owner_index, 4 meta (keys in order: format, head, projection_head).
void ledger_mutations() {
  write("ledger_tool", "untouched", "");
  write("ledger_tool", "flip_last_event", std::string("\x02\x0b\x10\x01", 4));
  write("ledger_tool", "flip_first_event", std::string("\x02\x00\x03\x80", 4));
  write("ledger_tool", "delete_middle_event", std::string("\x01\x05", 2));
  write("ledger_tool", "delete_head", std::string("\x11\x01", 2));
  // projection_head rewritten to seq 0: the stored projection's head no
  // longer names the log's head.
  write("ledger_tool", "projection_head_zero",
        std::string("\x10\x02\x28", 3) + std::string(40, '\0'));
  write("ledger_tool", "truncate_user", std::string("\x07\x01\x03", 3));
  write("ledger_tool", "flip_key_record", std::string("\x0a\x00\x20\x04", 4));
  write("ledger_tool", "delete_owner_index", std::string("\x0d\x01", 2));
  write("ledger_tool", "new_event_key",
        std::string("\x00\xc8", 2) + std::string(8, '\x7f') + std::string("\x04junk", 5));
  write("ledger_tool", "bad_format", std::string("\x10\x00\x0bkeyledger/2", 14));
  write("ledger_tool", "extra_meta_key", std::string("\x10\xc5", 2) + "other" + "\x01" + "x");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: keyledger_fuzz_make_corpus <corpus folder>\n");
    return 2;
  }
  root = argv[1];
  tokens();
  events();
  records();
  verify_frames();
  json_bodies();
  http_requests();
  ledger_mutations();
  return 0;
}
